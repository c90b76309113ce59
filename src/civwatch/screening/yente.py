"""yente's API, served by civwatch for yente clients (nomenklatura's YenteEnricher, OpenRefine,
OpenSanctions' client libraries) configured with the base URL `https://HOST/yente/api`.

Clients join paths to the base URL with `urljoin`: with a trailing slash that gives
`/yente/api/match/...`, without one `/yente/match/...`. Both mounts serve the same views
(`urlpatterns` below), so the base URL works either way. Everything here is public: the
index of public lists (civwatch.screening.lists), nothing from case records, no session:
a staff member's login changes nothing, and CORS lets any page read it (without cookies).

Shapes follow yente's models (yente/data/common.py, yente/data/dataset.py); the code is ours.
"""

import datetime
import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseRedirectBase
from django.urls import URLPattern, include, path
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from followthemoney import model
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.errors import HttpError

from civwatch.matching import DEFAULT_THRESHOLD
from civwatch.registers.models import Register, Snapshot
from civwatch.sanctions.models import Dataset, DatasetVersion
from civwatch.screening import api as match_api
from civwatch.screening.api import ErrorOut
from civwatch.screening.lists import (
    ACCOUNTABILITY,
    COLLECTIONS,
    DEFAULT,
    REGISTERS,
    SANCTIONS,
    Filters,
    Listed,
    aware,
    database_index,
    iso,
    name_record,
)

ALGORITHM = "civwatch"
MAX_PAGE = 500
# A text search is a ranked list, not a screening: a surname alone covers only part of a
# full name (about 0.4 for surname of three words), and should still find it.
SEARCH_CUTOFF = 0.3
# Methods a cross-origin page may use: reads, and the POSTs that only read (/match, /reconcile).
READ_METHODS = ("GET", "HEAD", "OPTIONS")
POST_READS = ("match/", "reconcile/")


class EntityOut(match_api.FtmEntityOut):
    """A FollowTheMoney entity as yente serves it. In the nested shape a property of entity
    type holds entities (here: the Sanction entities of the record's listings)."""

    first_seen: str | None
    last_seen: str | None
    last_change: str | None


class Total(Schema):
    value: int
    relation: str = "eq"


class FacetValue(Schema):
    name: str
    label: str
    count: int


class Facet(Schema):
    label: str
    values: list[FacetValue]


class SearchOut(Schema):
    limit: int
    offset: int
    total: Total
    results: list[EntityOut]
    facets: dict[str, Facet]


class AdjacentPage(Schema):
    limit: int
    offset: int
    total: Total
    results: list[EntityOut]


class AdjacentOut(Schema):
    entity: EntityOut
    adjacent: dict[str, AdjacentPage]


class DatasetOut(Schema):
    name: str
    title: str
    summary: str | None
    url: str | None
    publisher: str | None
    updated_at: str | None
    last_export: str | None
    version: str
    entity_count: int
    children: list[str]
    load: bool
    index_version: str
    index_current: bool


class CatalogOut(Schema):
    datasets: list[DatasetOut]
    current: list[str]
    outdated: list[str]
    index_stale: bool


class FeatureDoc(Schema):
    description: str
    coefficient: float


class AlgorithmDocs(Schema):
    name: str
    description: str
    config: dict[str, Any]
    features: dict[str, FeatureDoc]


class AlgorithmOut(Schema):
    name: str
    description: str
    features: dict[str, FeatureDoc]
    docs: AlgorithmDocs


class AlgorithmsOut(Schema):
    algorithms: list[AlgorithmOut]
    default: str
    best: str


class StatusOut(Schema):
    status: str


class SearchParams(Schema):
    q: str = ""
    schema_: str = Field("Thing", alias="schema")
    limit: int = Field(10, ge=0, le=MAX_PAGE)
    offset: int = Field(0, ge=0)
    include_dataset: list[str] = []
    exclude_dataset: list[str] = []
    exclude_schema: list[str] = []
    topics: list[str] = []
    datasets: list[str] = []
    changed_since: datetime.datetime | None = None

    def filters(self) -> Filters:
        return Filters(
            include_datasets=frozenset(self.include_dataset + self.datasets),
            exclude_datasets=frozenset(self.exclude_dataset),
            exclude_schemata=frozenset(self.exclude_schema),
            # Search's `schema` is "of this type": the schema and its descendants.
            schemata=frozenset(
                name for name, schema in model.schemata.items() if schema.is_a(self.schema_)
            ),
            topics=frozenset(self.topics),
            changed_since=aware(self.changed_since),
        )


