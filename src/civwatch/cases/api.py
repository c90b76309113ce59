"""JSON API for cases, incidents, claims and evidence metadata, and the write API.

Without a token the answers are the public view; a token answers as its user may read
(civwatch.accounts.permissions): a contributor's adds their own and assigned records, a
researcher's internal records and fields, an editor's confidential ones. A record the caller
may not read is a 404, like a missing one; writes need the right to read their target first.
Writes need a token and follow the roles of the review workflow; every write answers with
the record as the caller may see it.
"""

import datetime
from typing import Any, Literal

from django import forms
from django.forms.models import model_to_dict
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import ConfigDict
from pydantic import ValidationError as PydanticValidationError

from civwatch.accounts import permissions
from civwatch.accounts.models import ApiToken, has_role
from civwatch.cases import picker, public
from civwatch.cases.access import BadToken, request_user
from civwatch.cases.forms import CaseForm, EvidenceForm, IncidentForm
from civwatch.cases.models import Case, DatePrecision, Incident, IncidentType, Participant
from civwatch.cases.participants import add_participant
from civwatch.cases.workflow import TRANSITIONS, move
from civwatch.core.errors import UserError
from civwatch.core.params import Count, Limit, Offset
from civwatch.core.records import DocumentedRecord, ReviewStatus, Visibility
from civwatch.entities.models import Entity
from civwatch.evidence.ingest import add_claim, add_evidence
from civwatch.evidence.models import Claim, EvidenceItem
from civwatch.evidence.storage import StorageError

router = Router(tags=["cases"])


class RecordPage(Schema):
    """A page of records; each record's fields depend on the reader's level (docs)."""

    count: int
    results: list[dict[str, Any]]


def caller(request: HttpRequest) -> tuple[Any, permissions.Reader]:
    """The caller and their view (passed to the serialiser wherever it takes a level)."""
    try:
        user = request_user(request)
    except BadToken:
        raise HttpError(401, "Unknown or revoked API token.") from None
    return user, permissions.Reader(user)


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
    incident = permissions.get_readable_or_404(level.user, public.incidents(level), pk=incident_id)
    return public.incident_view(incident, level)


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
    return public.case_view(
        permissions.get_readable_or_404(level.user, public.cases(level), pk=case_id), level
    )


@router.get("/cases/evidence", response=RecordPage, summary="Evidence metadata (never the files)")
def list_evidence(request, limit: Limit = 50, offset: Offset = 0) -> dict:
    _, level = caller(request)
    items = public.evidence(level)
    return {
        "count": items.count(),
        "results": [public.serialise(i, level) for i in items[offset : offset + limit]],
    }


# -- writing ---------------------------------------------------------------------------------
#
# Writes need an API token (`Authorization: Bearer ...`): a session cookie alone is refused
# with 401, since the API has no CSRF check. A target the caller may not read is a 404, the
# same answer as a missing one. Every answer is the record as the caller may see it.


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return ApiToken.user_for(token.strip()) if token.strip() else None


TOKEN = TokenAuth()
# Vocabularies come from the models' choices, so the API cannot drift from them.
Level = Literal[tuple(Visibility.values)]  # type: ignore[valid-type]
Precision = Literal[tuple(DatePrecision.values)]  # type: ignore[valid-type]
Role = Literal[tuple(Participant.Role.values)]  # type: ignore[valid-type]
Degree = Literal[("", *Participant.Involvement.values)]  # type: ignore[valid-type]
CaseKind = Literal[tuple(Case.Kind.values)]  # type: ignore[valid-type]
Reliability = Literal[tuple(EvidenceItem.Reliability.values)]  # type: ignore[valid-type]
Credibility = Literal[tuple(EvidenceItem.Credibility.values)]  # type: ignore[valid-type]
# FtM schema of a new participant -> the kind of entity made for it.
SCHEMA_KINDS = {"Person": Entity.Kind.PERSON, "Organization": Entity.Kind.ORGANIZATION}
EntitySchema = Literal[tuple(SCHEMA_KINDS)]  # type: ignore[valid-type]


def writer(request: HttpRequest, role: str = "contributor") -> Any:
    user = request.auth
    if not has_role(user, role):
        raise HttpError(403, f"This needs a {role}'s token or higher.")
    return user


