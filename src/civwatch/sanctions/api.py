"""JSON API for datasets, entries, sanctions status and cross-reference links.

Datasets, entries and statuses are public data. Links: without a token, confirmed links
between public datasets only, decided by "an editor" (`decided_by_role`); a researcher's
token shows every link and who decided it (`decided_by`); an editor's token may confirm or
reject them.
"""

import datetime
from typing import Any, Literal

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from civwatch.accounts.models import has_role
from civwatch.cases.access import BadToken, request_user
from civwatch.core.params import Limit, Offset
from civwatch.sanctions.models import Dataset, Link, ListEntry
from civwatch.sanctions.queries import (
    links_of,
    public_entity,
    search_entries,
    shown_links,
    visible_links,
)
from civwatch.sanctions.status import sanctions_status
from civwatch.screening import ranking
from civwatch.screening.ranking import NAME_SEARCH

router = Router(tags=["sanctions"])


class VersionOut(Schema):
    id: int
    source_date: datetime.date | None
    imported_at: datetime.datetime
    files: dict[str, str]
    added: int
    changed: int
    removed: int


class DatasetOut(Schema):
    slug: str
    title: str
    publisher: str
    source_url: str
    licence: str
    jurisdiction: str | None
    kind: str
    latest_version: VersionOut | None


class EntryOut(Schema):
    dataset: str
    source_id: str
    entity_id: str
    # "schema" is a method of pydantic's models: the field is named schema_ and answered
    # under FollowTheMoney's name (by_alias on the operations).
    schema_: str = Field(alias="schema")
    name: str
    aliases: list[str]
    birth_dates: list[str]
    programmes: list[str]
    listed_since: datetime.date | None
    tags: list[str]
    description: str
    present: bool


class EntryPage(Schema):
    count: int
    results: list[EntryOut]


class LinkOut(Schema):
    id: int
    left_id: str
    left_dataset: str
    left_name: str
    right_id: str
    right_dataset: str
    right_name: str
    score: float
    status: str
    explanation: dict[str, Any]
    # The public sees who decided as a role; only researchers' answers carry the user name.
    decided_by_role: str | None = None
    decided_by: str | None = Field(None, description="researchers and above only")
    decided_at: datetime.datetime | None


class LinkPage(Schema):
    count: int
    results: list[LinkOut]


class Listing(Schema):
    dataset: str
    dataset_title: str
    programme: str | None
    since: str | None
    source_id: str
    name: str
    kinds: list[str]  # kinds of regime (programmes.json): human_rights, anti_corruption, ...


class ExternalListing(Schema):
    dataset: str
    dataset_title: str
    source_id: str
    name: str
    tags: list[str]


class PossibleListingOut(Schema):
    dataset: str
    dataset_title: str
    programme: str
    source_id: str
    name: str
    link_id: int
    score: float


class StatusOut(Schema):
    jurisdictions: dict[str, list[Listing]]
    not_acted: list[str]
    # Staff (researchers and above) only: listings reached through proposed links.
    awaiting_review: dict[str, list[PossibleListingOut]] = {}
    unchecked: list[str]
    external: list[ExternalListing]
    as_of: dict[str, str | None]  # per jurisdiction, the date of its latest imported list


class EntityStatusOut(StatusOut):
    entity_id: str


class EntryDetail(EntryOut):
    sanctions_status: StatusOut
    links: list[LinkOut]


def caller(request: HttpRequest) -> Any:
    try:
        return request_user(request)
    except BadToken:
        raise HttpError(401, "Unknown or revoked API token.") from None


def dataset_json(dataset: Dataset) -> dict:
    version = dataset.latest_version
    return {
        "slug": dataset.slug,
        "title": dataset.title,
        "publisher": dataset.publisher,
        "source_url": dataset.source_url,
        "licence": dataset.licence,
        "jurisdiction": dataset.jurisdiction or None,
        "kind": dataset.kind,
        "latest_version": version
        and {
            "id": version.pk,
            "source_date": version.source_date,
            "imported_at": version.imported_at,
            "files": version.files,
            "added": version.added,
            "changed": version.changed,
            "removed": version.removed,
        },
    }


def entry_json(entry: ListEntry) -> dict:
    return {
        "dataset": entry.dataset_id,
        "source_id": entry.source_id,
        "entity_id": entry.entity_id,
        "schema": entry.schema,
        "name": entry.name,
        "aliases": entry.record.get("aliases", []),
        "birth_dates": entry.record.get("birth_dates", []),
        "programmes": entry.programmes,
        "listed_since": entry.listed_since,
        "tags": entry.tags,
        "description": entry.description,
        "present": entry.present,
    }


