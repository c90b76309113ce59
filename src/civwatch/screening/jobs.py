"""Background jobs of the screening app."""

from pathlib import Path

from civwatch.jobs.models import Job
from civwatch.jobs.runner import job_kind
from civwatch.matching import DEFAULT_THRESHOLD
from civwatch.screening import index_file
from civwatch.screening.lists import BUILD_STEPS, build_lists_index, lists_version
from civwatch.screening.lists_csv import screen_csv


@job_kind("screen-csv", idempotent=True)
def screen_csv_job(job: Job, source: str) -> None:
    target = Path(source).with_name("results.csv")
    matched = screen_csv(Path(source), target, threshold=DEFAULT_THRESHOLD,
                         on_start=job.start, on_row=lambda: job.advance(steps=1))  # fmt: skip
    job.result_file = str(target)
    job.log.append(f"{matched} of {job.total} names matched")
    job.save(update_fields=["result_file", "log"])


@job_kind(index_file.JOB_KIND, idempotent=True)
def screening_index_job(job: Job) -> None:
    """Build the index of every list and write it for the web processes (index_file)."""
    # Started before the version is read: a change committed while this job was still queued
    # enqueued no other job (index_file.schedule_build), so this one must see it.
    job.start(BUILD_STEPS + 1)
    if index_file.folder() is None:
        job.advance("index files are off (CIVWATCH_INDEX_FILES=off): nothing to do",
                    steps=BUILD_STEPS + 1)  # fmt: skip
        return
    # Read before building: the file may hold newer data than its name says, never older.
    version = lists_version()
    if index_file.path_for(version).exists():
        # Another job (one retried after its worker was lost, or one enqueued while this one
        # was running) has written this version already.
        job.advance("the index of the lists as they are was written already", BUILD_STEPS + 1)
        return
    index = build_lists_index(on_step=job.advance)
    path = index_file.write(index, version)
    current = index_file.path_for(lists_version())
    removed = index_file.remove_stale({path, current})
    size = path.stat().st_size / 2**20
    job.advance(f"{len(index)} records written ({size:.1f} MB); {len(removed)} old files removed")
