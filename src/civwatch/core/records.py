"""What every documented record shares: visibility, review status and an append-only history.

Four-eyes review holds at this level, so that every door (staff pages, admin, API, imports)
gets it: once a record's content has been approved (verified, published, corrected), a change
of its content is not written to the live row, which the public layer reads, but kept as a
`PendingChange` until an editor who wrote none of it approves it (`cases.workflow`). Who wrote
content since the last approval is read from the history (`content_authors`), so an editor who
rewrote someone else's record cannot approve it either.

Visibility is data-driven. Each model lists in ``PUBLIC_FIELDS`` the fields that may ever be
shown to the public; any of them can be restricted further per record in ``field_visibility``
({"field": "internal"}). Fields not listed (internal notes, who added what) are never public.
``civwatch.cases.public`` is the one place that turns records into their public form.
"""

import json
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civwatch.core.clock import StampField
from civwatch.core.crypto import EncryptedJSONField, EncryptedTextField


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
# Statuses in which the content has been approved by an editor: changing it needs review again.
REVIEWED_STATUSES = (
    ReviewStatus.VERIFIED, ReviewStatus.PUBLISHED, ReviewStatus.CORRECTED, ReviewStatus.WITHDRAWN
)  # fmt: skip
# History actions that approve the content as it then is.
CHANGE_APPROVED = "change approved"
APPROVING_ACTIONS = (
    ReviewStatus.VERIFIED, ReviewStatus.PUBLISHED, ReviewStatus.CORRECTED, CHANGE_APPROVED
)  # fmt: skip
# Set by the workflow itself, never content: a change of these alone needs no second review.
WORKFLOW_FIELDS = frozenset(
    {"id", "status", "approved_by", "created_by", "correction_note", "created_at", "updated_at"}
)
VISIBILITY_ORDER = (Visibility.PUBLIC, Visibility.INTERNAL, Visibility.CONFIDENTIAL)


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
    at = StampField(auto_now_add=True)
    action = models.CharField(max_length=32)
    # Before and after values of every changed field: as confidential as the record.
    changes = EncryptedJSONField(default=dict, encoder=DjangoJSONEncoder)
    note = EncryptedTextField(blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        # The history's rows keep the label of the app they were first created in: their
        # table, content type and every audit event name "cases.revision", and relabelling
        # would rewrite all three. The code is the shared kernel's (accountability entries
        # keep their history here too).
        app_label = "cases"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.content_type.model} #{self.object_id}"