def addable_or_404(user: Any, incident_id: int) -> Incident:
    """An incident the caller may add participants, evidence or claims to (404 if unreadable,
    403 if readable but not theirs to add to)."""
    incident = permissions.get_readable_or_404(user, Incident, pk=incident_id)
    if not permissions.can_add_to(user, incident):
        raise HttpError(403, "Only the incident's author, an assignee, a researcher or an editor "
                        "may add to it.")  # fmt: skip
    return incident


def invalid(errors: dict[str, list[str]]) -> ValidationError:
    """A 422 in django-ninja's format from a form's (or our own) errors."""
    return ValidationError(
        [
            {"loc": ["body", field], "msg": str(message), "type": "value_error"}
            for field, messages in errors.items()
            for message in messages
        ]
    )


def validated(form: forms.BaseForm) -> forms.BaseForm:
    if not form.is_valid():
        raise invalid(form.errors)
    return form


def incident_refs(user: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """An incident type's code and a case's id as the staff form takes them (pks); a case
    the caller may not read is refused as if it did not exist."""
    if "incident_type" in fields:
        code = fields["incident_type"]
        found = IncidentType.objects.filter(code=code).values_list("pk", flat=True).first()
        if found is None:
            raise invalid({"incident_type": ["Unknown incident type."]})
        fields["incident_type"] = found
    if fields.get("case") is not None:
        case = Case.objects.filter(pk=fields["case"]).first()
        if case is None or not permissions.can_view(user, case):
            raise invalid({"case": ["No case with this id."]})
    return fields


class Ref(Schema):
    id: int | str
    name: str


class RecordOut(Schema):
    """What every documented record shows; fields the caller may not see are left out."""

    id: int
    visibility: str | None = None
    visibility_label: str | None = None
    status: str | None = None
    status_label: str | None = None
    correction_note: str | None = None
    internal_notes: str | None = None
    created_by: Ref | None = None
    approved_by: Ref | None = None
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None


class CaseOut(RecordOut):
    title: str | None = None
    kind: str | None = None
    kind_label: str | None = None
    article: str | None = None
    court: str | None = None
    case_status: str | None = None
    opened_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    summary: str | None = None


class IncidentOut(RecordOut):
    incident_type: Ref | None = None
    title: str | None = None
    description: str | None = None
    date: datetime.date | None = None
    date_precision: str | None = None
    date_precision_label: str | None = None
    place: str | None = None
    people_count: int | None = None
    source_name: str | None = None
    source_licence: str | None = None
    case: int | None = None
    external_id: str | None = None


class ParticipantOut(RecordOut):
    incident: int | None = None
    entity: Ref | None = None
    role: str | None = None
    role_label: str | None = None
    involvement: str | None = None
    involvement_label: str | None = None


class EvidenceOut(RecordOut):
    kind: str | None = None
    kind_label: str | None = None
    incident: int | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published_on: datetime.date | None = None
    quoted_text: str | None = None
    file_path: str | None = None
    original_name: str | None = None
    media_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    derived_text: str | None = None
    preview: str | None = None
    obtained_how: str | None = None
    obtained_on: datetime.date | None = None
    reliability: str | None = None
    reliability_label: str | None = None
    credibility: str | None = None
    credibility_label: str | None = None


class CitationOut(Schema):
    evidence: int
    passage: str


class ClaimOut(RecordOut):
    incident: int | None = None
    participant: int | None = None
    statement: str | None = None
    citations: list[CitationOut] | None = None


def as_seen(user: Any, record: DocumentedRecord) -> dict[str, Any]:
    data = public.serialise(record, permissions.Reader(user))
    if isinstance(record, Claim):
        data["citations"] = [
            {"evidence": c.item_id, "passage": c.passage}
            for c in record.citations.select_related("item")
            if permissions.can_view(user, c.item)
        ]
    return data


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


FieldLevels = dict[str, Level]


class CaseIn(StrictSchema):
    title: str = Field(..., min_length=1, max_length=500)
    kind: CaseKind
    article: str = Field("", max_length=200)
    court: str = Field("", max_length=300)
    case_status: str = Field("", max_length=200)
    opened_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    summary: str = Field("", max_length=20000)
    visibility: Level = Visibility.INTERNAL
    field_visibility: FieldLevels = Field(default_factory=dict)
    internal_notes: str = Field("", max_length=20000)


@router.post(
    "/cases/cases",
    auth=TOKEN,
    response={201: CaseOut},
    exclude_unset=True,
    summary="Record a draft case",
)
def create_case(request, payload: CaseIn):
    user = writer(request)
    form = validated(CaseForm(payload.dict()))
    case = form.save(commit=False)
    case.created_by = user
    case.save_with_history(user)
    return Status(201, as_seen(user, case))


class IncidentIn(StrictSchema):
    incident_type: str = Field(..., max_length=64, description="incident type code")
    title: str = Field(..., min_length=1, max_length=500)
    description: str = Field("", max_length=20000)
    date: datetime.date | None = None
    date_precision: Precision = DatePrecision.DAY
    place: str = Field("", max_length=500)
    people_count: Count | None = None
    case: int | None = Field(None, description="id of a case the caller may read")
    source_name: str = Field("", max_length=300)
    visibility: Level = Visibility.INTERNAL
    field_visibility: FieldLevels = Field(default_factory=dict)
    internal_notes: str = Field("", max_length=20000)


class IncidentPatch(StrictSchema):
    """Only the fields given change; the change goes through the record's normal save (its
    history, and review again when the record is already verified or published)."""

    incident_type: str | None = Field(None, max_length=64)
    title: str | None = Field(None, min_length=1, max_length=500)
    description: str | None = Field(None, max_length=20000)
    date: datetime.date | None = None
    date_precision: Precision | None = None
    place: str | None = Field(None, max_length=500)
    people_count: Count | None = None
    case: int | None = None
    source_name: str | None = Field(None, max_length=300)
    visibility: Level | None = None
    field_visibility: FieldLevels | None = None
    internal_notes: str | None = Field(None, max_length=20000)


@router.post(
    "/cases/incidents",
    auth=TOKEN,
    response={201: IncidentOut},
    exclude_unset=True,
    summary="Record a draft incident",
)
def create_incident(request, payload: IncidentIn):
    user = writer(request)
    form = validated(IncidentForm(incident_refs(user, payload.dict()), user=user))
    incident = form.save(commit=False)
    incident.created_by = user
    incident.save_with_history(user)
    return Status(201, as_seen(user, incident))


@router.patch(
    "/cases/incidents/{int:incident_id}",
    auth=TOKEN,
    response=IncidentOut,
    exclude_unset=True,
    summary="Change an incident (its author or an editor)",
)
def change_incident(request, incident_id: int, payload: IncidentPatch):
    user = writer(request)
    incident = permissions.get_readable_or_404(user, Incident, pk=incident_id)
    if not permissions.can_change(user, incident):
        raise HttpError(403, "Only the incident's author, an assignee or an editor may change it.")
    data = model_to_dict(incident, fields=IncidentForm._meta.fields)
    data.update(incident_refs(user, payload.dict(exclude_unset=True)))
    validated(IncidentForm(data, instance=incident, user=user))
    incident.save_with_history(user)
    return as_seen(user, incident)


class ParticipantIn(StrictSchema):
    name: str | None = Field(
        None, min_length=1, max_length=1000, description="a new person or organisation"
    )
    entity_schema: EntitySchema = Field(
        "Person", alias="schema", description="FtM schema of the new entity"
    )
    entity_id: str | None = Field(
        None, min_length=1, max_length=64, description="a known entity instead of a new one"
    )
    role: Role
    degree: Degree = Field("", description="degree of involvement")
    visibility: Level = Visibility.INTERNAL


def entity_for(user: Any, entity_id: str) -> Entity:
    """An entity the caller may see by name (the entity picker's rule: a public list names
    it, or a record the caller reads shows it); any other id is answered as unknown."""
    if entity_id in permissions.nameable_entities(user, [entity_id]):
        return Entity.objects.get(pk=entity_id)
    raise invalid({"entity_id": ["No entity with this id."]})


@router.post(
    "/cases/incidents/{int:incident_id}/participants",
    auth=TOKEN,
    response={201: ParticipantOut},
    exclude_unset=True,
    summary="Add a person or organisation to an incident (a known entity or a new one)",
)
def create_participant(request, incident_id: int, payload: ParticipantIn):
    user = writer(request)
    incident = addable_or_404(user, incident_id)
    if payload.entity_id:
        entity = entity_for(user, payload.entity_id)
    elif payload.name and payload.name.strip():
        entity = None
    else:
        raise invalid({"name": ["Give a name for a new entity, or entity_id for a known one."]})
    participant = add_participant(
        incident=incident,
        user=user,
        entity=entity,
        name=payload.name or "",
        kind=SCHEMA_KINDS[payload.entity_schema],
        role=payload.role,
        involvement=payload.degree,
        visibility=payload.visibility,
    )
    return Status(201, as_seen(user, participant))


class EvidenceIn(StrictSchema):
    """A quoted passage or a captured web page (JSON); a file comes as multipart form data
    with the same fields and the file in `file`."""

    kind: Literal["quote", "web_page"]
    title: str = Field(..., min_length=1, max_length=500)
    source: str = Field(..., min_length=1, max_length=300, description="publisher or origin")
    url: str = Field("", max_length=2000, description="needed for a web page")
    published_on: datetime.date | None = None
    quoted_text: str = Field("", max_length=100000, description="needed for a quote")
    obtained_how: str = Field(..., min_length=1, max_length=20000)
    obtained_on: datetime.date
    reliability: Reliability = "F"
    credibility: Credibility = "6"
    visibility: Level = Visibility.INTERNAL


class EvidenceFileIn(StrictSchema):
    """The fields of an uploaded file, sent as multipart form data with the file in `file`."""

    title: str = Field(..., min_length=1, max_length=500)
    source: str = Field(..., min_length=1, max_length=300, description="publisher or origin")
    url: str = Field("", max_length=2000)
    published_on: datetime.date | None = None
    obtained_how: str = Field(..., min_length=1, max_length=20000)
    obtained_on: datetime.date
    reliability: Reliability = "F"
    credibility: Credibility = "6"
    visibility: Level = Visibility.INTERNAL


def multipart_schema() -> dict[str, Any]:
    schema = EvidenceFileIn.model_json_schema()
    schema["properties"]["file"] = {"type": "string", "format": "binary", "title": "File"}
    schema["required"] = ["file", *schema.get("required", [])]
    return schema


EVIDENCE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": EvidenceIn.model_json_schema()},
            "multipart/form-data": {"schema": multipart_schema()},
        },
    }
}


