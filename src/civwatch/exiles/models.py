"""Files of people forced abroad by persecution, and the support they get (docs/exiles.md).

The most dangerous data the organisation holds: a leaked list shows who fled, where to and who
helped. Everything that names or locates a person, or says what they need or received in
words, is stored twice encrypted: under the file's own data key (`keystore`, outside the
database, destroyed on erasure) and, around that, in the master-key envelope of
`core.crypto`'s encrypted columns (bound to table, column and row like every confidential
value). The code reads plain attributes (`file.name`); the `*_sealed` columns hold the
ciphertext. Who may read a file is decided by `accounts.permissions` (need-to-know section).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civwatch.core.crypto import EncryptedTextField
from civwatch.exiles import keystore

ISO_COUNTRY = RegexValidator(r"^[A-Z]{2}$", _("Use the two-letter ISO 3166 code, e.g. GE."))
ISO_CURRENCY = RegexValidator(r"^[A-Z]{3}$", _("Use the three-letter ISO 4217 code, e.g. EUR."))


class Shredded(property):
    """The property type of values stored under a file's key; knows its column."""

    column = ""


def shredded(column: str, label: str) -> Shredded:
    """A plain attribute over `column`, encrypted under the file's own key.

    A `property`, so that Django accepts it as a constructor keyword (set after the fields,
    hence after the file a support action belongs to)."""
    cache_key = f"_plain_{column}"

    def what(instance: models.Model) -> str:
        return f"{instance._meta.label}.{column}"

    def get(instance: models.Model) -> str:
        if cache_key not in instance.__dict__:
            token = getattr(instance, column)
            plain = (
                keystore.unseal(instance.key_ref_for_data(), token, what(instance)) if token else ""
            )
            instance.__dict__[cache_key] = plain
        return instance.__dict__[cache_key]

    def put(instance: models.Model, value: Any) -> None:
        value = "" if value is None else str(value)
        key_ref = instance.key_ref_for_data(create=True)
        setattr(instance, column, keystore.seal(key_ref, value, what(instance)) if value else "")
        instance.__dict__[cache_key] = value

    attribute = Shredded(get, put, doc=str(label))
    attribute.column = column
    return attribute


def is_public_entity(pk: Any) -> bool:
    """Whether a person is on a public list (a register or a sanctions list)."""
    from civwatch.entities.models import Entity

    listed = Entity.objects.listed().values("pk")
    public = Entity.objects.filter(models.Q(pk__in=listed) | models.Q(list_entries__isnull=False))
    return public.filter(pk=pk, confidential=False).exists()


class StayStatus(models.TextChoices):
    VISA = "visa", _("visa")
    RESIDENCE_PERMIT = "residence_permit", _("residence permit")
    ASYLUM_APPLICATION = "asylum_application", _("asylum application")
    UNDOCUMENTED = "undocumented", _("undocumented")


class FileState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class ExileFileQuerySet(models.QuerySet):
    def due_for_erasure(self, today: datetime.date | None = None) -> ExileFileQuerySet:
        today = today or timezone.localdate()
        return self.filter(
            state=FileState.CLOSED, legal_hold=False, erase_after__isnull=False,
            erase_after__lte=today,
        )  # fmt: skip

    def overdue(self, today: datetime.date | None = None) -> ExileFileQuerySet:
        today = today or timezone.localdate()
        return self.filter(state=FileState.OPEN, review_on__isnull=False, review_on__lt=today)


