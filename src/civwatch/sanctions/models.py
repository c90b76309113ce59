"""Official sanctions lists and external lists as datasets, their versions, entries and the
links that cross-reference persons across datasets.

Every entry points at its own `entities.Entity`; those entities are not in a register, so the
registers' public pages do not show them (`Entity.objects.listed()`); screening searches
them under their dataset (civwatch.screening.lists). What is
public here: datasets, versions, entries and their changes (all public data), and confirmed
links between two public datasets. Proposed and rejected links are internal.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civwatch.core.crypto import EncryptedCharField, EncryptedJSONField
from civwatch.entities.models import Entity
from civwatch.registers.wording import FieldWords
from civwatch.sanctions.wording import describe

JURISDICTIONS = ("us", "uk", "eu", "ca")
# Sides of cross-referencing that are not datasets: persons listed in a state register, and
# officials documented in case records (internal: their links are never public).
REGISTERS, CASES = "registers", "cases"


class Jurisdiction(models.TextChoices):
    US = "us", _("United States")
    UK = "uk", _("United Kingdom")
    EU = "eu", _("European Union")
    CA = "ca", _("Canada")


class Dataset(models.Model):
    class Kind(models.TextChoices):
        OFFICIAL = "official", _("official sanctions list")
        EXTERNAL = "external", _("external list")

    slug = models.SlugField(primary_key=True, max_length=64)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    source_url = models.URLField(_("source"), max_length=1000, blank=True)
    licence = models.CharField(_("licence"), max_length=300, blank=True)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=2, choices=Jurisdiction.choices, blank=True
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)

    class Meta:
        verbose_name = _("dataset")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sanctions:dataset", args=[self.slug])

    @property
    def latest_version(self) -> "DatasetVersion | None":
        return self.versions.order_by(*DatasetVersion.LATEST_FIRST).first()


class DatasetVersion(models.Model):
    """One import of a dataset: the files it came from and what it changed."""

    # Which version is a dataset's latest: the last imported (two imports in the same
    # microsecond are told apart by their ids). Every query for "the latest" orders by this.
    LATEST_FIRST = ("-imported_at", "-pk")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    source_date = models.DateField(_("source date"), null=True, blank=True)
    files = models.JSONField(_("files"), default=dict, help_text="file name -> sha256")
    fingerprint = models.CharField(max_length=64, help_text="sha256 over the files' sha256s")
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    added = models.PositiveIntegerField(_("added"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    removed = models.PositiveIntegerField(_("removed"), default=0)
    notes = models.JSONField(default=list, help_text="What the importer repaired or skipped.")

    class Meta:
        verbose_name = _("dataset version")
        ordering = ["dataset", "-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "fingerprint"], name="unique_dataset_fingerprint"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.source_date or self.imported_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("sanctions:version", args=[self.pk])


class ListEntry(models.Model):
    """A row of a dataset: one person, organisation or vessel as the list describes it.

    `record` holds the normalised content (names, birth dates, documents...) that change
    detection compares between versions and cross-referencing reads.
    """

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="entries")
    source_id = models.CharField(_("source id"), max_length=128)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="list_entries")
    schema = models.CharField(max_length=32, default="Person")
    name = models.CharField(_("name"), max_length=1000, help_text="As the dataset gives it.")
    programmes = models.JSONField(_("programmes"), default=list)
    listed_since = models.DateField(_("listed since"), null=True, blank=True)
    tags = models.JSONField(_("tags"), default=list)
    description = models.TextField(_("description or role"), blank=True)
    record = models.JSONField(default=dict)
    present = models.BooleanField(_("in the latest version"), default=True)
    first_version = models.ForeignKey(
        DatasetVersion, on_delete=models.PROTECT, related_name="+", null=True
    )
    last_version = models.ForeignKey(
        DatasetVersion, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        ordering = ["dataset", "name"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "source_id"], name="unique_entry_source_id")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sanctions:entry", args=[self.dataset_id, self.source_id])


class EntryChange(models.Model):
    """What one re-import changed in one entry: `fields` maps a field to [before, after]."""

    class Kind(models.TextChoices):
        ADDED = "added", _("added")
        CHANGED = "changed", _("changed")
        REMOVED = "removed", _("removed")
        REINSTATED = "reinstated", _("reinstated")

    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="changes")
    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    fields = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("entry change")
        ordering = ["version", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.entry}"

    def described(self) -> list[FieldWords]:
        """Each changed field in words for people (sanctions.wording), never by its key."""
        return describe(self.fields)

    def field_labels(self) -> str:
        """The changed fields' labels in one line ("birth dates, programmes")."""
        return ", ".join(words.label for words in self.described())