def checked(validate: Any) -> dict[str, Any]:
    """The body validated by a schema, or a 422 in django-ninja's format."""
    try:
        return validate().model_dump()
    except PydanticValidationError as error:
        details = error.errors(include_url=False, include_context=False, include_input=False)
        raise ValidationError([{**e, "loc": ["body", *e["loc"]]} for e in details]) from None


def evidence_form(request: HttpRequest) -> EvidenceForm:
    """The staff form's rules (kind needs its file, text or address; the size limit) over a
    JSON quote or web page, or a multipart file upload."""
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        # A form sends an empty field for "not given".
        fields = {name: value for name, value in request.POST.dict().items() if value != ""}
        data = checked(lambda: EvidenceFileIn.model_validate(fields))
        files = {"upload": request.FILES["file"]} if "file" in request.FILES else {}
        if not files:
            raise invalid({"file": ["A multipart request must carry the file in “file”."]})
        return EvidenceForm({**data, "kind": EvidenceItem.Kind.FILE}, files)
    if content_type == "application/json":
        body = request.body
        return EvidenceForm(checked(lambda: EvidenceIn.model_validate_json(body)))
    raise HttpError(415, "Send JSON (a quote or a web page) or multipart form data (a file).")


@router.post(
    "/cases/incidents/{int:incident_id}/evidence",
    auth=TOKEN,
    response={201: EvidenceOut},
    exclude_unset=True,
    openapi_extra=EVIDENCE_BODY,
    summary="Add an evidence item to an incident: a file, a quote or a web page",
)
def create_evidence(request, incident_id: int):
    user = writer(request)
    incident = addable_or_404(user, incident_id)
    form = validated(evidence_form(request))
    fields = dict(form.cleaned_data)
    upload = fields.pop("upload")
    try:
        item = add_evidence(
            user=user,
            incident=incident,
            name=upload.name if upload else "",
            data=upload.read() if upload else None,
            url=fields.pop("url") or "",
            **fields,
        )
    except StorageError as error:
        raise HttpError(507, str(error)) from None
    except UserError as error:
        raise invalid({"file": [str(error)]}) from None
    return Status(201, as_seen(user, item))


