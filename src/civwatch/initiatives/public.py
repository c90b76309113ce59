"""What anyone may see of citizens' initiatives: the one serialiser behind the public page,
the API and `civwatch initiatives export`.

A published, supported initiative shows its kind, city, date and the kinds of support given;
its exact address only when the organisers chose to make it public. Nothing the citizen wrote
(description, contact, messages, attachments) and nothing about the review (reasons, notes,
who decided) leaves through here: a new public output takes its rows from `rows()` and cannot
show more than the page does.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from civwatch.initiatives.models import Initiative, SupportAction

COLUMNS = ["kind", "city", "date", "address", "support"]


def published() -> QuerySet[Initiative]:
    """Published initiatives the group supports, newest action first."""
    support = Prefetch("support_actions", SupportAction.objects.only("initiative_id", "kind"))
    return (
        Initiative.objects.filter(published=True, status=Initiative.Status.SUPPORTED)
        .only(*Initiative.PUBLIC_FIELDS, "address", "address_public", "published", "status")
        .prefetch_related(support)
        .order_by("-date", "-id")
    )


def row(initiative: Initiative) -> dict[str, Any]:
    """One published initiative as codes (the page shows their labels: `labelled`)."""
    return {
        "kind": initiative.kind,
        "city": initiative.city,
        "date": initiative.date.isoformat(),
        # Decrypted only when the organisers allowed it to be shown.
        "address": initiative.address if initiative.address_public else "",
        "support": sorted({s.kind for s in initiative.support_actions.all()}),
    }


def rows() -> list[dict[str, Any]]:
    return [row(initiative) for initiative in published()]


def labelled(public_row: dict[str, Any]) -> dict[str, Any]:
    """A public row with its codes' labels in the active language."""
    return {
        **public_row,
        "kind_label": str(Initiative.Kind(public_row["kind"]).label),
        "support_labels": [str(SupportAction.Kind(k).label) for k in public_row["support"]],
    }