class BirthDates(models.TextChoices):
    """How the two sides' birth dates compare (civwatch.sanctions.xref.birth_date_agreement;
    a conflict never becomes a link). Labels are words for the staff pages."""

    FULL = "full", _("birth dates agree")
    PARTIAL = "partial", _("birth dates agree in part")
    UNKNOWN = "unknown", _("no birth date on one side")


class Link(models.Model):
    """A proposed, confirmed or rejected statement that two records are the same person.

    A side is a dataset slug, or one of the pseudo-datasets `registers` (entities listed in a
    state register) and `cases` (documented officials); `*_id` is the record's id there (the
    list's own id, or the entity id) and `*_name` its name as that dataset gives it.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")

    left_dataset = models.CharField(max_length=64)
    left_id = models.CharField(max_length=128)
    # Names and the explanation (which names matched) of a link with a case-only person are
    # as confidential as that person: encrypted (civwatch.core.crypto).
    left_name = EncryptedCharField(max_length=1000, only_if="involves_cases")
    left_entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    right_dataset = models.CharField(max_length=64)
    right_id = models.CharField(max_length=128)
    right_name = EncryptedCharField(max_length=1000, only_if="involves_cases")
    right_entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    explanation = EncryptedJSONField(_("explanation"), default=dict, only_if="involves_cases")
    # The explanation's "tier", in plain text so that the staff page can filter on it (it
    # says how two dates compare, not what they are).
    birth_dates = models.CharField(
        _("birth dates"), max_length=8, choices=BirthDates.choices, blank=True, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("link")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["left_dataset", "left_id", "right_dataset", "right_id"],
                name="unique_link_sides",
            )
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.left_name} = {self.right_name} ({self.status})"

    def involves_cases(self) -> bool:
        return CASES in (self.left_dataset, self.right_dataset)

    @property
    def sides(self) -> tuple[str, str, str, str]:
        return (self.left_dataset, self.left_id, self.right_dataset, self.right_id)

    @property
    def public(self) -> bool:
        """Confirmed links between two public datasets (never a case record) are public."""
        return self.status == self.Status.CONFIRMED and CASES not in {
            self.left_dataset,
            self.right_dataset,
        }

    # Only editors decide links (the views and the API check the role). The public learns that
    # an editor decided, never which staff member: staff identities are never public.
    DECIDER_ROLE = "editor"

    @property
    def decided(self) -> bool:
        return self.status != self.Status.PROPOSED and self.decided_at is not None

    def decision_phrase(self) -> str:
        """ "confirmed by an editor" / "rejected by an editor"; "" while proposed."""
        if not self.decided:
            return ""
        if self.status == self.Status.CONFIRMED:
            return str(_("confirmed by an editor"))
        return str(_("rejected by an editor"))

    def decide(self, user, status: str) -> None:
        """An editor confirms or rejects the link (or returns it to proposed)."""
        if status not in self.Status.values:
            raise ValueError(f"unknown status {status!r}")
        self.status, self.decided_by = status, user
        self.decided_at = timezone.now() if status != self.Status.PROPOSED else None
        self.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])

    def as_json_line(self) -> dict:
        """The `civwatch xref --format jsonl` contract: these keys, in this order."""
        return {
            "left_id": self.left_id,
            "left_dataset": self.left_dataset,
            "left_name": self.left_name,
            "right_id": self.right_id,
            "right_dataset": self.right_dataset,
            "right_name": self.right_name,
            "score": round(self.score, 4),
            "status": self.status,
        }
