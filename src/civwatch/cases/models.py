"""Cases, incidents, the people and organisations in them, and officials' positions."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from civwatch.core.crypto import EncryptedCharField, EncryptedTextField
from civwatch.core.records import CHANGE_APPROVED, DocumentedRecord, PendingChange, ReviewStatus
from civwatch.entities.models import Entity


class DatePrecision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


def format_date(value, precision: str) -> str:
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{value:%Y-%m}"
    return value.isoformat()


class IncidentType(models.Model):
    """The controlled vocabulary of incident types: data, so admins can extend it."""

    code = models.SlugField(max_length=64, unique=True)
    label_en = models.CharField(_("English label"), max_length=200)
    label_ru = models.CharField(_("Russian label"), max_length=200)

    class Meta:
        verbose_name = _("incident type")
        verbose_name_plural = _("incident types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_ru if (get_language() or "").startswith("ru") else self.label_en


class Case(DocumentedRecord):
    class Kind(models.TextChoices):
        CRIMINAL = "criminal", _("criminal")
        ADMINISTRATIVE = "administrative", _("administrative")
        CIVIL = "civil", _("civil")
        REGISTRY = "registry", _("registry")

    PUBLIC_FIELDS = (
        "title", "kind", "article", "court", "case_status", "opened_on", "closed_on", "summary"
    )  # fmt: skip

    title = EncryptedCharField(_("title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    article = EncryptedCharField(_("article of the code"), max_length=200, blank=True)
    court = EncryptedCharField(_("court"), max_length=300, blank=True)
    case_status = EncryptedCharField(_("status of the case"), max_length=200, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    summary = EncryptedTextField(_("summary"), blank=True)
    # Staff an editor entrusted with the case: they read and work on it and its incidents
    # whatever their role clears them for (civwatch.accounts.permissions).
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_cases",
        verbose_name=_("assigned to"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:case", args=[self.pk])


class Incident(DocumentedRecord):
    PUBLIC_FIELDS = (
        "incident_type", "title", "description", "date", "date_precision", "place",
        "people_count", "source_name", "source_licence", "case",
    )  # fmt: skip

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents",
        verbose_name=_("case"),
    )  # fmt: skip
    incident_type = models.ForeignKey(
        IncidentType, on_delete=models.PROTECT, verbose_name=_("type")
    )
    title = EncryptedCharField(_("title"), max_length=500)
    description = EncryptedTextField(_("description"), blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    place = EncryptedCharField(_("place"), max_length=500, blank=True)
    people_count = models.PositiveIntegerField(
        _("number of people affected"), null=True, blank=True
    )
    source_name = EncryptedCharField(_("source"), max_length=300, blank=True)
    source_licence = EncryptedCharField(_("licence of the source"), max_length=300, blank=True)
    # Set by importers so that importing the same file twice changes nothing.
    external_id = models.CharField(max_length=100, blank=True, db_index=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-date", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:incident", args=[self.pk])

    @property
    def date_display(self) -> str:
        return format_date(self.date, self.date_precision)

    def after_review_move(self, user, status: str) -> None:
        """Participants are reviewed with their incident: they follow its status (one whose
        addition was rejected stays withdrawn), and additions waiting for review are approved
        by the move (its editor passed the check against their authors)."""
        followers = self.participants.exclude(status=status)
        if status != ReviewStatus.WITHDRAWN:
            followers = followers.exclude(status=ReviewStatus.WITHDRAWN)
        for participant in followers:
            participant.status = status
            participant.write_with_history(user, action=status, note=f"with incident #{self.pk}")
            change = participant.pending_change()
            if change is not None and change.kind == PendingChange.Kind.ADDITION:
                change.close(PendingChange.State.APPROVED, user, f"with incident #{self.pk}")

    def dependent_records(self) -> list[DocumentedRecord]:
        return list(self.participants.all())

    def approval_authors(self) -> set[int]:
        """The incident's own authors and those of participants not yet reviewed with it."""
        authors = super().approval_authors()
        for participant in self.participants.all():
            if not participant.content_is_reviewed():
                authors |= participant.content_authors()
        return authors


class Participant(DocumentedRecord):
    class Role(models.TextChoices):
        VICTIM = "victim", _("victim")
        DEFENDANT = "defendant", _("defendant")
        WITNESS = "witness", _("witness")
        LAWYER = "lawyer", _("lawyer")
        JUDGE = "judge", _("judge")
        PROSECUTOR = "prosecutor", _("prosecutor")
        INVESTIGATOR = "investigator", _("investigator")
        POLICE_OFFICER = "police_officer", _("police officer")
        OFFICIAL = "official", _("official")
        ATTACKER = "attacker", _("attacker")
        ORGANISER = "organiser", _("organiser")

    class Involvement(models.TextChoices):
        ORDERED = "ordered", _("ordered")
        COMMITTED = "committed", _("committed")
        COMPLICIT = "complicit", _("complicit")
        SUPERIOR = "superior", _("responsible as superior")

    PUBLIC_FIELDS = ("entity", "role", "involvement")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="participants")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    involvement = models.CharField(
        _("degree of involvement"), max_length=16, choices=Involvement.choices, blank=True
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.entity} ({self.get_role_display()})"

    def after_creation(self, user) -> None:
        """Added to an incident whose content was approved: it waits for review (a draft,
        off public output) until an editor other than its author approves the addition."""
        if self.incident.content_is_reviewed() and not self.content_is_reviewed():
            change = PendingChange.objects.create(
                content_type=ContentType.objects.get_for_model(self),
                object_id=str(self.pk),
                kind=PendingChange.Kind.ADDITION,
            )
            change.authors.add(user)

    def approve_addition(self, user) -> None:
        """It joins its incident's review status (the incident is already reviewed)."""
        self.status = self.incident.status
        self.approved_by = user
        self.write_with_history(user, action=CHANGE_APPROVED, note=f"added to #{self.incident_id}")


class Position(DocumentedRecord):
    """A post an official held, in an agency or unit, over a period."""

    PUBLIC_FIELDS = ("entity", "post", "agency", "started_on", "ended_on", "date_precision")

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    post = EncryptedCharField(_("post"), max_length=300)
    agency = EncryptedCharField(_("agency or unit"), max_length=300)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("to"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["entity", "started_on"]

    def __str__(self) -> str:
        return f"{self.entity}: {self.post}, {self.agency}"
