"""What the public sees of a letter: the one place that picks it, for the page, the CSV, the
API, the CLI export and the delivered PDF.

Only verified signatures are counted; only those whose display is public are named. A hidden
signature adds to the total and to its country's count, nothing else. Signer names, roles,
e-mail addresses, editors' notes and unverified or not-counted signatures are never read here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import QuerySet

from civwatch.letters import countries
from civwatch.letters.models import PUBLIC_LETTER_STATUSES, Letter, LetterVersion

SIGNATURE_COLUMNS = ("organisation", "country", "country_name", "website", "verified_on")


def letters() -> QuerySet:
    return Letter.objects.filter(status__in=PUBLIC_LETTER_STATUSES)


def signature_rows(letter: Letter, language: str | None = None) -> list[dict[str, Any]]:
    """The named signatories, in a stable order (organisation, then when they signed)."""
    return [
        {
            "organisation": s.organisation,
            "country": s.country,
            "country_name": countries.name(s.country, language),
            "website": s.website,
            "verified_on": s.verified_on.isoformat() if s.verified_on else "",
        }
        for s in letter.public_signatures().only(
            "organisation", "country", "website", "verified_on"
        )
    ]


def by_country(letter: Letter, language: str | None = None) -> list[dict[str, Any]]:
    """Counted signatures per country (named and hidden), largest first, with bar widths."""
    counts = Counter(letter.counted().values_list("country", flat=True))
    top = max(counts.values(), default=0)
    rows = [
        {
            "country": code,
            "name": countries.name(code, language),
            "count": count,
            "percent": round(100 * count / top) if top else 0,
        }
        for code, count in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["name"]))


def version_view(version: LetterVersion) -> dict[str, Any]:
    return {
        "language": version.language,
        "title": version.title,
        "text": version.text,
        "sha256": version.sha256,
    }


def letter_view(letter: Letter, language: str | None = None) -> dict[str, Any]:
    counted = letter.counted().count()
    named = signature_rows(letter, language)
    return {
        "slug": letter.slug,
        "status": letter.status,
        "addressees": letter.addressees,
        "signing_opens": letter.signing_opens.isoformat(),
        "signing_closes": letter.signing_closes.isoformat(),
        "delivery_date": letter.delivery_date.isoformat(),
        "versions": [version_view(v) for v in letter.versions.all()],
        "signatures_counted": counted,
        "signatures_hidden": counted - len(named),
        "by_country": by_country(letter, language),
        "signatures": named,
        "deliveries": [
            {
                "id": d.pk,
                "delivered_on": d.delivered_on.isoformat(),
                "recipient": d.recipient,
                "channel": d.channel,
                "channel_label": str(d.get_channel_display()),
                "language": d.version.language,
                "pdf_sha256": d.pdf_sha256,
                "replies": [
                    {
                        "received_on": r.received_on.isoformat(),
                        "sender": r.sender,
                        "summary": r.summary,
                    }
                    for r in d.replies.all()
                ],
            }
            for d in letter.deliveries.select_related("version")
        ],
    }
