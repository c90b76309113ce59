"""Citizens' initiatives: actions proposed by citizens, often anonymously, and their review.

Privacy by construction (docs/initiatives.md): no column holds an address, a user agent or a
time of day. A submission keeps the day it was received (`submitted_on`), never a timestamp;
the submitter is known only by the keyed hash of a receipt code (`receipt_hash`). Everything a
citizen wrote is encrypted at rest; the organisers' contact is confidential (editors and
admins only, each read through the audit hook), the rest is staff-only until an editor
publishes the initiative, and then only its kind, city, date and the support given are public
(the exact address only when the organisers chose to make it public).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civwatch.core.crypto import EncryptedCharField, EncryptedTextField


class Initiative(models.Model):
    class Kind(models.TextChoices):
        PROTEST = "protest", _("protest")
        RALLY = "rally", _("rally")
        GATHERING = "gathering", _("gathering")
        STRIKE = "strike", _("strike")
        PICKET = "picket", _("picket")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        UNDER_REVIEW = "under_review", _("under review")
        SUPPORTED = "supported", _("supported")
        DECLINED = "declined", _("declined")

    class Outcome(models.TextChoices):
        UNKNOWN = "", _("not known yet")
        HELD = "held", _("held")
        BANNED = "banned", _("banned")
        DISPERSED = "dispersed", _("dispersed")
        DETENTIONS = "detentions", _("detentions")

    # What the public sees of a published initiative (and nothing else).
    PUBLIC_FIELDS = ("kind", "city", "date")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    city = models.CharField(_("city"), max_length=200)
    date = models.DateField(_("date of the action"))
    description = EncryptedTextField(_("description"))
    # Only shown publicly when the organisers ticked `address_public`.
    address = EncryptedCharField(_("exact address"), max_length=500, blank=True)
    address_public = models.BooleanField(_("the address may be published"), default=False)
    organisers_contact = EncryptedTextField(_("organisers' contact"), blank=True)
    # HMAC of the receipt code (initiatives.receipts): the code itself is never stored.
    receipt_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The day only: a time of day could be matched against network logs elsewhere.
    submitted_on = models.DateField(_("received on"), editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    decision_reason = EncryptedTextField(_("reason for the decision"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published = models.BooleanField(_("published"), default=False)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, blank=True, default=""
    )
    outcome_note = EncryptedTextField(_("note on the outcome"), blank=True)
    incident = models.ForeignKey(
        "cases.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiatives",
        verbose_name=_("incident documented"),
    )
    # Retention (initiatives.retention): what could lead to the submitter is erased a set time
    # after the decision and the action, unless an editor put the initiative on legal hold.
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    erased_on = models.DateField(_("submitter's traces erased on"), null=True, editable=False)

    class Meta:
        verbose_name = _("citizens' initiative")
        verbose_name_plural = _("citizens' initiatives")
        ordering = ["-submitted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.city}, {self.date:%Y-%m-%d}"

    def is_public(self) -> bool:
        return self.published and self.status == self.Status.SUPPORTED

    def is_decided(self) -> bool:
        """Supported or declined: the decision (its date and reason) is the submitter's to
        read."""
        return self.status in DECIDED


DECIDED = (Initiative.Status.SUPPORTED, Initiative.Status.DECLINED)


class SupportAction(models.Model):
    class Kind(models.TextChoices):
        LEGAL_OBSERVERS = "legal_observers", _("legal observers")
        LAWYERS = "lawyers_on_call", _("lawyers on call")
        FUNDING = "funding", _("funding")
        PUBLICITY = "publicity", _("publicity")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="support_actions"
    )
    kind = models.CharField(_("support"), max_length=32, choices=Kind.choices)
    note = EncryptedTextField(_("internal note"), blank=True)
    decided_on = models.DateField(_("decided on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("support action")
        verbose_name_plural = _("support actions")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Message(models.Model):
    """A question from staff to the submitter, or the submitter's answer (by receipt code)."""

    class Sender(models.TextChoices):
        STAFF = "staff", _("the reviewers")
        SUBMITTER = "submitter", _("the submitter")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=16, choices=Sender.choices)
    text = EncryptedTextField(_("message"))
    sent_on = models.DateField()  # the day only, as for the submission
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.sender} #{self.pk}"


class Attachment(models.Model):
    """An uploaded image or PDF, kept as two evidence items (encrypted files, custody logs:
    civwatch.evidence): the original, untouched, and the working copy without metadata, which
    is what reviewers open."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="attachments")
    # The upload as it came (a confidential evidence item: editors and admins read it).
    original = models.OneToOneField(
        "evidence.EvidenceItem", on_delete=models.PROTECT, related_name="+"
    )
    # The copy without metadata (an internal evidence item derived from the original).
    working = models.OneToOneField(
        "evidence.EvidenceItem", on_delete=models.PROTECT, related_name="+"
    )
    # Codes of the kinds of metadata found in the original (initiatives.sanitise.Found).
    metadata_found = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"attachment #{self.pk}"
