"""The dossier job: the UI's way to run the dossier generator in the background."""

from django.conf import settings

from civwatch.accountability import dossier
from civwatch.accountability.models import Entry
from civwatch.accounts import permissions
from civwatch.core.errors import UserError
from civwatch.jobs.models import Job
from civwatch.jobs.runner import job_kind


@job_kind("dossier", idempotent=True)
def dossier_job(job: Job, entry: int, jurisdiction: str, fmt: str) -> None:
    job.start(total=2)
    # The job runs later, in a worker: the policy is asked again for the user who asked.
    record = Entry.objects.select_related("entity").filter(pk=entry).first()
    if record is None or not permissions.can_view(job.created_by, record):
        raise UserError(f"No entry {entry}.")
    job.advance(f"collecting the record of entry {entry}")
    target = (
        settings.MEDIA_ROOT / "dossiers" / str(job.pk) / f"dossier-{entry}-{jurisdiction}.{fmt}"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    size = dossier.write(record, jurisdiction, fmt, target)
    job.result_file = str(target)
    job.log.append(f"{fmt.upper()} written, {size} bytes")
    job.save(update_fields=["result_file", "log"])
    job.advance()
