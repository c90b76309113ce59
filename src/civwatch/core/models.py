"""The audit log: an append-only hash chain of events (civwatch.core.audit writes and checks it)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    STATUS = "status", _("status moved")
    DELETE = "delete", _("deleted")
    IMPORT = "import", _("bulk import")
    EXPORT = "export", _("export")
    READ = "read", _("confidential read")
    LOGIN = "login", _("login")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOGOUT = "logout", _("logout")
    BASELINE = "baseline", _("baseline of an existing record")


class AuditEvent(models.Model):
    """One event. ``hash`` = sha256(previous event's hash + this event's canonical content).

    No foreign keys: an event must outlive the user or record it names, and deleting a user
    must not cascade into (or be blocked by) the history."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor = models.CharField(max_length=150)
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices, db_index=True)
    model = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # sha256 of the record's stored content after this event (documented records only).
    digest = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["model", "object_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.model} {self.object_id}".strip()


class AuditHead(models.Model):
    """The chain's head (one row): locked while appending so that appends are serialised,
    and compared with the last event to notice a tail removed without a checkpoint."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"head at #{self.seq}"
