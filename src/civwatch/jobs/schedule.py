"""Jobs that workers start on a schedule from settings (`civwatch watch`: docs/registers.md).

django-tasks has no periodic tasks. Every `civwatch db_worker` checks, when it starts and then
every half lease, whether a periodic kind is due: its last scheduled job was created at least
its interval ago and has finished. The check and the enqueueing happen in one transaction that
workers take in turn (SQLite writes one transaction at a time; on PostgreSQL an advisory lock),
so several workers start one job, not one each.
"""

import datetime
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from civwatch.jobs.models import Job
from civwatch.jobs.runner import enqueue_job


@dataclass(frozen=True)
class Periodic:
    kind: str
    title: str
    minutes: Callable[[], int]  # from settings at each check; 0: not scheduled


PERIODIC: dict[str, Periodic] = {}


def periodic_job(kind: str, title: str, minutes: Callable[[], int]) -> None:
    """Declare that workers start a job of `kind` (registered with @job_kind) every so often."""
    PERIODIC[kind] = Periodic(kind, title, minutes)


def _take_turn(kind: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(kind.encode())])


def enqueue_due_jobs(now: datetime.datetime | None = None) -> list[Job]:
    """Enqueue each periodic job that is due; returns the jobs enqueued."""
    now = now or timezone.now()
    started = []
    for periodic in PERIODIC.values():
        minutes = periodic.minutes()
        if not minutes:
            continue
        with transaction.atomic():
            _take_turn(periodic.kind)
            last = Job.objects.filter(kind=periodic.kind).order_by("-created_at").first()
            if last and (
                not last.finished or last.created_at > now - datetime.timedelta(minutes=minutes)
            ):
                continue
            started.append(enqueue_job(periodic.kind, periodic.title, params={}))
    return started
