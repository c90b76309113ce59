"""Background jobs of the sanctions app: cross-referencing every list, with progress."""

from civwatch.jobs.models import Job
from civwatch.jobs.runner import job_kind
from civwatch.sanctions.xref import XREF_THRESHOLD, run_xref

# One progress write per this many persons compared: a write per person would add one
# UPDATE per person (tens of thousands with every bundled list) to the comparison itself.
PROGRESS_EVERY = 250


@job_kind("xref", idempotent=True)
def xref_job(
    job: Job,
    dataset: str | None = None,
    against: str | None = None,
    threshold: float = XREF_THRESHOLD,
) -> None:
    pending = 0

    def compared(persons: int) -> None:
        nonlocal pending
        pending += persons
        if pending >= PROGRESS_EVERY:
            job.advance(steps=pending)
            pending = 0

    report = run_xref(dataset, against, threshold, on_start=job.start, progress=compared)
    job.advance(report.describe(), steps=pending)
