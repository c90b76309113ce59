"""Open letters signed by organisations (docs/letters.md).

A `Letter` has one `LetterVersion` per language. While the letter is a draft its versions may
be written and rewritten; opening it for signing fixes each version's sha256, and from then on
a version's title and text can no longer change, nor can versions be added or removed: an
organisation signs exactly the texts it was shown, and the hash printed on the public page and
on the delivered PDF lets anybody check that.

A `Signature` counts only once verified: by a single-use link e-mailed to an address at the
organisation's own web domain, or by an editor with a note. The signer's name, role and e-mail
address and the editor's note are encrypted at rest and never public; a hidden signature is
counted on the public page but not named; a "not counted" one is neither.
"""

from __future__ import annotations

import datetime
import hashlib
import unicodedata

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civwatch.core.crypto import EncryptedCharField, EncryptedTextField
from civwatch.core.errors import UserError


class LetterError(UserError):
    """A move the letter's workflow does not allow: the message says why."""


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open for signing")
    CLOSED = "closed", _("signing closed")
    DELIVERED = "delivered", _("delivered")


# The public sees every letter past its draft.
PUBLIC_LETTER_STATUSES = (LetterStatus.OPEN, LetterStatus.CLOSED, LetterStatus.DELIVERED)


class Display(models.TextChoices):
    PUBLIC = "public", _("public: named on the letter's page")
    HIDDEN = "hidden", _("hidden: counted, not named")
    NOT_COUNTED = "not_counted", _("not counted")


class VerificationState(models.TextChoices):
    PENDING = "pending", _("awaiting verification")
    VERIFIED = "verified", _("verified")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn by the organisation")


class LinkPurpose(models.TextChoices):
    """What the link mailed to a signer does when its button is pressed."""

    CONFIRM = "confirm", _("confirm the signature")
    WITHDRAW = "withdraw", _("withdraw the signature")


class VerificationMethod(models.TextChoices):
    EMAIL_LINK = "email_link", _("confirmation link to an address at the organisation's domain")
    EDITOR = "editor", _("verified by an editor")


class DeliveryChannel(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    POST = "post", _("by post")
    EMAIL = "email", _("by e-mail")
    ONLINE_FORM = "online_form", _("through an online form")
    OTHER = "other", _("other")


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalised_text(text: str) -> str:
    """The form a version is stored and hashed in: NFC, Unix line ends (a browser sends \\r\\n,
    and the same letter must not get two hashes)."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


class Letter(models.Model):
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    addressees = models.TextField(_("addressees"))
    signing_opens = models.DateField(_("signing opens on"))
    signing_closes = models.DateField(_("signing closes on"))
    delivery_date = models.DateField(_("planned delivery date"))
    status = models.CharField(
        _("status"), max_length=16, choices=LetterStatus.choices, default=LetterStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-signing_opens", "slug"]
        verbose_name = _("open letter")
        verbose_name_plural = _("open letters")

    def __str__(self) -> str:
        return self.slug

    @property
    def text_fixed(self) -> bool:
        return self.status != LetterStatus.DRAFT

    def version(self, language: str | None = None) -> LetterVersion | None:
        """The version in `language`, else the first one written."""
        versions = list(self.versions.all())
        for version in versions:
            if version.language == language:
                return version
        return versions[0] if versions else None

    def accepts_signatures(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.status == LetterStatus.OPEN and self.signing_opens <= day <= self.signing_closes

    def counted(self) -> models.QuerySet:
        """Signatures the letter counts: verified, shown or hidden."""
        return self.signatures.filter(
            state=VerificationState.VERIFIED, display__in=(Display.PUBLIC, Display.HIDDEN)
        )

    def public_signatures(self) -> models.QuerySet:
        return self.counted().filter(display=Display.PUBLIC).order_by("organisation", "pk")

    @transaction.atomic
    def open_signing(self) -> None:
        """Fix every version's hash and open the letter: its texts cannot change after this."""
        if self.status != LetterStatus.DRAFT:
            raise LetterError(_("Signing of this letter has already been opened."))
        versions = list(self.versions.select_for_update())
        if not versions:
            raise LetterError(_("A letter needs at least one language version to be signed."))
        for version in versions:
            version.sha256 = text_digest(version.text)
            version.save(update_fields=["sha256"])
        self.status = LetterStatus.OPEN
        self.save(update_fields=["status", "updated_at"])

    def close_signing(self) -> None:
        if self.status != LetterStatus.OPEN:
            raise LetterError(_("Only a letter open for signing can be closed."))
        self.status = LetterStatus.CLOSED
        self.save(update_fields=["status", "updated_at"])


class LetterVersion(models.Model):
    """The letter in one language. Its hash covers the text as stored (NFC, \\n line ends)."""

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="versions")
    language = models.CharField(_("language code"), max_length=10)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "language"], name="letters_one_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.letter.slug} ({self.language})"

    def save(self, *args, **kwargs) -> None:
        stored = LetterVersion.objects.filter(pk=self.pk).first() if self.pk else None
        if stored is None:
            if Letter.objects.get(pk=self.letter_id).text_fixed:
                raise LetterError(_("Signing has opened: no version can be added any more."))
        elif stored.sha256 and (self.language, self.title, self.text, self.sha256) != (
            stored.language,
            stored.title,
            stored.text,
            stored.sha256,
        ):
            raise LetterError(_("Signing has opened: the text of this version is fixed."))
        if not self.sha256:
            self.text = normalised_text(self.text)
            self.title = self.title.strip()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.sha256 or self.letter.text_fixed:
            raise LetterError(_("Signing has opened: the text of this version is fixed."))
        return super().delete(*args, **kwargs)


