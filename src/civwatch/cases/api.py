"""JSON API for cases, incidents, claims and evidence metadata.

Without a token the answers are the public view; a researcher's token adds internal records
and fields, an editor's confidential ones. Writes follow the roles of the review workflow.
"""

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from civwatch.accounts.models import has_role
from civwatch.cases import public
from civwatch.cases.access import BadToken, reading_level, request_user
from civwatch.cases.models import DatePrecision, Incident, IncidentType
from civwatch.cases.records import Visibility
from civwatch.cases.workflow import move
from civwatch.core.errors import UserError
from civwatch.core.params import Count, Limit, Offset
from civwatch.evidence.models import Claim

router = Router(tags=["cases"])


class RecordPage(Schema):
    """A page of records; each record's fields depend on the reader's level (docs)."""

    count: int
    results: list[dict[str, Any]]


class MoveOut(Schema):
    id: int
    status: str


def caller(request: HttpRequest) -> tuple[Any, str]:
    try:
        user = request_user(request)
    except BadToken:
        raise HttpError(401, "Unknown or revoked API token.") from None
    return user, reading_level(user)


class IncidentFilters(Schema):
    type: str | None = Field(None, max_length=64, description="incident type code")
    year: int | None = Field(None, ge=1900, le=2100)
    limit: Limit = 50
    offset: Offset = 0


@router.get(
    "/cases/incidents", response=RecordPage, summary="Incidents (public view without a token)"
)
def list_incidents(request, filters: Query[IncidentFilters]) -> dict:
    _, level = caller(request)
    incidents = public.incidents(level)
    if filters.type:
        incidents = incidents.filter(incident_type__code=filters.type)
    if filters.year:
        incidents = incidents.filter(date__year=filters.year)
    page = incidents.order_by("-date", "id")[filters.offset : filters.offset + filters.limit]
    return {"count": incidents.count(), "results": [public.serialise(i, level) for i in page]}


@router.get(
    "/cases/incidents/{int:incident_id}",
    response=dict[str, Any],
    summary="An incident with participants and claims",
)
def get_incident(request, incident_id: int) -> dict:
    _, level = caller(request)
    return public.incident_view(get_object_or_404(public.incidents(level), pk=incident_id), level)


@router.get("/cases/cases", response=RecordPage, summary="Cases")
def list_cases(request, limit: Limit = 50, offset: Offset = 0) -> dict:
    _, level = caller(request)
    cases = public.cases(level)
    return {
        "count": cases.count(),
        "results": [public.serialise(c, level) for c in cases[offset : offset + limit]],
    }


@router.get(
    "/cases/cases/{int:case_id}", response=dict[str, Any], summary="A case with its incidents"
)
def get_case(request, case_id: int) -> dict:
    _, level = caller(request)
    return public.case_view(get_object_or_404(public.cases(level), pk=case_id), level)


@router.get("/cases/evidence", response=RecordPage, summary="Evidence metadata (never the files)")
def list_evidence(request, limit: Limit = 50, offset: Offset = 0) -> dict:
    _, level = caller(request)
    items = public.evidence(level)
    return {
        "count": items.count(),
        "results": [public.serialise(i, level) for i in items[offset : offset + limit]],
    }


class IncidentIn(Schema):
    incident_type: str = Field(..., max_length=64)
    title: str = Field(..., min_length=1, max_length=500)
    description: str = Field("", max_length=20000)
    date: datetime.date | None = None
    date_precision: Literal["day", "month", "year"] = DatePrecision.DAY
    place: str = Field("", max_length=500)
    people_count: Count | None = None
    visibility: Literal["public", "internal", "confidential"] = Visibility.INTERNAL
    internal_notes: str = Field("", max_length=20000)


@router.post("/cases/incidents", response={201: dict[str, Any]}, summary="Record a draft incident")
def create_incident(request, payload: IncidentIn):
    user, _level = caller(request)
    if not has_role(user, "contributor"):
        raise HttpError(403, "Recording incidents needs a contributor's token.")
    fields = payload.dict()
    incident_type = IncidentType.objects.filter(code=fields.pop("incident_type")).first()
    if incident_type is None:
        raise HttpError(422, "Unknown incident type.")
    incident = Incident(incident_type=incident_type, created_by=user, **fields)
    incident.save_with_history(user)
    return Status(201, public.serialise(incident, Visibility.CONFIDENTIAL))


class MoveIn(Schema):
    to: Literal["draft", "in_review", "verified", "published", "withdrawn", "corrected"]
    note: str = Field("", max_length=5000)


@router.post(
    "/cases/incidents/{int:incident_id}/status",
    response=MoveOut,
    summary="Move an incident in review",
)
def move_incident(request, incident_id: int, payload: MoveIn) -> dict:
    return apply_move(request, Incident, incident_id, payload)


@router.post(
    "/cases/claims/{int:claim_id}/status", response=MoveOut, summary="Move a claim in review"
)
def move_claim(request, claim_id: int, payload: MoveIn) -> dict:
    return apply_move(request, Claim, claim_id, payload)


def apply_move(request, model, pk: int, payload: MoveIn) -> dict:
    user, _ = caller(request)
    if not has_role(user, "contributor"):
        raise HttpError(403, "Changing review status needs a contributor's token or higher.")
    record = get_object_or_404(model, pk=pk)
    try:
        move(record, payload.to, user, payload.note)
    except UserError as error:
        raise HttpError(409, str(error)) from None
    return {"id": record.pk, "status": record.status}