class CitationIn(StrictSchema):
    evidence: int = Field(..., description="id of an evidence item of this incident")
    passage: str = Field(..., min_length=1, max_length=20000)


class ClaimIn(StrictSchema):
    statement: str = Field(..., min_length=1, max_length=20000)
    participant: int | None = Field(None, description="id of a participant of this incident")
    visibility: Level = Visibility.INTERNAL
    citations: list[CitationIn] = Field(..., min_length=1)


@router.post(
    "/cases/incidents/{int:incident_id}/claims",
    auth=TOKEN,
    response={201: ClaimOut},
    exclude_unset=True,
    summary="Add a draft claim citing evidence items of the incident, each with its passage",
)
def create_claim(request, incident_id: int, payload: ClaimIn):
    user = writer(request)
    incident = addable_or_404(user, incident_id)
    items = {i.pk: i for i in incident.evidence_items.all() if permissions.can_view(user, i)}
    errors: dict[str, list[str]] = {}
    cited = [c.evidence for c in payload.citations]
    unknown = [pk for pk in cited if pk not in items]
    if unknown:
        errors["citations"] = [f"No evidence item {pk} on this incident." for pk in unknown]
    elif len(set(cited)) < len(cited):
        errors["citations"] = ["Each evidence item is cited once."]
    participant = None
    if payload.participant is not None:
        participant = incident.participants.filter(pk=payload.participant).first()
        if participant is None or not permissions.can_view(user, participant):
            errors["participant"] = ["No participant with this id on this incident."]
    if errors:
        raise invalid(errors)
    try:
        claim = add_claim(
            incident=incident,
            statement=payload.statement,
            author=user,
            participant=participant,
            citations=[(items[c.evidence], c.passage.strip()) for c in payload.citations],
            visibility=payload.visibility,
        )
    except UserError as error:
        raise invalid({"__all__": [str(error)]}) from None
    return Status(201, as_seen(user, claim))