def link_json(link: Link, internal: bool) -> dict:
    """A link; who decided it is a role for the public, the user name for researchers."""
    data = {
        "id": link.pk,
        **link.as_json_line(),
        "explanation": link.explanation,
        "decided_by_role": Link.DECIDER_ROLE if link.decided else None,
        "decided_at": link.decided_at,
    }
    if internal:
        data["decided_by"] = link.decided_by.get_username() if link.decided_by else None
    return data


@router.get(
    "/sanctions/datasets",
    response=list[DatasetOut],
    summary="Imported sanctions lists and external lists",
)
def list_datasets(request) -> list[dict]:
    return [dataset_json(d) for d in Dataset.objects.all()]


class EntryFilters(Schema):
    dataset: str = Field(..., max_length=64, description="dataset slug")
    q: str | None = Field(None, max_length=200, description=NAME_SEARCH)
    tag: str | None = Field(None, max_length=200)
    programme: str | None = Field(None, max_length=100)
    limit: Limit = 50
    offset: Offset = 0


@router.get(
    "/sanctions/entries",
    response=EntryPage,
    by_alias=True,
    summary="Entries of a dataset's latest version",
)
def list_entries(request, filters: Query[EntryFilters]) -> dict:
    dataset = get_object_or_404(Dataset, slug=filters.dataset)
    entries = search_entries(
        dataset.entries.filter(present=True),
        filters.q or "",
        filters.tag or "",
        filters.programme or "",
    ).order_by(*ranking.best_first(filters.q), "name", "source_id")
    page = entries[filters.offset : filters.offset + filters.limit]
    return {"count": entries.count(), "results": [entry_json(e) for e in page]}


@router.get(
    "/sanctions/entry",
    response=EntryDetail,
    by_alias=True,
    summary="One entry with its sanctions status (through confirmed links) and links",
)
def get_entry(
    request,
    dataset: str = Query(..., max_length=64),
    source_id: str = Query(..., max_length=128),
) -> dict:
    entry = get_object_or_404(
        ListEntry.objects.select_related("dataset"), dataset=dataset, source_id=source_id
    )
    user = caller(request)
    internal = has_role(user, "researcher")
    status = sanctions_status(entry.entity, public_only=not internal, with_possible=internal)
    links = links_of([entry.entity_id], user).select_related("decided_by")
    return {
        **entry_json(entry),
        "sanctions_status": status.as_dict(),
        "links": [link_json(link, internal) for link in shown_links(user, links)],
    }


@router.get(
    "/sanctions/status/{entity_id}",
    response=EntityStatusOut,
    summary="Sanctions status of an entity: by jurisdiction, and who has not acted",
)
def get_status(request, entity_id: str = Path(..., max_length=64)) -> dict:
    internal = has_role(caller(request), "researcher")
    if public_entity(entity_id) is None and not internal:
        raise HttpError(404, "Not found.")
    return {
        "entity_id": entity_id,
        **sanctions_status(entity_id, public_only=not internal, with_possible=internal).as_dict(),
    }


class LinkFilters(Schema):
    status: Literal["proposed", "confirmed", "rejected"] | None = None
    dataset: str | None = Field(None, max_length=64)
    limit: int = Field(100, ge=1, le=1000)
    offset: Offset = 0


@router.get(
    "/sanctions/links",
    response=LinkPage,
    summary="Cross-reference links (public: confirmed ones only)",
)
def list_links(request, filters: Query[LinkFilters]) -> dict:
    user = caller(request)
    internal = has_role(user, "researcher")
    links = visible_links(user)
    if filters.status:
        links = links.filter(status=filters.status)
    if filters.dataset:
        links = links.filter(Q(left_dataset=filters.dataset) | Q(right_dataset=filters.dataset))
    links = links.select_related("decided_by").order_by("-score", "pk")
    page = links[filters.offset : filters.offset + filters.limit]
    results = [link_json(link, internal) for link in shown_links(user, page)]
    return {"count": links.count(), "results": results}


class Decision(Schema):
    status: Literal["proposed", "confirmed", "rejected"]


@router.post(
    "/sanctions/links/{int:link_id}/decision",
    response=LinkOut,
    summary="Confirm or reject a link (editors)",
)
def decide_link(request, link_id: int, decision: Decision) -> dict:
    user = caller(request)
    if not has_role(user, "editor"):
        raise HttpError(403 if user.is_authenticated else 401, "Editors decide links.")
    link = get_object_or_404(visible_links(user), pk=link_id)
    link.decide(user, decision.status)
    return link_json(shown_links(user, [link])[0], internal=True)
