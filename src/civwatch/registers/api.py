"""JSON API for the registers: entities, designations, snapshots, changes, statistics."""

import datetime
import warnings
from typing import Literal

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from civwatch.accounts import permissions
from civwatch.cases.access import BadToken, request_user
from civwatch.core.params import DbId, Limit, Offset
from civwatch.entities.models import Entity, listed_named
from civwatch.registers.models import Change, Designation, LegalBasis, Register, Snapshot
from civwatch.registers.models import RegisterSlug as Registers
from civwatch.registers.queries import (
    designations_per_month,
    filter_designations,
    names_at_changes,
)
from civwatch.registers.timeline import Category, designations_for_timeline, entity_timeline
from civwatch.screening import ranking
from civwatch.screening.ranking import NAME_SEARCH

# pydantic warns that a field named "register" shadows a method of its BaseModel; the API
# keeps the name its users see everywhere else (exports, URLs, query parameters).
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)

router = Router(tags=["registers"])
RegisterSlug = Literal[tuple(Registers.values)]
EntityKind = Literal["person", "organization", "association", "media"]
Status = Literal["active", "removed"]
ChangeKind = Literal["added", "removed", "modified", "reinstated"]


class PageParams(Schema):
    limit: Limit = 50
    offset: Offset = 0


class DesignationFilters(PageParams):
    register: RegisterSlug | None = None
    legal_basis: str | None = Field(None, max_length=32)
    kind: EntityKind | None = None
    status: Status | None = None
    year: int | None = Field(None, ge=1990, le=2100)
    q: str | None = Field(None, max_length=200, description=NAME_SEARCH)


class ChangeFilters(PageParams):
    register: RegisterSlug | None = None
    kind: ChangeKind | None = None
    since: datetime.date | None = None
    snapshot: DbId | None = None


class RegisterOut(Schema):
    slug: str
    name_en: str
    name_ru: str
    # What to know before reading a listing as a fact (empty for most registers).
    caveat_en: str
    caveat_ru: str


class LegalBasisOut(Schema):
    code: str
    label_en: str
    label_ru: str
    short_en: str
    short_ru: str


class SnapshotOut(Schema):
    id: int
    register: str = Field(alias="register_id")
    as_of: datetime.date
    file_name: str
    sha256: str
    row_count: int
    status: str
    report: dict = Field(description="the importer's notes: staff only, empty for the public")


class DesignationOut(Schema):
    id: int
    register: str = Field(alias="register_id")
    row_id: str
    entity_id: str
    entity_name: str = Field(alias="entity.name")
    entity_kind: str = Field(alias="entity.kind")
    name: str = Field(alias="record.name")
    legal_basis: str | None = Field(alias="legal_basis_id")
    listed_on: datetime.date | None
    published_on: datetime.date | None
    removed_on: datetime.date | None
    status: str
    first_seen: datetime.date = Field(alias="first_seen.as_of")
    last_seen: datetime.date = Field(alias="last_seen.as_of")


class NameOut(Schema):
    name: str
    kind: str


class IdentifierOut(Schema):
    scheme: str
    value: str


class EntityRef(Schema):
    id: str
    name: str
    kind: str


class EntityOut(EntityRef):
    name_latin: str
    ftm_schema: str = Field(alias="schema", description="FollowTheMoney schema")
    birth_date: str


class EntityDetail(EntityOut):
    names: list[NameOut]
    identifiers: list[IdentifierOut]
    websites: list[str]
    members: list[EntityRef]
    member_of: list[EntityRef]
    designations: list[DesignationOut]

    @staticmethod
    def resolve_names(entity: Entity) -> list:
        return list(entity.names.all())

    @staticmethod
    def resolve_identifiers(entity: Entity) -> list:
        return list(entity.identifiers.all())

    @staticmethod
    def resolve_websites(entity: Entity) -> list[str]:
        return [w.url for w in entity.websites.all()]

    @staticmethod
    def resolve_members(entity: Entity) -> list:
        return list(entity.members.all())

    @staticmethod
    def resolve_member_of(entity: Entity) -> list:
        return list(entity.member_of.all())

    @staticmethod
    def resolve_designations(entity: Entity) -> list:
        return list(
            entity.designations.select_related("entity", "first_seen", "last_seen").order_by(
                "listed_on"
            )
        )


class ChangeOut(Schema):
    id: int
    snapshot: datetime.date = Field(alias="snapshot.as_of")
    snapshot_id: int
    snapshot_file: str = Field(alias="snapshot.file_name")
    register: str = Field(alias="snapshot.register_id")
    kind: str
    row_id: str
    entity_id: str = Field(alias="designation.entity_id")
    name: str = Field(alias="name_then")
    fields: dict


class Page(Schema):
    count: int
    limit: int
    offset: int


class EntityPage(Page):
    items: list[EntityOut]


class DesignationPage(Page):
    items: list[DesignationOut]


class ChangePage(Page):
    items: list[ChangeOut]


class MonthCount(Schema):
    month: str
    legal_basis: str | None
    count: int


class Statistics(Schema):
    by_status: dict[str, int]
    by_kind: dict[str, int]
    by_legal_basis: dict[str, int]
    per_month: list[MonthCount]


