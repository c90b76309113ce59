"""An article becomes an evidence item with what intake found in it, in one transaction."""

import re
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from civwatch.core.crypto import bulk_create_sealed
from civwatch.entities.models import Entity
from civwatch.evidence.ingest import add_evidence
from civwatch.evidence.models import EvidenceItem
from civwatch.intake.analysis import Analysis
from civwatch.intake.models import Article, ArticleMention, ArticleSuggestion

SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n")


def keep_article(
    *, user: Any, name: str, data: bytes, analysis: Analysis, **fields: Any
) -> EvidenceItem:
    """The original untouched (sha256, custody "added"), the extracted text as its derived
    copy, the mentions and suggestions. A failure leaves no row and no new file behind."""
    created: list[Path] = []
    try:
        with transaction.atomic():
            item = add_evidence(
                user=user,
                name=name,
                data=data,
                derived_text=analysis.text,
                media_type=analysis.media_type,
                created_files=created,
                **fields,
            )
            Article.objects.create(item=item, language=analysis.language)
            known = set(
                Entity.objects.filter(pk__in=[m.entity_id for m in analysis.mentions]).values_list(
                    "pk", flat=True
                )
            )
            bulk_create_sealed(
                ArticleMention,
                (
                    ArticleMention(
                        item=item,
                        start=m.start,
                        end=m.end,
                        text=m.text,
                        entity_id=m.entity_id,
                        score=m.score,
                    )
                    for m in analysis.mentions
                    if m.entity_id in known
                ),
            )
            bulk_create_sealed(
                ArticleSuggestion,
                (
                    ArticleSuggestion(
                        item=item,
                        start=s["start"],
                        end=s["end"],
                        text=s["text"],
                        schema=s["schema"],
                    )
                    for s in analysis.suggestions
                ),
            )
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    return item


def decide(mention: ArticleMention, decision: str, user: Any) -> None:
    mention.decision = decision
    mention.decided_by = user
    mention.decided_at = timezone.now()
    mention.save(update_fields=["decision", "decided_by", "decided_at"])


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or line) that holds text[start:end]: a passage to cite."""
    before = [m.end() for m in SENTENCE_END.finditer(text, 0, start)]
    after = SENTENCE_END.search(text, end)
    return text[before[-1] if before else 0 : after.start() if after else len(text)].strip()


def highlighted(text: str, spans: list[tuple[int, int, str, str]]) -> list[dict]:
    """The text cut into pieces, each either plain or one of the spans (start, end, kind,
    label), for a template to mark up without any JavaScript."""
    pieces, position = [], 0
    for start, end, kind, label in sorted(spans):
        if start < position:
            continue
        if start > position:
            pieces.append({"text": text[position:start]})
        pieces.append({"text": text[start:end], "kind": kind, "label": label})
        position = end
    if position < len(text):
        pieces.append({"text": text[position:]})
    return pieces
