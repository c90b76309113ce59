"""The one function family that produces what a reader may see.

Public pages, the public API, exports and the feed all call these functions and nothing else,
so a field that is internal or confidential (by the model's declaration or by the record's own
setting) cannot reach them. The same serialiser gives staff their view: wherever a function
takes `level`, it also takes a `civwatch.accounts.permissions.Reader` (a user's view, with
their own and assigned records in full). Which record and which field is shown is decided by
the access policy (`civwatch.accounts.permissions`), never here.
"""

import datetime
from typing import Any

from django.db.models import Model, QuerySet

from civwatch.accounts.permissions import LEVELS, Reader, reader
from civwatch.cases.models import Case, Incident
from civwatch.core.digests import public_digest
from civwatch.core.records import PUBLIC_STATUSES, DocumentedRecord, Visibility, stored_value
from civwatch.evidence.models import EvidenceItem

__all__ = ["LEVELS", "Reader"]

Level = str | Reader


def visible(record: DocumentedRecord | None, level: Level = Visibility.PUBLIC) -> bool:
    """Whether a record may be shown to a reader cleared up to `level`."""
    return reader(level).visible(record)


def evidence_visible(item: DocumentedRecord, level: Level) -> bool:
    """Evidence is not reviewed on its own: its metadata is public when the item is marked
    public and a published claim cites it (callers reach items only through such claims)."""
    return reader(level).visible(item)


def field_names(record: DocumentedRecord, level: Level) -> list[str]:
    return reader(level).fields(record)


def plain(value: Any, level: Level) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, DocumentedRecord):
        return value.pk if visible(value, level) else None
    if isinstance(value, Model):  # vocabulary, entities, users
        return {"id": value.pk, "name": str(value)}
    return stored_value(value)


def serialise(record: DocumentedRecord, level: Level = Visibility.PUBLIC) -> dict[str, Any]:
    data: dict[str, Any] = {"id": record.pk}
    for name in field_names(record, level):
        field = record._meta.get_field(name)
        data[name] = plain(getattr(record, name), level)
        if field.choices and data[name]:
            data[f"{name}_label"] = str(getattr(record, f"get_{name}_display")())
    if reader(level).level_for(record) == Visibility.PUBLIC:
        for name in record.PUBLIC_DIGESTS:
            if digest := public_digest(getattr(record, name)):
                data[f"{name}_hmac"] = digest
    if record.correction_note and record.status in PUBLIC_STATUSES:
        data["correction_note"] = record.correction_note
    return data


# DocumentedRecord's users: never public fields (staff identities are never public).
STAFF_FIELDS = ("created_by", "approved_by")


def without_staff(data: Any) -> Any:
    """A view with its records' authors and approvers removed at every depth: for output read
    at a staff level that leaves the organisation (sanctions dossiers)."""
    if isinstance(data, dict):
        return {k: without_staff(v) for k, v in data.items() if k not in STAFF_FIELDS}
    if isinstance(data, list):
        return [without_staff(v) for v in data]
    return data


def public_queryset(queryset: QuerySet, level: Level = Visibility.PUBLIC) -> QuerySet:
    return reader(level).filter(queryset)


def incident_view(incident: Incident, level: Level = Visibility.PUBLIC) -> dict[str, Any]:
    """An incident with its participants, claims and the evidence the claims cite."""
    data = serialise(incident, level)
    data["date_display"] = incident.date_display if "date" in data else ""
    data["participants"] = [
        serialise(p, level) for p in public_queryset(incident.participants.all(), level)
    ]
    claims = public_queryset(incident.claims.prefetch_related("citations__item"), level)
    data["claims"] = []
    for claim in claims:
        claim_data = serialise(claim, level)
        claim_data["evidence"] = [
            {**serialise(c.item, level), "passage": c.passage, "has_preview": bool(c.item.preview)}
            for c in claim.citations.all()
            if evidence_visible(c.item, level)
        ]
        data["claims"].append(claim_data)
    return data


def case_view(case: Case, level: Level = Visibility.PUBLIC) -> dict[str, Any]:
    data = serialise(case, level)
    incidents = public_queryset(case.incidents.select_related("incident_type"), level)
    data["incidents"] = [incident_view(i, level) for i in incidents.order_by("date", "id")]
    return data


def incidents(level: Level = Visibility.PUBLIC) -> QuerySet[Incident]:
    return public_queryset(Incident.objects.select_related("incident_type", "case"), level)


def evidence(level: Level = Visibility.PUBLIC) -> QuerySet[EvidenceItem]:
    return public_queryset(EvidenceItem.objects.all(), level)


def cases(level: Level = Visibility.PUBLIC) -> QuerySet[Case]:
    return public_queryset(Case.objects.all(), level)