class MoveIn(StrictSchema):
    to: Literal[tuple(ReviewStatus.values)]  # type: ignore[valid-type]
    note: str = Field("", max_length=5000)


@router.post(
    "/cases/incidents/{int:incident_id}/status",
    auth=TOKEN,
    response=IncidentOut,
    exclude_unset=True,
    summary="Move an incident in review",
)
def move_incident(request, incident_id: int, payload: MoveIn):
    return apply_move(request, Incident, incident_id, payload)


@router.post(
    "/cases/claims/{int:claim_id}/status",
    auth=TOKEN,
    response=ClaimOut,
    exclude_unset=True,
    summary="Move a claim in review",
)
def move_claim(request, claim_id: int, payload: MoveIn):
    return apply_move(request, Claim, claim_id, payload)


def apply_move(request, model: type[DocumentedRecord], pk: int, payload: MoveIn) -> dict:
    user = writer(request)
    record = permissions.get_readable_or_404(user, model, pk=pk)
    if not permissions.may_try_move(user, record, payload.to):
        role = TRANSITIONS.get((record.status, payload.to))
        if role is not None and not has_role(user, role):
            raise HttpError(403, f"Only a {role} may make this move.")
        raise HttpError(403, "Only the record's author, an assignee or an editor may move it.")
    try:
        move(record, payload.to, user, payload.note)
    except UserError as error:
        raise HttpError(409, str(error)) from None
    return as_seen(user, record)


# -- the entity picker -----------------------------------------------------------------------


class PickerIn(StrictSchema):
    """A name to find (in the body: names never travel in URLs) and which kinds to offer."""

    query: str = Field(..., min_length=1, max_length=300)
    kind: Literal["any", "person"] = "any"


class CandidateOut(Schema):
    id: str
    name: str
    kind: str
    kind_label: str
    score: float
    birth_dates: list[str]
    lists: list[str]
    positions: list[str]
    roles: list[str]


class PickerOut(Schema):
    candidates: list[CandidateOut]


@router.post(
    "/staff/picker",
    response=PickerOut,
    url_name="staff_picker",
    summary="Staff: people and organisations named like a name (the entity picker)",
)
def pick_entities(request, payload: PickerIn) -> dict:
    """Candidates of the staff forms' entity picker, as the caller may see them (a session
    with its CSRF token, or a token); only for staff."""
    user, _ = caller(request)
    if not getattr(user, "is_authenticated", False):
        raise HttpError(401, "Sign in first.")
    if not has_role(user, "contributor"):
        raise HttpError(403, "Only staff may use the picker.")
    found = picker.find(
        user, payload.query, picker.PERSON if payload.kind == "person" else picker.ANY
    )
    return {"candidates": [c.as_dict() for c in found]}