def sanctions(listed: Listed) -> list[dict]:
    """Each listing as an FtM Sanction entity (nested under the record's `sanctions`)."""
    entities = []
    for listing in listed.listings:
        digest = hashlib.sha256(f"{listed.id}|{listing.dataset}|{listing.reference}|"
                              f"{listing.via}".encode()).hexdigest()[:16]  # fmt: skip
        properties = {"entity": [listed.id], "authority": [listing.title]}
        for prop, value in (("program", listing.programme), ("programId", listing.reference),
                            ("status", listing.status), ("reason", listing.via and
                            f"member of {listing.via}")):  # fmt: skip
            if value:
                properties[prop] = [value]
        if listing.date:
            properties["listingDate"] = [listing.date.isoformat()]
        if listing.url:
            properties["sourceUrl"] = [listing.url]
        entities.append({
            "id": f"civwatch-sanction-{digest}", "caption": listing.title, "schema": "Sanction",
            "properties": properties, "datasets": [listing.dataset], "referents": [],
            "target": False, "first_seen": None, "last_seen": None, "last_change": None,
        })  # fmt: skip
    return entities


def nested_entity(listed: Listed) -> dict:
    data = listed.as_ftm()
    if listed.listings and model.get(listed.schema).get("sanctions"):
        data["properties"]["sanctions"] = sanctions(listed)
    return data


router = Router(tags=["yente"])


@router.post("/match/{dataset}", response={200: match_api.MatchOut, 400: ErrorOut,
             404: ErrorOut}, by_alias=True)  # fmt: skip
def match(request, dataset: str, body: match_api.MatchRequest,
          params: Query[match_api.MatchParams]) -> HttpResponse:  # fmt: skip
    """yente's query-by-example matching (the same as `POST /api/match/{dataset}`)."""
    return match_api.run_match(dataset, body, params)


@router.get("/search/{dataset}", response={200: SearchOut, 400: ErrorOut, 404: ErrorOut},
            by_alias=True)  # fmt: skip
def search(request, dataset: str, params: Query[SearchParams]) -> dict:
    """Text search: `q` is matched as a name (any script or romanisation), best first;
    without `q`, the dataset's records by name."""
    index = database_index()
    match_api.check_datasets(
        index, dataset, *params.include_dataset, *params.exclude_dataset, *params.datasets
    )
    if model.get(params.schema_) is None:
        raise HttpError(400, f"unknown schema {params.schema_!r}")
    if params.q.strip():
        query = name_record(params.q, params.schema_)
        hits = index.search(
            query, dataset, limit=params.offset + params.limit, threshold=DEFAULT_THRESHOLD,
            cutoff=SEARCH_CUTOFF, filters=params.filters(),
        )  # fmt: skip
        found = [hit.listed for hit in hits]
    else:
        within = index.filtered(dataset, None, params.filters())
        numbers = range(len(index)) if within is None else sorted(within)
        found = sorted((index.listed[n] for n in numbers), key=lambda x: (x.caption, x.id))
    return {
        "limit": params.limit, "offset": params.offset,
        "total": {"value": len(found),
                  "relation": "gte" if len(found) == params.offset + params.limit else "eq"},
        "results": [x.as_ftm() for x in found[params.offset : params.offset + params.limit]],
        "facets": facets(found),
    }  # fmt: skip


def facets(found: list[Listed]) -> dict:
    counts: dict[str, dict[str, int]] = {"datasets": {}, "schema": {}, "topics": {}}
    for listed in found:
        for facet, values in (("datasets", listed.datasets), ("schema", [listed.schema]),
                              ("topics", listed.topics)):  # fmt: skip
            for value in values:
                counts[facet][value] = counts[facet].get(value, 0) + 1
    labels = {"datasets": "Data sources", "schema": "Types", "topics": "Topics"}
    return {
        facet: {"label": labels[facet], "values": [
            {"name": name, "label": facet_label(facet, name), "count": count}
            for name, count in sorted(values.items(), key=lambda x: (-x[1], x[0]))
        ]}
        for facet, values in counts.items()
    }  # fmt: skip


