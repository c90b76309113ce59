"""Running a job in a worker: `civwatch db_worker` picks up `run_job` tasks."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tasks import task

from civwatch.core.actor import acting_as
from civwatch.core.errors import UserError
from civwatch.jobs.models import Job, lease

logger = logging.getLogger(__name__)


JobFunction = Callable[..., None]  # (job, **params); reports progress through the job


@dataclass(frozen=True)
class JobKind:
    function: JobFunction
    # Running it again from the start gives the same result as running it once (imports
    # skip what they already applied, result files are rewritten): a job of this kind whose
    # worker died is started again instead of failed.
    idempotent: bool


JOB_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, idempotent: bool) -> Callable[[JobFunction], JobFunction]:
    def register(function: JobFunction) -> JobFunction:
        JOB_KINDS[name] = JobKind(function, idempotent)
        return function

    return register


def enqueue_job(kind: str, title: str, params: dict, user=None) -> Job:
    job = Job.objects.create(kind=kind, title=title, params=params, created_by=user)
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


# The jobs this process is running now. Its own lease watcher never takes them over: the
# process is alive even when a beat is late (on SQLite a beat waits behind the job's own write
# transaction; on a loaded machine the thread may not be scheduled in time), and taking over
# a job still running here would reset its progress under it.
RUNNING_HERE: set = set()


class Heartbeat:
    """Renews the job's lease from a thread while the job's own code runs.

    Progress updates renew it too, but one unit of work (building a large screening index,
    rendering a PDF) can outlast the lease; the thread keeps a busy job from being taken for
    a dead one. A missed beat is harmless (the lease is several beats long), so database
    errors in the thread are logged and the next beat tries again."""

    def __init__(self, job: Job) -> None:
        self.job_id = job.pk
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, name=f"heartbeat-{job.pk}", daemon=True)

    def run(self) -> None:
        interval = lease().total_seconds() / 3
        try:
            while not self.stopped.wait(interval):
                try:
                    Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    logger.warning("job %s: heartbeat not written", self.job_id)
        finally:
            connection.close()

    def __enter__(self) -> "Heartbeat":
        RUNNING_HERE.add(self.job_id)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()
        RUNNING_HERE.discard(self.job_id)


@task()
def run_job(job_id: str) -> None:
    job = Job.objects.get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        # Already finished, or taken over after its worker was lost: nothing to do.
        return
    job.attempts += 1
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["attempts", "heartbeat_at"])
    try:
        # The job's writes are audited as the system's, on behalf of who started it.
        with acting_as("system", user=job.created_by), Heartbeat(job):
            JOB_KINDS[job.kind].function(job, **job.params)
    except UserError as failure:
        job.finish(error=str(failure))
    except Exception:
        # The traceback goes to the worker's log (ids only, no personal data); the user
        # sees that the job failed, not the internals.
        logger.exception("job %s (%s) crashed", job.pk, job.kind)
        job.finish(error="The job stopped on an internal error; the worker log has details.")
    else:
        job.finish()
