"""Jobs whose worker died: started again when that is safe, failed visibly otherwise.

A worker killed mid-job (out of memory, `kill -9`, a machine restart) leaves its job
"running" for ever: nobody will finish it, and its page would refresh without end. Every
worker checks the leases when it starts and then every half lease, so such a job is taken
over within a lease and a half of a worker running."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civwatch.core.errors import UserError
from civwatch.jobs.models import Job
from civwatch.jobs.runner import JOB_KINDS, RUNNING_HERE, run_job

logger = logging.getLogger(__name__)

# A job that killed its worker three times (say, by running out of memory) would do it again.
MAX_ATTEMPTS = 3


def lost_jobs() -> list[Job]:
    running = Job.objects.filter(status=Job.Status.RUNNING).exclude(pk__in=RUNNING_HERE)
    return [job for job in running if job.worker_lost]


def requeue(job: Job, reason: str) -> None:
    """Start the job again from the beginning, keeping its report so far."""
    job.status, job.done, job.total = Job.Status.QUEUED, 0, None
    job.started_at = job.heartbeat_at = None
    job.error = ""
    job.log.append(reason)
    changed = ["status", "done", "total", "started_at", "heartbeat_at", "error", "attempts", "log"]
    job.save(update_fields=changed)
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))


def recover(job: Job) -> str:
    """Retry or fail one job whose worker was lost; returns what was done ("retried"/"failed")."""
    kind = JOB_KINDS.get(job.kind)
    progress = f"{job.percent}%" if job.percent is not None else _("its start")
    if kind is not None and kind.idempotent and job.attempts < MAX_ATTEMPTS:
        message = _(
            "The worker running this job stopped at %(progress)s; the job was started again "
            "from the beginning (attempt %(next)d of %(max)d)."
        )
        requeue(
            job, message % {"progress": progress, "next": job.attempts + 1, "max": MAX_ATTEMPTS}
        )
        outcome = "retried"
    else:
        if kind is None or not kind.idempotent:
            why = _("it cannot safely be run twice")
        else:
            why = _("it was tried %(n)d times") % {"n": job.attempts}
        message = _(
            "The worker running this job stopped at %(progress)s (killed or the machine "
            "restarted), and the job was not started again because %(why)s. Check what it "
            "did, then start it again."
        )
        job.finish(error=message % {"progress": progress, "why": why})
        outcome = "failed"
    logger.warning("job %s (%s): worker lost, %s", job.pk, job.kind, outcome)
    return outcome


def recover_lost_jobs() -> dict[str, str]:
    """Recover every job whose lease ran out; {job id: outcome}. Safe to run from several
    workers at once: each job is locked and checked again before it is taken over."""
    outcomes = {}
    for candidate in lost_jobs():
        with transaction.atomic():
            job = Job.objects.select_for_update().get(pk=candidate.pk)
            if job.worker_lost:
                outcomes[str(job.pk)] = recover(job)
    return outcomes


def retry(job: Job) -> None:
    """Start a failed (or lost) job again, on a person's request (`civwatch jobs retry`)."""
    if job.status == Job.Status.DONE or (job.status != Job.Status.FAILED and not job.worker_lost):
        raise UserError(_("Only a failed job, or one whose worker was lost, can be retried."))
    job.attempts = 0
    with transaction.atomic():
        requeue(
            job,
            _("Started again by hand at %(at)s.") % {"at": f"{timezone.now():%Y-%m-%d %H:%M} UTC"},
        )
