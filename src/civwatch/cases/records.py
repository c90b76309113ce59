"""What every documented record shares: visibility, review status and an append-only history.

Visibility is data-driven. Each model lists in ``PUBLIC_FIELDS`` the fields that may ever be
shown to the public; any of them can be restricted further per record in ``field_visibility``
({"field": "internal"}). Fields not listed (internal notes, who added what) are never public.
``civwatch.cases.public`` is the one place that turns records into their public form.
"""

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("public")
    INTERNAL = "internal", _("internal")
    CONFIDENTIAL = "confidential", _("confidential")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    VERIFIED = "verified", _("verified")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", _("withdrawn")
    CORRECTED = "corrected", _("corrected")


# Statuses in which a public record is shown to the public.
PUBLIC_STATUSES = (ReviewStatus.PUBLISHED, ReviewStatus.CORRECTED)


class AppendOnlyModel(models.Model):
    """Rows that are written once and never changed or deleted (history, custody)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionDenied(f"{type(self).__name__} rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> None:
        raise PermissionDenied(f"{type(self).__name__} rows cannot be deleted.")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionDenied("Append-only rows cannot be changed.")

    def delete(self) -> None:
        raise PermissionDenied("Append-only rows cannot be deleted.")


class Revision(AppendOnlyModel):
    """One change of one record: who, when, what (the changed fields, before and after)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=32)
    changes = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    note = models.TextField(blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.content_type.model} #{self.object_id}"


def stored_value(value: Any) -> Any:
    """A field's value as the database holds it (a file field holds its file's name)."""
    return value.name if isinstance(value, FieldFile) else value


class DocumentedRecord(models.Model):
    """Abstract base: visibility of the record and its fields, review status, history."""

    PUBLIC_FIELDS: ClassVar[tuple[str, ...]] = ()
    # Content hashes (sha256 hex) of content the public may not see: the public layer shows
    # them only keyed, as "<name>_hmac" (civwatch.core.digests), never as they are stored.
    PUBLIC_DIGESTS: ClassVar[tuple[str, ...]] = ()

    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    field_visibility = models.JSONField(_("visibility of single fields"), default=dict, blank=True)
    status = models.CharField(
        _("review status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    correction_note = models.TextField(_("public correction note"), blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC and self.status in PUBLIC_STATUSES

    def public_fields(self) -> list[str]:
        return [
            name
            for name in self.PUBLIC_FIELDS
            if self.field_visibility.get(name, Visibility.PUBLIC) == Visibility.PUBLIC
        ]

    def publication_problems(self, editor: Any) -> list[str]:
        """Why this record may not be published by this editor (empty: it may)."""
        if self.created_by_id is not None and self.created_by_id == editor.pk:
            return [str(_("An editor other than the author must approve it."))]
        return []

    def snapshot(self) -> dict[str, Any]:
        return {
            field.attname: stored_value(getattr(self, field.attname))
            for field in self._meta.concrete_fields
            if field.name not in {"updated_at", "created_at"}
        }

    def save_with_history(self, user: Any, action: str = "", note: str = "") -> Revision:
        """Save and record the changed fields (every field, for a new record)."""
        before = {} if self._state.adding else type(self).objects.get(pk=self.pk).snapshot()
        action = action or ("created" if self._state.adding else "changed")
        self.save()
        after = self.snapshot()
        changes = {
            key: [before.get(key), value]
            for key, value in after.items()
            if before.get(key) != value
        }
        return Revision.objects.create(
            content_type=ContentType.objects.get_for_model(self),
            object_id=str(self.pk),
            user=user,
            action=action,
            changes=changes,
            note=note,
        )

    def history(self) -> models.QuerySet[Revision]:
        return Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(self), object_id=str(self.pk)
        ).select_related("user")