def facet_label(facet: str, name: str) -> str:
    if facet == "schema":
        schema = model.get(name)
        return schema.label if schema else name
    return name


class Redirect308(HttpResponseRedirectBase):
    """A merged record's other id: yente answers with a permanent redirect to the record."""

    status_code = 308


def record_or_404(entity_id: str) -> Listed:
    listed = database_index().get(entity_id)
    if listed is None:
        raise HttpError(404, "No such entity")
    return listed


@router.get("/entities/{entity_id}", response={200: EntityOut, 404: ErrorOut}, by_alias=True)
def entity(request, entity_id: str, nested: bool = True):
    """The record in full (all members' names, properties and datasets); nested, its listings
    as Sanction entities under `sanctions`. A referent's id redirects to the record's."""
    listed = record_or_404(entity_id)
    if listed.id != entity_id:
        return Redirect308(request.get_full_path().replace(entity_id, listed.id, 1))
    return nested_entity(listed) if nested else listed.as_ftm()


@router.get("/entities/{entity_id}/adjacent", response={200: AdjacentOut, 404: ErrorOut},
            by_alias=True)  # fmt: skip
def adjacent(request, entity_id: str, limit: int = Query(10, ge=0, le=MAX_PAGE),
             offset: int = Query(0, ge=0)):  # fmt: skip
    """The entities next to the record, by property, a page at a time (here its sanctions)."""
    listed = record_or_404(entity_id)
    if listed.id != entity_id:
        return Redirect308(request.get_full_path().replace(entity_id, listed.id, 1))
    nested = nested_entity(listed)
    pages = {}
    for prop, values in nested["properties"].items():
        if values and isinstance(values[0], dict):
            pages[prop] = {"limit": limit, "offset": offset,
                           "total": {"value": len(values), "relation": "eq"},
                           "results": values[offset : offset + limit]}  # fmt: skip
    return {"entity": listed.as_ftm(), "adjacent": pages}


def version(moment: datetime.date | datetime.datetime | None) -> str:
    """yente's version strings: the time as YYYYMMDDhhmmss."""
    if moment is None:
        return "static"
    return moment.strftime("%Y%m%d%H%M%S")


@router.get("/catalog", response=CatalogOut)
def catalog(request) -> dict:
    """Every dataset and collection searchable here, with its version (the latest import)."""
    index = database_index()
    counts = {name: len(numbers) for name, numbers in index.scopes.items()}
    entries = []
    for register in Register.objects.order_by("slug"):
        latest = Snapshot.objects.filter(register=register).order_by("-imported_at").first()
        entries.append(dataset_entry(
            register.slug, register.name_en, None, None, "", latest and latest.imported_at,
            latest and latest.as_of, counts.get(register.slug, 0),
        ))  # fmt: skip
    for dataset in Dataset.objects.order_by("slug"):
        latest = DatasetVersion.objects.filter(dataset=dataset).order_by("-imported_at").first()
        entries.append(dataset_entry(
            dataset.slug, dataset.title, None, dataset.source_url or None, dataset.publisher,
            latest and latest.imported_at, latest and latest.source_date,
            counts.get(dataset.slug, 0),
        ))  # fmt: skip
    children = {
        DEFAULT: [*sorted(x["name"] for x in entries), ACCOUNTABILITY, REGISTERS, SANCTIONS],
        REGISTERS: list(Register.objects.order_by("slug").values_list("slug", flat=True)),
        SANCTIONS: list(
            Dataset.objects.filter(kind=Dataset.Kind.OFFICIAL)
            .order_by("slug")
            .values_list("slug", flat=True)
        ),
        ACCOUNTABILITY: [],
    }
    titles = {
        DEFAULT: "Every public list",
        REGISTERS: "Russian state registers",
        SANCTIONS: "Official sanctions lists",
        ACCOUNTABILITY: "Accountability list",
    }
    newest = max((x["_imported"] for x in entries if x["_imported"]), default=None)
    for name in COLLECTIONS:
        count = len(index) if name == DEFAULT else counts.get(name, 0)
        entries.append(dataset_entry(name, titles[name], "Collection", None, "", newest,
                                     None, count, children[name]))  # fmt: skip
    for entry in entries:
        del entry["_imported"]
    names = [entry["name"] for entry in entries]
    return {"datasets": entries, "current": names, "outdated": [], "index_stale": False}


