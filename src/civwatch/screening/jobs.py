"""Background jobs of the screening app."""

from pathlib import Path

from civwatch.jobs.models import Job
from civwatch.jobs.runner import job_kind
from civwatch.matching import DEFAULT_THRESHOLD
from civwatch.screening.lists_csv import screen_csv


@job_kind("screen-csv", idempotent=True)
def screen_csv_job(job: Job, source: str) -> None:
    target = Path(source).with_name("results.csv")
    matched = screen_csv(Path(source), target, threshold=DEFAULT_THRESHOLD,
                         on_start=job.start, on_row=lambda: job.advance(steps=1))  # fmt: skip
    job.result_file = str(target)
    job.log.append(f"{matched} of {job.total} names matched")
    job.save(update_fields=["result_file", "log"])
