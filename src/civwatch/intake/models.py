"""What intake found in an article kept as evidence, and the editor's decisions on it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civwatch.core.crypto import EncryptedCharField
from civwatch.entities.models import Entity
from civwatch.evidence.models import EvidenceItem


class Article(models.Model):
    """An evidence item taken in through intake, with the language of its text."""

    item = models.OneToOneField(EvidenceItem, on_delete=models.CASCADE, related_name="article")
    language = models.CharField(_("language"), max_length=8)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-item__created_at"]

    def __str__(self) -> str:
        return self.item.title


class FoundSpan(models.Model):
    """A span of the evidence item's derived text (start/end are offsets into it)."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = EncryptedCharField(max_length=1000)  # a name found in a non-public article

    class Meta:
        abstract = True
        ordering = ["start", "end"]


class ArticleMention(FoundSpan):
    class Decision(models.TextChoices):
        PENDING = "pending", _("to check")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta(FoundSpan.Meta):
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")

    def __str__(self) -> str:
        return f"{self.text} -> {self.entity_id}"


class ArticleSuggestion(FoundSpan):
    schema = models.CharField(max_length=32)

    class Meta(FoundSpan.Meta):
        verbose_name = _("suggested new entity")
        verbose_name_plural = _("suggested new entities")

    def __str__(self) -> str:
        return f"{self.text} ({self.schema})"
