"""OpenRefine reconciliation (W3C Reconciliation Service API, version 0.2) at
`/yente/api/reconcile/{dataset}`: the manifest, batches of queries, entity, type and property
suggestions, previews and data extension, over the index of public lists.

Candidates come from the matching library (civwatch.matching via the lists index), the
same engine and scores as /match: a query finds names in any script or romanisation.
"""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from followthemoney import model
from followthemoney.property import Property
from followthemoney.schema import Schema as FtmSchema
from followthemoney.types import registry
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import ValidationError

from civwatch.matching import DEFAULT_THRESHOLD
from civwatch.matching.batch import SCREENABLE, BadLine, checked_record
from civwatch.screening import api as match_api
from civwatch.screening.api import ErrorOut
from civwatch.screening.lists import Listed, ListsIndex, database_index

router = Router(tags=["reconciliation"])
BATCH_SIZE = 10
MAX_LIMIT = 50
SUGGEST_LIMIT = 10
SPACE = "https://github.com/alephdata/followthemoney"  # FtM: the ids' and types' vocabulary


class ReconType(Schema):
    id: str
    name: str
    description: str | None = None


class ReconProperty(Schema):
    id: str
    name: str
    description: str | None = None


class ReconCandidate(Schema):
    id: str
    name: str
    description: str | None
    type: list[ReconType]
    score: float
    match: bool


class ReconResults(Schema):
    result: list[ReconCandidate]


class PropertyValue(Schema):
    pid: str
    v: str | int | float | bool | list[Any] | dict[str, Any]


class ReconQuery(Schema):
    query: str = ""
    type: str | list[str] | None = None
    limit: int = Field(5, ge=1, le=MAX_LIMIT)
    properties: list[PropertyValue] = []
    type_strict: str | None = None


class ExtendSetting(Schema):
    limit: int = 0


class ExtendProperty(Schema):
    id: str
    settings: ExtendSetting = ExtendSetting()


class ExtendQuery(Schema):
    ids: list[str] = Field(..., max_length=500)
    properties: list[ExtendProperty]


class ExtendMeta(Schema):
    id: str
    name: str


class ExtendValue(Schema):
    str: str


class ExtendOut(Schema):
    meta: list[ExtendMeta]
    rows: dict[str, dict[str, list[ExtendValue]]]


class ServicePath(Schema):
    service_url: str
    service_path: str


class ManifestSuggest(Schema):
    entity: ServicePath
    type: ServicePath
    property: ServicePath


class ManifestView(Schema):
    url: str


class ManifestPreview(Schema):
    url: str
    width: int
    height: int


class ManifestExtend(Schema):
    propose_properties: ServicePath
    property_settings: list[dict[str, Any]]


class Manifest(Schema):
    versions: list[str]
    name: str
    identifierSpace: str
    schemaSpace: str
    documentation: str
    batchSize: int
    view: ManifestView
    preview: ManifestPreview
    suggest: ManifestSuggest
    extend: ManifestExtend
    defaultTypes: list[ReconType]


class SuggestTypes(Schema):
    prefix: str
    result: list[ReconType]


class SuggestEntities(Schema):
    prefix: str
    result: list[ReconCandidate]


class SuggestProperties(Schema):
    prefix: str
    result: list[ReconProperty]


class ProposedProperties(Schema):
    type: str
    limit: int
    properties: list[ReconProperty]


def index_for(dataset: str) -> ListsIndex:
    index = database_index()
    match_api.check_datasets(index, dataset)
    return index


def schema_type(schema: FtmSchema) -> dict:
    return {"id": schema.name, "name": schema.plural, "description": schema.label}


def candidate(listed: Listed, score: float, match: bool) -> dict:
    schema = model.get(listed.schema)
    lists = ", ".join(listing.title for listing in listed.listings)
    return {"id": listed.id, "name": listed.caption, "description": f"{schema.label}: {lists}",
            "type": [schema_type(schema)], "score": score, "match": match}  # fmt: skip


def matchable_schemata(index: ListsIndex) -> list[FtmSchema]:
    return sorted((model.get(name) for name in index.by_schema if name in SCREENABLE),
                  key=lambda schema: schema.name)  # fmt: skip


@router.get("/reconcile/{dataset}", response={200: Manifest | dict[str, ReconResults],
            400: ErrorOut, 404: ErrorOut})  # fmt: skip
