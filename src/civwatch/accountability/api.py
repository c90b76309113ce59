"""JSON API of the accountability list: the public list without a token, more with one.

A researcher's token also reads entries before publication and their internal fields.
"""

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router

from civwatch.accountability import public
from civwatch.accountability.sanctions import sanctions_summary
from civwatch.cases.api import RecordPage, caller
from civwatch.core.params import Limit, Offset

router = Router(tags=["accountability"])


@router.get(
    "/accountability/entries",
    response=RecordPage,
    summary="Accountability entries (published, without a token)",
)
def list_entries(request, limit: Limit = 50, offset: Offset = 0) -> dict:
    _, level = caller(request)
    entries = public.entries(level).order_by("entity__name", "pk")
    return {
        "count": entries.count(),
        "results": [public.entry_view(e, level) for e in entries[offset : offset + limit]],
    }


@router.get(
    "/accountability/entries/{int:entry_id}",
    response=dict[str, Any],
    summary="An entry with acts and sanctions",
)
def get_entry(request, entry_id: int) -> dict:
    _, level = caller(request)
    entry = get_object_or_404(public.entries(level), pk=entry_id)
    return {**public.entry_view(entry, level), "sanctions": sanctions_summary(entry.entity)}
