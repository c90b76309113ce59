"""Running a job in a worker: `civwatch db_worker` picks up `run_job` tasks."""

import logging
from collections.abc import Callable

from django.db import transaction
from django_tasks import task

from civwatch.core.actor import acting_as
from civwatch.core.errors import UserError
from civwatch.jobs.models import Job

logger = logging.getLogger(__name__)


JobFunction = Callable[..., None]  # (job, **params); reports progress through the job
JOB_KINDS: dict[str, JobFunction] = {}


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    def register(function: JobFunction) -> JobFunction:
        JOB_KINDS[name] = function
        return function

    return register


def enqueue_job(kind: str, title: str, params: dict, user=None) -> Job:
    job = Job.objects.create(kind=kind, title=title, params=params, created_by=user)
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


@task()
def run_job(job_id: str) -> None:
    job = Job.objects.get(pk=job_id)
    try:
        # The job's writes are audited as the system's, on behalf of who started it.
        with acting_as("system", user=job.created_by):
            JOB_KINDS[job.kind](job, **job.params)
    except UserError as failure:
        job.finish(error=str(failure))
    except Exception:
        # The traceback goes to the worker's log (ids only, no personal data); the user
        # sees that the job failed, not the internals.
        logger.exception("job %s (%s) crashed", job.pk, job.kind)
        job.finish(error="The job stopped on an internal error; the worker log has details.")
    else:
        job.finish()