class ExileFile(models.Model):
    """A person forced abroad. Confidential as a whole: read on need-to-know only."""

    # Names the file's data key in the key store; random, so it reveals nothing.
    key_ref = models.CharField(
        max_length=32, unique=True, editable=False, default=keystore.new_key_ref
    )
    name_sealed = EncryptedTextField(_("name"), blank=True, editable=False)
    contact_sealed = EncryptedTextField(_("contact"), blank=True, editable=False)
    city_sealed = EncryptedTextField(_("city"), blank=True, editable=False)
    needs_sealed = EncryptedTextField(_("needs"), blank=True, editable=False)
    notes_sealed = EncryptedTextField(_("notes"), blank=True, editable=False)
    name = shredded("name_sealed", _("name"))
    contact = shredded("contact_sealed", _("contact"))
    city = shredded("city_sealed", _("city"))
    needs = shredded("needs_sealed", _("needs"))
    notes = shredded("notes_sealed", _("notes"))

    # Only a public person (from a register or a list): a link to a case-only entity would
    # tie the file to confidential case records by id.
    entity = models.ForeignKey(
        "entities.Entity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("public entity"),
    )  # fmt: skip
    cases = models.ManyToManyField(
        "cases.Case", blank=True, related_name="+", verbose_name=_("cases")
    )
    incidents = models.ManyToManyField(
        "cases.Incident", blank=True, related_name="+", verbose_name=_("incidents")
    )
    # Plain: the public statistics count people per country, and a country names nobody.
    country = models.CharField(_("country of residence"), max_length=2, validators=[ISO_COUNTRY])
    stay_status = models.CharField(_("status of stay"), max_length=20, choices=StayStatus.choices)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=FileState.choices, default=FileState.OPEN
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    erase_after = models.DateField(_("erase after"), null=True, blank=True, editable=False)
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="exile_files",
        verbose_name=_("caseworkers"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ExileFileQuerySet.as_manager()
    # The attributes stored under the file's key (tests mark each one).
    SHREDDED = ("name", "contact", "city", "needs", "notes")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("exile file")

    def __str__(self) -> str:
        return f"exile file #{self.pk}"  # never the name: str() reaches logs and admin lists

    def key_ref_for_data(self, create: bool = False) -> str:
        if create and not keystore.exists(self.key_ref):
            if not self._state.adding and self.pk is not None:
                raise keystore.KeyErased("this exile file was erased: its key no longer exists.")
            keystore.create(self.key_ref)
        return self.key_ref

    def is_erased(self) -> bool:
        return not keystore.exists(self.key_ref)

    def clean(self) -> None:
        if self.entity_id and not is_public_entity(self.entity_id):
            raise ValidationError({"entity": _("Only a person on a public list may be linked.")})

    def close(self, on: datetime.date | None = None) -> None:
        """Close the file: its erasure falls due after the retention period."""
        self.state = FileState.CLOSED
        self.closed_on = on or timezone.localdate()
        days = settings.CIVWATCH_EXILE_RETENTION_DAYS
        self.erase_after = self.closed_on + datetime.timedelta(days=days)

    def reopen(self) -> None:
        self.state, self.closed_on, self.erase_after = FileState.OPEN, None, None


class FileChild(models.Model):
    """Part of a file: encrypted under the file's key, erased with it."""

    file = models.ForeignKey(ExileFile, on_delete=models.CASCADE, related_name="%(class)ss")

    class Meta:
        abstract = True

    def key_ref_for_data(self, create: bool = False) -> str:
        # A part never creates its file's key: the file does, when it is made.
        if not keystore.exists(self.file.key_ref):
            raise keystore.KeyErased("this exile file was erased: its key no longer exists.")
        return self.file.key_ref


class SupportKind(models.TextChoices):
    LEGAL_AID = "legal_aid", _("legal aid")
    RELOCATION = "relocation", _("relocation")
    VISA_LETTER = "visa_letter", _("visa or residence letter")
    GRANT = "grant", _("grant")
    PSYCHOLOGICAL = "psychological", _("psychological help")
    SECURITY_AUDIT = "security_audit", _("security audit")
    OTHER = "other", _("other")


class SupportAction(FileChild):
    kind = models.CharField(_("kind"), max_length=20, choices=SupportKind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    currency = models.CharField(_("currency"), max_length=3, blank=True, validators=[ISO_CURRENCY])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("decided by"),
    )  # fmt: skip
    decided_on = models.DateField(_("decided on"))
    provided_on = models.DateField(_("provided on"), null=True, blank=True)
    description_sealed = EncryptedTextField(blank=True, editable=False)
    outcome_sealed = EncryptedTextField(blank=True, editable=False)
    description = shredded("description_sealed", _("description"))
    outcome = shredded("outcome_sealed", _("outcome"))
    SHREDDED = ("description", "outcome")

    class Meta:
        ordering = ["decided_on", "pk"]

    def __str__(self) -> str:
        return f"support action #{self.pk}"

    def clean(self) -> None:
        if self.amount is not None and not self.currency:
            raise ValidationError({"currency": _("Give the currency of the amount.")})
        if self.currency and self.amount is None:
            raise ValidationError({"amount": _("A currency needs an amount.")})


class ConsentPurpose(models.TextChoices):
    SUPPORT = "support", _("providing support")
    DOCUMENTATION = "documentation", _("documenting the persecution")
    REFERRAL = "referral", _("referral to partner organisations")
    STATISTICS = "statistics", _("anonymous statistics")


class ConsentMethod(models.TextChoices):
    SIGNED = "signed", _("signed form")
    EMAIL = "email", _("e-mail")
    MESSENGER = "messenger", _("secure messenger")
    ORAL = "oral", _("orally, noted by the caseworker")


class Consent(FileChild):
    # Which purposes, as codes (a vocabulary), kept under the file's key with the wording.
    purposes_sealed = EncryptedTextField(blank=True, editable=False)
    scope_sealed = EncryptedTextField(blank=True, editable=False)
    scope = shredded("scope_sealed", _("what the person agreed to"))
    purposes_text = shredded("purposes_sealed", _("purposes"))
    SHREDDED = ("scope", "purposes_text")
    method = models.CharField(_("how given"), max_length=20, choices=ConsentMethod.choices)
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["given_on", "pk"]

    def __str__(self) -> str:
        return f"consent #{self.pk}"

    @property
    def purposes(self) -> list[str]:
        return [p for p in self.purposes_text.split(",") if p]

    @purposes.setter
    def purposes(self, values: list[str]) -> None:
        known = set(ConsentPurpose.values)
        unknown = [v for v in values if v not in known]
        if unknown:
            raise ValueError(f"unknown consent purposes: {unknown}")
        self.purposes_text = ",".join(values)

    def purpose_labels(self) -> list[str]:
        # An unknown code (written before a purpose was retired) is shown as it is stored.
        known = dict(ConsentPurpose.choices)
        return [str(known.get(p, p)) for p in self.purposes]

    def is_current(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.expires_on is None or self.expires_on >= today


class Channel(models.TextChoices):
    SIGNAL = "signal", _("secure messenger")
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    OTHER = "other", _("other")


class RequestState(models.TextChoices):
    NEW = "new", _("new")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")


class HelpRequest(models.Model):
    """A request to the helpline: acknowledged, assigned, answered; escalated while unanswered
    (thresholds in settings). Its texts are under a key of its own, like a file's."""

    key_ref = models.CharField(
        max_length=32, unique=True, editable=False, default=keystore.new_key_ref
    )
    summary_sealed = EncryptedTextField(blank=True, editable=False)
    contact_sealed = EncryptedTextField(blank=True, editable=False)
    summary = shredded("summary_sealed", _("request"))
    contact = shredded("contact_sealed", _("contact"))
    SHREDDED = ("summary", "contact")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=15, choices=RequestState.choices, default=RequestState.NEW
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The highest escalation level staff were alerted of (`civwatch exiles alert`): each level
    # is announced once.
    alerted_level = models.PositiveSmallIntegerField(default=0, editable=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="help_requests", verbose_name=_("caseworker"),
    )  # fmt: skip
    file = models.ForeignKey(
        ExileFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"help request #{self.pk}"

    key_ref_for_data = ExileFile.key_ref_for_data
    is_erased = ExileFile.is_erased

    def minutes_waiting(self, now: datetime.datetime | None = None) -> int:
        end = self.answered_at or now or timezone.now()
        return int((end - self.received_at).total_seconds() // 60)

    def acknowledgement_late(self, now: datetime.datetime | None = None) -> bool:
        """Not acknowledged within CIVWATCH_HELPLINE_ACK_MINUTES of its receipt."""
        limit = datetime.timedelta(minutes=settings.CIVWATCH_HELPLINE_ACK_MINUTES)
        acknowledged = self.acknowledged_at or now or timezone.now()
        return acknowledged - self.received_at > limit

    def escalation(self, now: datetime.datetime | None = None) -> int:
        """0, 1 or 2: unanswered beyond the first or the second threshold (minutes)."""
        if self.state in (RequestState.ANSWERED, RequestState.CLOSED):
            return 0
        waited = self.minutes_waiting(now)
        thresholds = (
            settings.CIVWATCH_HELPLINE_ESCALATE_MINUTES,
            settings.CIVWATCH_HELPLINE_ESCALATE_AGAIN_MINUTES,
        )
        return sum(1 for limit in thresholds if waited >= limit)
