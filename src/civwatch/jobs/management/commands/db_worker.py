"""django-tasks-db's worker, plus the recovery of jobs whose worker died and periodic jobs.

It replaces `db_worker` (civwatch.jobs comes before django_tasks_db in INSTALLED_APPS), so
every worker an operator starts also takes over lost jobs, and starts the periodic jobs that
are due (civwatch.jobs.schedule): at start, then every half lease."""

import logging
import threading

from django.db import DatabaseError, connection
from django_tasks_db.management.commands.db_worker import Command as WorkerCommand

from civwatch.jobs.models import lease
from civwatch.jobs.recovery import recover_lost_jobs
from civwatch.jobs.schedule import enqueue_due_jobs

logger = logging.getLogger(__name__)


def watch_leases(stopped: threading.Event) -> None:
    interval = lease().total_seconds() / 2
    try:
        while True:
            try:
                recover_lost_jobs()
                enqueue_due_jobs()
            except DatabaseError:
                logger.warning("jobs not checked; trying again in %.0f s", interval)
            if stopped.wait(interval):
                return
    finally:
        connection.close()


class Command(WorkerCommand):
    help = "Run background jobs (and take over jobs whose worker died)."

    def handle(self, *args, **options) -> None:
        stopped = threading.Event()
        watcher = threading.Thread(target=watch_leases, args=(stopped,), daemon=True,
                                   name="job-leases")  # fmt: skip
        watcher.start()
        try:
            super().handle(*args, **options)
        finally:
            stopped.set()