class Signature(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="signatures")
    organisation = models.CharField(_("organisation"), max_length=300)
    country = models.CharField(_("country"), max_length=2)
    website = models.URLField(_("organisation's website"), max_length=300)
    # The website's host without "www.": the domain an e-mail address must be at.
    domain = models.CharField(max_length=253, editable=False)
    signer_name = EncryptedCharField(_("signer's name"), max_length=200)
    signer_role = models.CharField(_("signer's role in the organisation"), max_length=200)
    email = EncryptedCharField(_("e-mail address"), max_length=254)
    display = models.CharField(
        _("how the signature is shown"), max_length=16, choices=Display.choices
    )
    signed_on = models.DateField(default=timezone.localdate, editable=False)
    state = models.CharField(
        max_length=16, choices=VerificationState.choices, default=VerificationState.PENDING
    )
    method = models.CharField(max_length=16, choices=VerificationMethod.choices, blank=True)
    verified_on = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = EncryptedTextField(_("editor's note"), blank=True)
    # The confirmation link's token, as its sha256 only, and when it stops working.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    token_expires = models.DateTimeField(null=True, blank=True, editable=False)
    token_purpose = models.CharField(
        max_length=16, choices=LinkPurpose.choices, default=LinkPurpose.CONFIRM, editable=False
    )
    # Mails sent for this signature on `mailed_on` (a day): a cap, so the site cannot be
    # used to flood an organisation's mailbox.
    mailed_on = models.DateField(null=True, blank=True, editable=False)
    mails_that_day = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.country})"

    @property
    def counts(self) -> bool:
        return self.state == VerificationState.VERIFIED and self.display != Display.NOT_COUNTED


class Delivery(models.Model):
    """The letter handed over: when, to whom, how, and the PDF that was delivered."""

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="deliveries")
    version = models.ForeignKey(
        LetterVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("version")
    )
    delivered_on = models.DateField(_("delivered on"))
    recipient = models.CharField(_("to whom"), max_length=300)
    channel = models.CharField(_("how"), max_length=16, choices=DeliveryChannel.choices)
    note = models.TextField(_("internal note"), blank=True)
    pdf = models.BinaryField(editable=False)
    pdf_sha256 = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["delivered_on", "pk"]

    def __str__(self) -> str:
        return f"{self.letter.slug}: {self.delivered_on} to {self.recipient}"


class Reply(models.Model):
    """An answer received after delivery."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="replies")
    received_on = models.DateField(_("received on"))
    sender = models.CharField(_("from"), max_length=300)
    summary = models.TextField(_("what they answered"))
    note = models.TextField(_("internal note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["received_on", "pk"]

    def __str__(self) -> str:
        return f"{self.received_on}: {self.sender}"