class PendingChange(models.Model):
    """A change of a reviewed record's content, waiting for an editor who wrote none of it.

    `values` holds the proposed value of every content field that differs from the live row
    (by attname, as the database holds it); one pending change per record gathers every edit
    made before the decision, and `authors` everyone who made one. An `addition` is a record
    added to one whose content was already approved (a participant of a published incident):
    it stays off public output until approved; a `removal` takes one away (withdrawn) once
    approved. Every step is also a `Revision` of the record.
    """

    class Kind(models.TextChoices):
        CHANGE = "change", _("change of content")
        ADDITION = "addition", _("added record")
        REMOVAL = "removal", _("removal of the record")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn (edited back)")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CHANGE)
    # Proposed content, confidential fields included: encrypted like the record itself.
    values = EncryptedJSONField(default=dict, encoder=DjangoJSONEncoder)
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    created_at = StampField(auto_now_add=True)
    updated_at = StampField(auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = EncryptedTextField(blank=True)

    class Meta:
        app_label = "cases"  # see Revision
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(state="pending"),
                name="one_pending_change_per_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.content_type.model} #{self.object_id} ({self.state})"

    @property
    def record(self) -> "DocumentedRecord":
        return self.content_type.get_object_for_this_type(pk=self.object_id)

    def author_ids(self) -> set[int]:
        return set(self.authors.values_list("pk", flat=True))

    def diff(self) -> list[dict[str, Any]]:
        """Field, live value and proposed value, for the reviewer."""
        record = self.record
        rows = []
        for attname, value in self.values.items():
            field = record.field_by_attname(attname)
            rows.append({
                "field": str(field.verbose_name), "name": field.name,
                "live": stored_value(getattr(record, attname)), "proposed": value,
            })  # fmt: skip
        return rows

    def close(self, state: str, user: Any, note: str = "") -> None:
        self.state, self.decided_by, self.decided_at = state, user, timezone.now()
        self.decision_note = note
        self.save()


def as_json(values: dict[str, Any]) -> dict[str, Any]:
    """Values as a JSON field stores them (dates as ISO strings), so that they compare."""
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def stored_value(value: Any) -> Any:
    """A field's value as the database holds it (a file field holds its file's name)."""
    return value.name if isinstance(value, FieldFile) else value


class DocumentedRecord(models.Model):
    """Abstract base: visibility of the record and its fields, review status, history."""

    PUBLIC_FIELDS: ClassVar[tuple[str, ...]] = ()
    # Never public and never reviewed (working notes): written at once even on a reviewed record.
    WORKING_FIELDS: ClassVar[tuple[str, ...]] = ("internal_notes",)
    REVIEWED_STATUSES: ClassVar[tuple[str, ...]] = REVIEWED_STATUSES
    APPROVING_ACTIONS: ClassVar[tuple[str, ...]] = APPROVING_ACTIONS
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
    correction_note = EncryptedTextField(_("public correction note"), blank=True)
    internal_notes = EncryptedTextField(_("internal notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = StampField(auto_now_add=True)
    updated_at = StampField(auto_now=True)

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
        if editor.pk in self.approval_authors():
            return [
                str(
                    _(
                        "An editor other than the author must approve it (you wrote or changed "
                        "content of it that no other editor has approved yet)."
                    )
                )
            ]
        return []

    # Four-eyes review ------------------------------------------------------------------------

    @classmethod
    def content_fields(cls) -> list[str]:
        """Attnames of the fields whose change needs review: every editable field but the
        workflow's own and the working notes (visibility and field visibility included)."""
        return [
            field.attname
            for field in cls._meta.concrete_fields
            if field.editable
            and field.name not in WORKFLOW_FIELDS
            and field.name not in cls.WORKING_FIELDS
        ]

    @classmethod
    def field_by_attname(cls, attname: str) -> models.Field:
        for field in cls._meta.concrete_fields:
            if field.attname == attname:
                return field
        raise FieldDoesNotExist(attname)

    def content_is_reviewed(self) -> bool:
        """Whether this (stored) record's content has been approved, so changes wait."""
        return self.status in self.REVIEWED_STATUSES

    def content_authors(self) -> set[int]:
        """Users who wrote content of this record since it was last approved (its author too,
        until a first approval): none of them may approve it."""
        attnames = set(self.content_fields())
        authors: set[int] = set()
        approved = False
        for revision in self.history():
            if revision.action in self.APPROVING_ACTIONS:
                authors, approved = set(), True
            elif (
                revision.action not in ("proposed", "restricted")
                and revision.user_id
                and attnames & set(revision.changes)
            ):
                authors.add(revision.user_id)
        if not approved and self.created_by_id:
            authors.add(self.created_by_id)
        return authors

    def pending_change(self) -> PendingChange | None:
        if self.pk is None:
            return None
        return PendingChange.objects.filter(
            content_type=ContentType.objects.get_for_model(self),
            object_id=str(self.pk),
            state=PendingChange.State.PENDING,
        ).first()

    def approval_authors(self) -> set[int]:
        """Everyone whose unapproved work a review move of this record approves (an incident
        adds its participants': they follow its review)."""
        return self.content_authors()

    def dependent_records(self) -> list["DocumentedRecord"]:
        """Records reviewed with this one (an incident's participants)."""
        return []

    def pending_changes(self) -> list[PendingChange]:
        """This record's pending change and those of the records reviewed with it, in that
        order (one query: a staff page asks for them once per move it offers)."""
        keys = [
            (ContentType.objects.get_for_model(record).pk, str(record.pk))
            for record in [self, *self.dependent_records()]
            if record.pk is not None
        ]
        wanted = models.Q()
        for content_type, object_id in keys:
            wanted |= models.Q(content_type=content_type, object_id=object_id)
        if not keys:
            return []
        found = {
            (change.content_type_id, change.object_id): change
            for change in PendingChange.objects.filter(wanted, state=PendingChange.State.PENDING)
        }
        return [found[key] for key in keys if key in found]

    def with_pending_values(self) -> "DocumentedRecord":
        """This record with its pending change applied in memory (what an edit form starts
        from, so that a second edit builds on the first rather than undoing it)."""
        change = self.pending_change()
        if change is not None:
            for attname, value in change.values.items():
                setattr(self, attname, self.field_by_attname(attname).to_python(value))
        return self

    @staticmethod
    def only_restricts(before: dict[str, Any], after: dict[str, Any], changed: set[str]) -> bool:
        """Whether a change only hides more (record or field visibility raised): applying it at
        once can expose nothing."""
        if not changed or not changed <= {"visibility", "field_visibility"}:
            return False
        rank = VISIBILITY_ORDER.index
        if rank(after["visibility"]) < rank(before["visibility"]):
            return False
        old, new = before["field_visibility"] or {}, after["field_visibility"] or {}
        return all(
            rank(new.get(name, Visibility.PUBLIC)) >= rank(old.get(name, Visibility.PUBLIC))
            for name in set(old) | set(new)
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            field.attname: stored_value(getattr(self, field.attname))
            for field in self._meta.concrete_fields
            if field.name not in {"updated_at", "created_at"}
        }

    def save_with_history(self, user: Any, action: str = "", note: str = "") -> Revision | None:
        """Save and record the changed fields (every field, for a new record).

        A change of content of a record whose content was approved is held instead: it becomes
        (or joins) the record's pending change, the live row keeps the approved content, and
        this instance is reloaded from it. Only an editor's change that hides more (visibility
        raised) is applied at once: an editor may withdraw a record alone, so may hide part.
        """
        if not self._state.adding:
            stored = type(self).objects.get(pk=self.pk)
            before, after = stored.snapshot(), self.snapshot()
            changed = {key for key in self.content_fields() if before.get(key) != after.get(key)}
            if changed and stored.content_is_reviewed():
                from civwatch.accounts.models import has_role

                if self.only_restricts(before, after, changed) and has_role(user, "editor"):
                    return self.write_with_history(user, action="restricted", note=note)
                return self._propose(user, before, after, changed, note)
        revision = self.write_with_history(user, action, note)
        if revision.action == "created":
            self.after_creation(user)
        return revision

    def after_creation(self, user: Any) -> None:
        """Hook: what a newly recorded record implies (an addition to a reviewed record)."""

    def _propose(
        self, user: Any, before: dict[str, Any], after: dict[str, Any], changed: set[str],
        note: str,
    ) -> Revision | None:  # fmt: skip
        with transaction.atomic():
            change = self.pending_change() or PendingChange(
                content_type=ContentType.objects.get_for_model(self), object_id=str(self.pk)
            )
            before, after = as_json(before), as_json(after)
            proposed_before = {**before, **change.values}
            values = {key: after[key] for key in changed}
            steps = {
                key: [proposed_before.get(key), after.get(key)]
                for key in self.content_fields()
                if proposed_before.get(key) != after.get(key)
            }
            # Working fields (internal notes) are written at once, never held.
            working = [
                f.name for f in self._meta.concrete_fields
                if f.name in self.WORKING_FIELDS and before.get(f.attname) != after.get(f.attname)
            ]  # fmt: skip
            if working:
                working_changes = {n: [before.get(n), after.get(n)] for n in working}
                # Only these columns are written: the held content stays as approved.
                self.save(update_fields=[*working, "updated_at"])
                self._revision(user, "changed", working_changes, note)
            if not steps:  # the same as what is already proposed
                self.refresh_from_db()
                self.proposed_change = change if change.pk else None
                return None
            change.values = values
            change.save()
            if user is not None:
                change.authors.add(user)
            label = f"pending change #{change.pk}" + (f": {note}" if note else "")
            revision = self._revision(user, "proposed", steps, label)
            if not values:  # edited back to the approved content: nothing left to review
                change.close(PendingChange.State.WITHDRAWN, user, "edited back")
        self.refresh_from_db()
        self.proposed_change = change
        return revision

    def write_with_history(self, user: Any, action: str = "", note: str = "") -> Revision:
        """Save unconditionally and record the changed fields: the workflow's own write (moves,
        approved changes); everything else goes through save_with_history."""
        before = {} if self._state.adding else type(self).objects.get(pk=self.pk).snapshot()
        action = action or ("created" if self._state.adding else "changed")
        self.save()
        after = self.snapshot()
        changes = {
            key: [before.get(key), value]
            for key, value in after.items()
            if before.get(key) != value
        }
        return self._revision(user, action, changes, note)

    def _revision(self, user: Any, action: str, changes: dict, note: str) -> Revision:
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

    @classmethod
    def histories(cls, records: list["DocumentedRecord"]) -> dict[Any, list[Revision]]:
        """Each record's history (as `history()`), for records of this model in one query:
        a page listing records with their histories asks once, not once per record."""
        found: dict[Any, list[Revision]] = {record.pk: [] for record in records}
        revisions = Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(cls),
            object_id__in=[str(pk) for pk in found],
        ).select_related("user")
        by_id = {str(pk): pk for pk in found}
        for revision in revisions:
            found[by_id[revision.object_id]].append(revision)
        return found