def dataset_entry(
    name: str, title: str, summary: str | None, url: str | None, publisher: str,
    imported: datetime.datetime | None, source_date: datetime.date | None, count: int,
    children: list[str] | None = None,
) -> dict:  # fmt: skip
    return {
        "name": name, "title": title, "summary": summary, "url": url,
        "publisher": publisher or None, "updated_at": source_date and source_date.isoformat(),
        "last_export": iso(imported), "version": version(imported), "entity_count": count,
        "children": children or [], "load": children is None,
        "index_version": version(imported), "index_current": True, "_imported": imported,
    }  # fmt: skip


FEATURES = {
    "name": ("Share of the names' words that pair up by sound across scripts and "
             "romanisations, weighted by rarity", 1.0),
    "birthDate": ("Birth dates: the same date raises the score, another day or year lowers it",
                  0.0),
    "identifiers": ("A shared identifier sets the score to at least 0.99; a different one of "
                    "the same kind halves it", 0.0),
    "country": ("Countries that disagree lower the score (x0.9)", 0.0),
}  # fmt: skip


@router.get("/algorithms", response=AlgorithmsOut)
def algorithms(request) -> dict:
    """The one scoring algorithm (names across Cyrillic and Latin; docs/matching.md)."""
    features = {name: {"description": text, "coefficient": weight}
                for name, (text, weight) in FEATURES.items()}  # fmt: skip
    description = ("civwatch's matcher: phonetic keys across Cyrillic and every common "
                   f"romanisation; a match from {DEFAULT_THRESHOLD}. It takes no weights "
                   "or config; 'best' and 'default' name it too.")  # fmt: skip
    docs = {"name": ALGORITHM, "description": description, "config": {}, "features": features}
    return {
        "algorithms": [
            {"name": ALGORITHM, "description": description, "features": features, "docs": docs}
        ],
        "default": ALGORITHM,
        "best": ALGORITHM,
    }


@router.get("/healthz", response=StatusOut)
def healthz(request) -> dict:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz", response={200: StatusOut, 503: ErrorOut})
def readyz(request):
    """The index of the lists is built (it is built here if it is not)."""
    database_index()
    return {"status": "ok"}


yente_api = NinjaAPI(
    title="civwatch yente-compatible API",
    version="1",
    description="yente's API over civwatch's public lists. Base URL: https://HOST/yente/api "
    "(see docs/matching.md).",
    urls_namespace="yente",
)
yente_api.add_router("/", router)
yente_api.add_router("/", "civwatch.screening.reconcile.router")


def cors(view):
    """CORS for reads: any origin, no credentials (a session cookie is never sent along)."""

    @csrf_exempt
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        allowed = READ_METHODS
        if request.path_info.split("/yente/", 1)[-1].removeprefix("api/").startswith(POST_READS):
            allowed = (*READ_METHODS, "POST")
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ", ".join(allowed)
            response["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = view(request, *args, **kwargs)
        if request.method in allowed:
            response["Access-Control-Allow-Origin"] = "*"
            patch_vary_headers(response, ["Origin"])
        return response

    return wrapped


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return cors(lambda request: JsonResponse({"detail": "Not Found"}, status=404))(request)


def mounted() -> list[URLPattern]:
    """The yente API's views, each with CORS."""
    patterns, _app, _namespace = yente_api.urls
    return [path(str(p.pattern), cors(p.callback), name=p.name) for p in patterns]


# With the base URL's trailing slash clients ask under yente/api/, without it under yente/.
urlpatterns = [
    path("yente/api/", include((mounted(), "yente"), namespace="yente")),
    path("yente/", include((mounted(), "yente"), namespace="yente-bare")),
    path("yente/<path:rest>", not_found),
    path("yente/", not_found),
]
