"""Evidence items with their chain of custody, and the claims that cite them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civwatch.core.clock import StampField
from civwatch.core.crypto import EncryptedCharField, EncryptedTextField, EncryptedURLField
from civwatch.core.records import (
    REVIEWED_STATUSES,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    DocumentedRecord,
)


class EvidenceItem(DocumentedRecord):
    class Kind(models.TextChoices):
        FILE = "file", _("uploaded file")
        WEB_PAGE = "web_page", _("captured web page")
        QUOTE = "quote", _("quoted passage")

    # The Admiralty (NATO) grading: how reliable the source is, how credible this item.
    class Reliability(models.TextChoices):
        A = "A", _("A: completely reliable")
        B = "B", _("B: usually reliable")
        C = "C", _("C: fairly reliable")
        D = "D", _("D: not usually reliable")
        E = "E", _("E: unreliable")
        F = "F", _("F: reliability cannot be judged")

    class Credibility(models.TextChoices):
        CONFIRMED = "1", _("1: confirmed by other sources")
        PROBABLY_TRUE = "2", _("2: probably true")
        POSSIBLY_TRUE = "3", _("3: possibly true")
        DOUBTFUL = "4", _("4: doubtful")
        IMPROBABLE = "5", _("5: improbable")
        UNKNOWN = "6", _("6: truth cannot be judged")

    PUBLIC_FIELDS = ("kind", "title", "source", "url", "published_on", "media_type")
    # The hash of a file that is never published, of a quoted passage that is never public, or
    # of an address a record may keep internal: the public sees it keyed only.
    PUBLIC_DIGESTS = ("sha256",)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    incident = models.ForeignKey(
        "cases.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence_items",
        verbose_name=_("collected for incident"),
    )
    title = EncryptedCharField(_("title"), max_length=500)
    # The publisher or origin: two items are independent sources when these differ.
    source = EncryptedCharField(_("source (publisher or origin)"), max_length=300)
    url = EncryptedURLField(_("address"), max_length=2000, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    quoted_text = EncryptedTextField(_("quoted passage"), blank=True)
    file_path = models.CharField(max_length=200, blank=True, editable=False)
    original_name = EncryptedCharField(_("original file name"), max_length=300, blank=True)
    media_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, editable=False)
    derived_text = EncryptedTextField(_("extracted text"), blank=True, editable=False)
    # A derived PNG (image or a PDF's first page), stored beside the originals, never public
    # by URL: it is served through views that check the item's visibility.
    preview = models.FileField(_("preview"), blank=True, editable=False)
    obtained_how = EncryptedTextField(_("how it was obtained"))
    obtained_on = models.DateField(_("obtained on"))
    reliability = models.CharField(
        _("source reliability"), max_length=1, choices=Reliability.choices, default="F"
    )
    credibility = models.CharField(
        _("information credibility"), max_length=1, choices=Credibility.choices, default="6"
    )

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def log(self, action: str, user, note: str = "") -> "CustodyEvent":
        return CustodyEvent.objects.create(
            item=self, action=action, user=user, sha256=self.sha256, note=note
        )

    @property
    def source_key(self) -> str:
        return " ".join(self.source.casefold().split())

    def content_is_reviewed(self) -> bool:
        """An item is not reviewed on its own: its content was approved once a claim citing it
        was verified (its metadata may then be public), so changes to it wait for review."""
        return (
            super().content_is_reviewed()
            or self.claims.filter(status__in=REVIEWED_STATUSES).exists()
        )


class CustodyEvent(AppendOnlyModel):
    class Action(models.TextChoices):
        ADDED = "added", _("added")
        VIEWED = "viewed", _("viewed")
        EXPORTED = "exported", _("exported")
        DERIVED = "derived", _("derived copy made")
        CITED = "cited", _("cited in a claim")
        REVIEWED = "reviewed", _("review status changed")
        DESTROYED = "destroyed", _("file destroyed")

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="custody")
    action = models.CharField(max_length=16, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = StampField(auto_now_add=True)
    sha256 = models.CharField(max_length=64)  # of the original at the time of the event
    note = EncryptedTextField(blank=True)  # may name the uploaded file

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("custody event")
        verbose_name_plural = _("custody log")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} #{self.item_id}"


class Claim(DocumentedRecord):
    """A statement in a record (this person had this role in this incident) and its evidence."""

    PUBLIC_FIELDS = ("statement", "incident", "participant")

    incident = models.ForeignKey("cases.Incident", on_delete=models.CASCADE, related_name="claims")
    participant = models.ForeignKey(
        "cases.Participant", null=True, blank=True, on_delete=models.CASCADE, related_name="claims"
    )
    statement = EncryptedTextField(_("statement"))
    evidence = models.ManyToManyField(EvidenceItem, through="Citation", related_name="claims")

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.statement[:80]

    def independent_sources(self) -> int:
        """Distinct sources (publisher or origin, case- and space-insensitive) cited."""
        return len({item.source_key for item in self.evidence.all()})

    def after_review_move(self, user, status: str) -> None:
        for item in self.evidence.all():
            item.log(CustodyEvent.Action.REVIEWED, user, f"claim #{self.pk}: {status}")

    def publication_problems(self, editor) -> list[str]:
        problems = super().publication_problems(editor)
        if self.independent_sources() < 2:
            problems.append(str(_("A claim needs at least two independent sources.")))
        return problems


class Citation(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="citations")
    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="citations")
    passage = EncryptedTextField(_("supporting passage"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["claim", "item"], name="unique_citation")]

    def __str__(self) -> str:
        return f"{self.claim_id} <- {self.item_id}"