def manifest(request: HttpRequest, dataset: str):
    """The service manifest; with `queries` (or `extend`) in the query string, their answer
    (version 0.1 clients ask by GET)."""
    index = index_for(dataset)
    if "queries" in request.GET or "extend" in request.GET:
        return answer(index, dataset, request.GET.get("queries"), request.GET.get("extend"))
    base = request.build_absolute_uri(request.path.rstrip("/"))
    return {
        "versions": ["0.1", "0.2"],
        "name": f"civwatch: {dataset} lists",
        "identifierSpace": f"{SPACE}#entity",
        "schemaSpace": f"{SPACE}#schema",
        "documentation": request.build_absolute_uri("/yente/api/docs"),
        "batchSize": BATCH_SIZE,
        "view": {"url": base + "/view?id={{id}}"},
        "preview": {"url": base + "/preview?id={{id}}", "width": 430, "height": 300},
        "suggest": {
            kind: {"service_url": base, "service_path": f"/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {"service_url": base, "service_path": "/extend/property"},
            "property_settings": [
                {
                    "name": "limit",
                    "label": "Limit",
                    "type": "number",
                    "default": 0,
                    "help_text": "Values per cell (0: all)",
                }
            ],
        },
        "defaultTypes": [schema_type(schema) for schema in matchable_schemata(index)],
    }


@router.post("/reconcile/{dataset}", response={200: dict[str, ReconResults] | ExtendOut,
             400: ErrorOut, 404: ErrorOut})  # fmt: skip
def reconcile(request: HttpRequest, dataset: str):
    """A batch of queries (`queries`: a JSON object of queries by key) or a data extension
    (`extend`), as form fields or in a JSON body."""
    index = index_for(dataset)
    queries, extend = request.POST.get("queries"), request.POST.get("extend")
    if queries is None and extend is None and request.body:
        body = loaded(request.body.decode("utf-8", "replace"), "body")
        if not isinstance(body, dict):
            raise HttpError(400, "body: expected a JSON object")
        queries, extend = body.get("queries"), body.get("extend")
    return answer(index, dataset, queries, extend)


def answer(index: ListsIndex, dataset: str, queries: Any, extend: Any) -> dict:
    if extend:
        return extended(index, parsed(extend, "extend", ExtendQuery))
    if not queries:
        raise HttpError(400, "give `queries` (or `extend`)")
    batch = queries if isinstance(queries, dict) else loaded(queries, "queries")
    if not isinstance(batch, dict):
        raise HttpError(400, "queries: expected an object of queries by key")
    if len(batch) > match_api.MAX_QUERIES:
        raise HttpError(400, f"at most {match_api.MAX_QUERIES} queries per request")
    answers = {}
    for key, data in batch.items():
        query = parsed(data, f"queries.{key}", ReconQuery)
        answers[key] = {"result": reconciled(index, dataset, key, query)}
    return answers


def loaded(text: Any, field: str) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        raise HttpError(400, f"{field}: not valid JSON") from None


def parsed(data: Any, field: str, schema: type[Schema]) -> Any:
    try:
        return schema.model_validate(loaded(data, field))
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(x) for x in problem["loc"])
        raise HttpError(400, f"{field}{'.' + where if where else ''}: {problem['msg']}") from None


def reconciled(index: ListsIndex, dataset: str, key: str, query: ReconQuery) -> list[dict]:
    """One query's candidates, best first, scored as /match scores them."""
    types = [query.type] if isinstance(query.type, str) else query.type or ["Person"]
    schema = model.get(types[0]) if types else None
    if schema is None or schema.name not in SCREENABLE:
        raise HttpError(400, f"queries.{key}.type: {types[0]!r} is not a matchable FtM type")
    properties: dict[str, list[str]] = {"name": [query.query]} if query.query else {}
    for value in query.properties:
        prop = ftm_property(schema, value.pid)
        if prop is not None and isinstance(value.v, (str, int, float)):
            properties.setdefault(prop.name, []).append(str(value.v))
    try:
        record = checked_record({"schema": schema.name, "properties": properties})
    except BadLine as problem:
        raise HttpError(400, f"queries.{key}: {problem}") from None
    hits = index.search(record, dataset, limit=query.limit, threshold=DEFAULT_THRESHOLD,
                        cutoff=match_api.DEFAULT_CUTOFF, schema=schema.name)  # fmt: skip
    return [candidate(hit.listed, hit.score, hit.match) for hit in hits]


def ftm_property(schema: FtmSchema, pid: str) -> Property | None:
    """A property by its name (`birthDate`) or qualified name (`Person:birthDate`)."""
    prop = model.get_qname(pid) if ":" in pid else schema.get(pid)
    if prop is None or prop.type == registry.entity:
        return None
    return prop


def extended(index: ListsIndex, query: ExtendQuery) -> dict:
    """The asked properties of each record, as strings ("rows" keep the asked ids' order)."""
    rows: dict[str, dict[str, list[dict]]] = {}
    meta: dict[str, dict] = {}
    for entity_id in query.ids:
        listed = index.get(entity_id)
        rows[entity_id] = {}
        if listed is None:
            continue
        schema = model.get(listed.schema)
        for asked in query.properties:
            prop = ftm_property(schema, asked.id)
            if prop is None:
                rows[entity_id][asked.id] = []
                continue
            meta.setdefault(asked.id, {"id": asked.id, "name": prop.label})
            values = listed.properties.get(prop.name, [])
            if prop.name == "topics":
                values = listed.topics
            if asked.settings.limit > 0:
                values = values[: asked.settings.limit]
            rows[entity_id][asked.id] = [{"str": v} for v in values]
    for asked in query.properties:
        meta.setdefault(asked.id, {"id": asked.id, "name": asked.id})
    return {"meta": [meta[asked.id] for asked in query.properties], "rows": rows}


