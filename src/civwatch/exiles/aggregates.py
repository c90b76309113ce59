"""Public figures about the support given: aggregates only, small counts suppressed.

A count below CIVWATCH_SUPPRESSION_THRESHOLD is published as "fewer than N" (its value is
None), so that nobody can be singled out ("the one person supported in Armenia in 2024").
No total is published beside suppressed cells: a total would give the hidden cell back by
subtraction."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings

from civwatch.exiles.models import SupportAction


def _suppressed(counts: Counter) -> list[dict[str, Any]]:
    threshold = settings.CIVWATCH_SUPPRESSION_THRESHOLD
    rows = []
    for key, count in sorted(counts.items()):
        rows.append({**dict(key), "count": count if count >= threshold else None})
    return rows


def figures() -> dict[str, Any]:
    """People supported per country of residence per year, and people helped per kind of
    help per year (a person counted once per cell however often helped)."""
    by_country: set[tuple] = set()
    by_kind: set[tuple] = set()
    rows = SupportAction.objects.values_list("file_id", "file__country", "kind", "decided_on")
    for file_id, country, kind, decided_on in rows:
        by_country.add((file_id, country, decided_on.year))
        by_kind.add((file_id, kind, decided_on.year))
    countries = Counter((("country", c), ("year", y)) for _, c, y in by_country)
    kinds = Counter((("kind", k), ("year", y)) for _, k, y in by_kind)
    return {
        "threshold": settings.CIVWATCH_SUPPRESSION_THRESHOLD,
        "people_per_country_year": _suppressed(countries),
        "people_per_kind_year": _suppressed(kinds),
    }
