"""State registers, the snapshots we took of them, and what changed between snapshots."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from civwatch.entities.models import Entity
from civwatch.registers.wording import FieldWords, describe


class RegisterSlug(models.TextChoices):
    """The registers civwatch can read; their names, prefixes and legal bases are data
    (reference.json), their file formats are in `sources.FORMATS` and `rfm.py`."""

    FOREIGN_AGENTS = "foreign-agents", "foreign agents"
    UNDESIRABLE = "undesirable", "undesirable organisations"
    RFM = "rfm", 'Rosfinmonitoring\'s list of "terrorists and extremists"'


# Registers whose rows carry no number of the authority's own: civwatch's row id is a digest
# of the name and birth date (registers/rfm.py), not something to show as "#number".
UNNUMBERED_REGISTERS = {RegisterSlug.RFM}


class Register(models.Model):
    slug = models.SlugField(primary_key=True)
    name_ru = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    entity_prefix = models.CharField(max_length=8, unique=True)
    # What a reader must know before reading a listing as a fact about the person (shown
    # on public pages beside each designation in this register); data, like the names.
    caveat_ru = models.TextField(blank=True)
    caveat_en = models.TextField(blank=True)
    # Who publishes the register and where (data too): pages name them as the source of
    # what they show and link to the official page.
    publisher_ru = models.CharField(max_length=300, blank=True)
    publisher_en = models.CharField(max_length=300, blank=True)
    source_url = models.URLField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("register")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ru if get_language() == "ru" else self.name_en

    @property
    def caveat(self) -> str:
        return self.caveat_ru if get_language() == "ru" else self.caveat_en

    @property
    def publisher(self) -> str:
        return self.publisher_ru if get_language() == "ru" else self.publisher_en

    @property
    def numbers_rows(self) -> bool:
        """Whether the register numbers its own rows (shown as "#number")."""
        return self.slug not in UNNUMBERED_REGISTERS


class LegalBasis(models.Model):
    """An article of a law under which the state designates someone; the list is data."""

    code = models.CharField(max_length=32, primary_key=True)
    law_number = models.CharField(max_length=32)
    article = models.CharField(max_length=16)
    label_ru = models.CharField(max_length=500)
    label_en = models.CharField(max_length=500)
    short_ru = models.CharField(max_length=200)
    short_en = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["law_number", "article"], name="unique_law_article")
        ]

    def __str__(self) -> str:
        return self.short

    @property
    def label(self) -> str:
        return self.label_ru if get_language() == "ru" else self.label_en

    @property
    def short(self) -> str:
        return self.short_ru if get_language() == "ru" else self.short_en


class Snapshot(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        SKIPPED = "skipped", _("skipped as suspect")

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="snapshots")
    as_of = models.DateField(_("as of"))
    file_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField()
    columns = models.JSONField(default=list, help_text="Fields this snapshot observed.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPLIED)
    report = models.JSONField(default=dict, help_text="Cleaning done and suspicions raised.")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("snapshot")
        ordering = ["register", "as_of", "file_name"]
        constraints = [
            models.UniqueConstraint(fields=["register", "sha256"], name="unique_snapshot_file")
        ]

    def __str__(self) -> str:
        return f"{self.register_id} {self.as_of:%Y-%m-%d} ({self.file_name})"

    def get_absolute_url(self) -> str:
        return reverse("registers:snapshot", args=[self.pk])


class Designation(models.Model):
    """One row of a register: an entity listed under a legal basis, possibly removed later."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        REMOVED = "removed", _("removed")

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="designations")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="designations")
    row_id = models.CharField(_("row"), max_length=32)
    legal_basis = models.ForeignKey(
        LegalBasis, on_delete=models.PROTECT, null=True, related_name="designations"
    )
    listed_on = models.DateField(_("listed on"), null=True)
    published_on = models.DateField(_("published on"), null=True)
    removed_on = models.DateField(_("removed on"), null=True)
    in_register = models.BooleanField(
        default=True, help_text="False once the row vanished from the published table."
    )
    status = models.CharField(max_length=8, choices=Status.choices, db_index=True)
    record = models.JSONField(help_text="The row as last observed, cleaned.")
    first_seen = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")
    last_seen = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")
    snapshots = models.ManyToManyField(Snapshot, related_name="designations", blank=True)

    class Meta:
        verbose_name = _("designation")
        ordering = ["register", "listed_on", "id"]
        indexes = [models.Index(fields=["register", "row_id"])]

    def __str__(self) -> str:
        return f"{self.register_id} #{self.row_id}"

    @property
    def number(self) -> str:
        """The register's own number of the row ("" when the register has none)."""
        return "" if self.register_id in UNNUMBERED_REGISTERS else self.row_id

    def refresh_status(self) -> None:
        removed = self.removed_on is not None or not self.in_register
        self.status = self.Status.REMOVED if removed else self.Status.ACTIVE


class Change(models.Model):
    class Kind(models.TextChoices):
        ADDED = "added", _("added")
        REMOVED = "removed", _("removed")
        MODIFIED = "modified", _("modified")
        REINSTATED = "reinstated", _("reinstated")

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="changes")
    designation = models.ForeignKey(Designation, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=Kind.choices, db_index=True)
    row_id = models.CharField(max_length=32)
    fields = models.JSONField(help_text='{"field": [before, after]}')

    class Meta:
        verbose_name = _("change")
        ordering = ["snapshot__as_of", "snapshot__file_name", "id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.row_id} in {self.snapshot}"

    def described(self) -> "list[FieldWords]":
        """Each changed field in words for people (registers.wording): the one description
        of a change that pages, feed and timeline show."""
        return describe(self.fields)


class Fetch(models.Model):
    """One attempt of `civwatch watch` to fetch a register from its configured address.

    What was asked and answered (conditional GET validators, HTTP status), the raw body kept
    as a snapshot file with its sha256, and what became of it: applied through the importer,
    held for a person's decision when suspect, or failed with a reason (docs/registers.md)."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        NOT_MODIFIED = "not-modified", _("not modified")
        UNCHANGED = "unchanged", _("unchanged")
        HELD = "held", _("held: suspect, waiting for a decision")
        WAITING = "waiting", _("waiting behind a held snapshot")
        SKIPPED = "skipped", _("skipped by decision")
        FAILED = "failed", _("failed")

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="fetches")
    url = models.CharField(max_length=2000, help_text="The address asked, without credentials.")
    fetched_at = models.DateTimeField(_("fetched at"), db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, db_index=True)
    reason = models.TextField(blank=True, help_text="Why it failed or is held, for people.")
    report = models.TextField(blank=True, help_text="What applying it did.")
    http_status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=200, blank=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True)
    sha256 = models.CharField(max_length=64, blank=True)
    file = models.CharField(
        max_length=500, blank=True, help_text="The raw body, relative to MEDIA_ROOT."
    )
    snapshot = models.ForeignKey(
        Snapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="fetches"
    )
    decision = models.CharField(max_length=16, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("register fetch")
        verbose_name_plural = _("register fetches")
        ordering = ["-fetched_at", "-id"]

    def __str__(self) -> str:
        return f"{self.register_id} fetch of {self.fetched_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def file_name(self) -> str:
        return self.file.rsplit("/", 1)[-1]