@router.get("/reconcile/{dataset}/suggest/entity", response=SuggestEntities)
def suggest_entity(request: HttpRequest, dataset: str, prefix: str = "",
                   limit: int = Query(SUGGEST_LIMIT, ge=1, le=MAX_LIMIT)) -> dict:  # fmt: skip
    """Records for a typed prefix: names starting with it, then the engine's best matches."""
    index = index_for(dataset)
    wanted = prefix.strip().casefold()
    found: dict[str, dict] = {}
    if wanted:
        within = index.filtered(dataset)
        numbers = range(len(index)) if within is None else sorted(within)
        for n in numbers:
            listed = index.listed[n]
            names = [listed.caption, *listed.properties.get("name", [])]
            if any(name.casefold().startswith(wanted) for name in names):
                found[listed.id] = candidate(listed, 1.0, True)
                if len(found) >= limit:
                    break
        if len(found) < limit:
            record = checked_or_none(prefix)
            hits = index.search(record, dataset, limit=limit) if record else []
            for hit in hits:
                found.setdefault(hit.id, candidate(hit.listed, hit.score, hit.match))
    return {"prefix": prefix, "result": list(found.values())[:limit]}


def checked_or_none(name: str):
    try:
        return checked_record({"schema": "LegalEntity", "properties": {"name": [name]}})
    except BadLine:
        return None


@router.get("/reconcile/{dataset}/suggest/type", response=SuggestTypes)
def suggest_type(request: HttpRequest, dataset: str, prefix: str = "") -> dict:
    """The types (FtM schemata) of the dataset's records whose name or label starts so."""
    schemata = matchable_schemata(index_for(dataset))
    wanted = prefix.strip().casefold()
    result = [schema_type(schema) for schema in schemata
              if schema.name.casefold().startswith(wanted)
              or schema.label.casefold().startswith(wanted)]  # fmt: skip
    return {"prefix": prefix, "result": result}


@router.get("/reconcile/{dataset}/suggest/property", response=SuggestProperties)
def suggest_property(request: HttpRequest, dataset: str, prefix: str = "") -> dict:
    """Properties of the dataset's types (qualified names) whose name or label starts so."""
    wanted = prefix.strip().casefold()
    result, seen = [], set()
    for schema in matchable_schemata(index_for(dataset)):
        for prop in schema.properties.values():
            if prop.hidden or prop.type == registry.entity or prop.qname in seen:
                continue
            if prop.name.casefold().startswith(wanted) or prop.label.casefold().startswith(wanted):
                seen.add(prop.qname)
                result.append({"id": prop.qname, "name": prop.label,
                               "description": prop.description})  # fmt: skip
    return {"prefix": prefix, "result": result[:MAX_LIMIT]}


@router.get("/reconcile/{dataset}/extend/property", response={200: ProposedProperties,
            400: ErrorOut, 404: ErrorOut})  # fmt: skip
def propose_properties(request: HttpRequest, dataset: str, type: str = "Person",
                       limit: int = 0) -> dict:  # fmt: skip
    """Properties a column may be extended with, for records of `type`: featured first."""
    index_for(dataset)
    schema = model.get(type)
    if schema is None:
        raise HttpError(400, f"unknown type {type!r}")
    props = [schema.get(name) for name in schema.featured]
    props += sorted((p for p in schema.properties.values() if p.name not in schema.featured),
                    key=lambda p: p.label)  # fmt: skip
    props = [p for p in props if p and not p.hidden and p.type != registry.entity]
    if limit > 0:
        props = props[:limit]
    return {"type": schema.name, "limit": limit,
            "properties": [{"id": p.name, "name": p.label} for p in props]}  # fmt: skip


@router.get("/reconcile/{dataset}/preview", response={200: None, 404: ErrorOut})
def preview(request: HttpRequest, dataset: str, id: str) -> HttpResponse:
    """A small HTML card for OpenRefine's preview pane: name, type, other names, lists."""
    listed = index_for(dataset).get(id)
    if listed is None:
        raise HttpError(404, "No such entity")
    names = [n for n in listed.properties.get("name", []) if n != listed.caption][:5]
    html = format_html(
        '<div style="font-family:sans-serif;font-size:14px"><h3><a href="{}" target="_blank">'
        "{}</a></h3><p>{}</p>{}<ul>{}</ul></div>",
        request.build_absolute_uri(listed.url or "/"),
        listed.caption,
        model.get(listed.schema).label,
        format_html("<p>Also: {}</p>", "; ".join(names)) if names else "",
        format_html_join("", "<li>{} {} {}</li>", (
            (x.title, x.programme, x.date.isoformat() if x.date else "") for x in listed.listings
        )),
    )  # fmt: skip
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@router.get("/reconcile/{dataset}/view", response={302: None, 404: ErrorOut})
def view(request: HttpRequest, dataset: str, id: str) -> HttpResponse:
    """The record's public page (its first listing's: the register entry or list entry)."""
    listed = index_for(dataset).get(id)
    if listed is None or not listed.url:
        raise HttpError(404, "No such entity")
    return HttpResponseRedirect(listed.url)