def page(queryset: QuerySet, params: PageParams) -> dict:
    return {
        "count": queryset.count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": list(queryset[params.offset : params.offset + params.limit]),
    }


@router.get("/registers", response=list[RegisterOut])
def list_registers(request):
    return Register.objects.all()


@router.get("/legal-bases", response=list[LegalBasisOut])
def list_legal_bases(request):
    return LegalBasis.objects.all()


@router.get("/snapshots", response=list[SnapshotOut])
def list_snapshots(request, register: RegisterSlug | None = None):
    snapshots = Snapshot.objects.order_by("-as_of", "-file_name")
    if register:
        snapshots = snapshots.filter(register_id=register)
    try:
        staff = permissions.may_read_import_notes(request_user(request))
    except BadToken:
        raise HttpError(401, "Unknown or revoked API token.") from None
    snapshots = list(snapshots)
    if not staff:
        for snapshot in snapshots:  # not saved: the answer only
            snapshot.report = {}
    return snapshots


@router.get("/entities", response=EntityPage)
def list_entities(request, filters: Query[DesignationFilters]):
    """Entities in the registers; with `q`, those named so in any spelling, best match first
    (docs/registers.md, "Searching by name")."""
    designations = filter_designations(
        Designation.objects.all(), **filters.dict(exclude={"limit", "offset", "q"})
    )
    entities = Entity.objects.filter(designations__in=designations).distinct()
    if filters.q and filters.q.strip():
        entities = ranking.named(entities, filters.q, listed_named(filters.q), "pk")
    return page(entities.order_by(*ranking.best_first(filters.q), "name", "pk"), filters)


@router.get("/entities/{entity_id}", response=EntityDetail)
def get_entity(request, entity_id: str = Path(..., max_length=64)):
    return get_object_or_404(Entity.objects.listed(), pk=entity_id)


class TimelineEvidenceOut(Schema):
    title: str
    source: str
    url: str = Field(description="the original address, when public")
    preview_url: str


class TimelineChangeOut(Schema):
    field: str
    label: str = Field(description="the field's name for people, in the request's language")
    summary: str = Field(description='the change in words: "removal date corrected"')
    before: str
    after: str
    added: list[str] = Field(description="of a list (websites, members): every item added")
    removed: list[str] = Field(description="of a list: every item removed")


class TimelineItemOut(Schema):
    date: datetime.date | None
    date_display: str = Field(description="the date at its precision: YYYY, YYYY-MM or a day")
    category: Literal[tuple(Category.values)]  # type: ignore[valid-type]
    kind: str = Field(
        description="register: listed, published, added, modified, removed, reinstated, "
        "delisted; incident: the incident type code; sanctions: the jurisdiction; "
        "accountability: the entry's status"
    )
    title: str
    detail: str
    url: str = Field(description="the item's page on this site")
    source: str
    source_url: str
    changes: list[TimelineChangeOut]
    evidence: list[TimelineEvidenceOut]


@router.get("/entities/{entity_id}/timeline", response=list[TimelineItemOut])
def get_entity_timeline(request, entity_id: str = Path(..., max_length=64)):
    """The entity's public story, oldest first: register events, public incidents, sanctions
    listings through confirmed links, accountability entries (docs/registers.md)."""
    entity = get_object_or_404(
        Entity.objects.listed().prefetch_related(designations_for_timeline()), pk=entity_id
    )
    return entity_timeline(entity)


@router.get("/designations", response=DesignationPage)
def list_designations(request, filters: Query[DesignationFilters]):
    designations = filter_designations(
        Designation.objects.select_related("entity", "first_seen", "last_seen"),
        **filters.dict(exclude={"limit", "offset"}),
    ).order_by(*ranking.best_first(filters.q), "register", "listed_on", "id")
    return page(designations, filters)


@router.get("/changes", response=ChangePage)
def list_changes(request, filters: Query[ChangeFilters]):
    changes = Change.objects.select_related("snapshot", "designation")
    if filters.register:
        changes = changes.filter(snapshot__register_id=filters.register)
    if filters.kind:
        changes = changes.filter(kind=filters.kind)
    if filters.since:
        changes = changes.filter(snapshot__as_of__gte=filters.since)
    if filters.snapshot:
        changes = changes.filter(snapshot_id=filters.snapshot)
    result = page(changes.order_by("-snapshot__as_of", "-snapshot__file_name", "id"), filters)
    # Each change is named as its snapshot named the designation (docs/registers.md).
    names = names_at_changes(result["items"])
    for change in result["items"]:
        change.name_then = names.get(change.pk, change.designation.record["name"])
    return result


@router.get("/statistics", response=Statistics)
def statistics(request, register: RegisterSlug | None = None):
    designations = filter_designations(Designation.objects.all(), register=register)

    def counts(field: str) -> dict[str, int]:
        rows = designations.values(field).annotate(n=Count("id")).order_by(field)
        return {str(row[field]): row["n"] for row in rows}

    return {
        "by_status": counts("status"),
        "by_kind": counts("entity__kind"),
        "by_legal_basis": counts("legal_basis"),
        "per_month": [
            {**row, "month": row["month"].strftime("%Y-%m")}
            for row in designations_per_month(register)
        ],
    }
