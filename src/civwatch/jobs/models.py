"""Long jobs (imports, batch screening, dossiers) run by background workers, with progress.

A job's progress is written between units of work (a snapshot, a batch of names), each in
its own short transaction, so that the job page can show it while the work goes on.

A running job holds a lease: its worker renews ``heartbeat_at`` every few seconds. A job
whose heartbeat is older than the lease lost its worker (killed, out of memory, machine
restarted); `civwatch.jobs.recovery` retries it or fails it with a message the user sees.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True)
    log = models.JSONField(default=list, help_text="Lines reported by the job, in order.")
    error = models.TextField(blank=True)
    result_file = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    heartbeat_at = models.DateTimeField(null=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("job")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def result_is_csv(self) -> bool:
        """A CSV result is also offered for Excel (with a byte-order mark)."""
        return self.result_file.endswith(".csv")

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.total) if self.total else None

    @property
    def worker_lost(self) -> bool:
        """Running, but its worker has not renewed the lease in time."""
        if self.status != self.Status.RUNNING:
            return False
        last = self.heartbeat_at or self.started_at
        return last is None or last < timezone.now() - lease()

    def start(self, total: int | None) -> None:
        self.status, self.total = self.Status.RUNNING, total
        self.started_at = self.heartbeat_at = timezone.now()
        self.save(update_fields=["status", "total", "started_at", "heartbeat_at"])

    def advance(self, line: str = "", steps: int = 1) -> None:
        self.done += steps
        self.heartbeat_at = timezone.now()
        if line:
            self.log.append(line)
        self.save(update_fields=["done", "log", "heartbeat_at"])

    def finish(self, error: str = "") -> None:
        self.status = self.Status.FAILED if error else self.Status.DONE
        self.error, self.finished_at = error, timezone.now()
        self.save(update_fields=["status", "error", "finished_at"])


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CIVWATCH_JOB_LEASE_SECONDS)
