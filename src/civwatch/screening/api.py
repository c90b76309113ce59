"""`POST /api/match/{dataset}`: yente's query-by-example matching, answered by civwatch.

The request and response follow yente's /match shapes, so OpenSanctions and yente clients
work unchanged: queries keyed by the caller's names, each an example entity; results with
id, caption, schema, properties, datasets, score, match and explanations.
"""

import datetime
import json
from typing import Any

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from civwatch.matching import DEFAULT_THRESHOLD
from civwatch.matching.batch import BadLine, checked_record
from civwatch.screening.lists import (
    Filters,
    Hit,
    ListsIndex,
    UnknownDataset,
    aware,
    database_index,
)

router = Router(tags=["matching"])
MAX_QUERIES = 500
# yente's defaults: candidates under the cutoff are not returned at all; from the threshold
# up a candidate is a match. Ours keeps our own threshold, calibrated on held-out names.
DEFAULT_CUTOFF = 0.5
ALGORITHMS = {"civwatch", "best", "default"}


class ErrorOut(Schema):
    """An error as JSON (yente's shape): a message, or a validation error's list."""

    detail: str | list[Any]


class EntityExample(Schema):
    id: str | None = None
    schema_: str = Field("Person", alias="schema")
    properties: dict[str, list[Any] | str]


class MatchRequest(Schema):
    queries: dict[str, EntityExample]
    weights: dict[str, float] = {}
    config: dict[str, Any] = {}


class MatchParams(Schema):
    limit: int = Field(5, ge=1, le=500)
    threshold: float = Field(DEFAULT_THRESHOLD, ge=0, le=1)
    cutoff: float = Field(DEFAULT_CUTOFF, ge=0, le=1)
    algorithm: str = "civwatch"
    include_dataset: list[str] = Field([], description="only records in one of these datasets")
    exclude_dataset: list[str] = Field([], description="leave out records only in these")
    exclude_schema: list[str] = Field([], description="leave out records of these schemata")
    exclude_entity_ids: list[str] = Field([], max_length=50, description="ids or referents")
    topics: list[str] = Field([], description="only records with one of these FtM topics")
    changed_since: datetime.datetime | None = Field(
        None, description="only records stored or listed at or after this time (ISO 8601)"
    )

    def filters(self) -> Filters:
        return Filters(
            include_datasets=frozenset(self.include_dataset),
            exclude_datasets=frozenset(self.exclude_dataset),
            exclude_schemata=frozenset(self.exclude_schema),
            exclude_ids=frozenset(self.exclude_entity_ids),
            topics=frozenset(self.topics),
            changed_since=aware(self.changed_since),
        )


class Listing(Schema):
    dataset: str
    group: str
    title: str
    programme: str
    date: str | None
    reference: str
    status: str
    url: str
    via: str


class FtmEntityOut(Schema):
    """A FollowTheMoney entity with yente's envelope (extra FtM keys pass through): the
    fields every entity this API and the yente mount (civwatch.screening.yente) serve has."""

    model_config = ConfigDict(extra="allow")
    id: str
    caption: str
    schema_: str = Field(alias="schema")
    properties: dict[str, list[Any]]
    datasets: list[str]
    referents: list[str]
    target: bool


class MatchResult(FtmEntityOut):
    """A FollowTheMoney entity (extra FtM keys pass through) with yente's match fields."""

    properties: dict[str, list[str]]
    listings: list[Listing]
    score: float
    match: bool
    explanations: dict[str, dict[str, Any]]
    explanation: dict[str, Any]


class MatchTotal(Schema):
    value: int
    relation: str


class MatchQuery(Schema):
    id: str | None
    schema_: str = Field(alias="schema")
    properties: dict[str, list[str]]


class MatchResponse(Schema):
    status: int
    results: list[MatchResult]
    total: MatchTotal
    query: MatchQuery


class MatchOut(Schema):
    responses: dict[str, MatchResponse]
    limit: int


def example_as_ftm(example: EntityExample) -> dict:
    properties = {
        k: [str(v) for v in (values if isinstance(values, list) else [values])]
        for k, values in example.properties.items()
    }
    return {"id": example.id, "schema": example.schema_, "properties": properties}


def explanations(explanation: dict) -> dict:
    """yente's explanations: one entry per feature, with its score and a description."""
    name = explanation.get("name", {})
    tokens = ", ".join(f"{t['query']}→{t['matched']} ({t['how']})" for t in name.get("tokens", []))
    features = {"name": {"score": name.get("score", 0.0), "weight": 1.0, "detail": tokens}}
    for feature in ("birthDate", "identifiers", "country"):
        if feature in explanation:
            features[feature] = {"score": float(explanation[feature] == "agree"), "weight": 0.0,
                                 "detail": explanation[feature]}  # fmt: skip
    return features


def result_json(hit: Hit) -> str:
    """A result as JSON text: the index's own record, serialised once (Listed.match_json),
    and the hit's score and explanations. No database query, no validation per hit."""
    found = {
        "score": hit.score, "match": hit.match,
        "explanations": explanations(hit.explanation), "explanation": hit.explanation,
    }  # fmt: skip
    return f"{hit.listed.match_json}, {json.dumps(found, ensure_ascii=False)[1:]}"


def check_datasets(index: ListsIndex, *names: str) -> None:
    """A 404 naming the known datasets for the first unknown one."""
    try:
        for name in names:
            index.resolve(name)
    except UnknownDataset as error:
        raise HttpError(404, str(error)) from None


@router.post("/match/{dataset}", response={200: MatchOut, 400: ErrorOut, 404: ErrorOut},
             by_alias=True)  # fmt: skip
def match(request, dataset: str, body: MatchRequest, params: Query[MatchParams]) -> HttpResponse:
    """yente's /match: each query an example entity; candidates scoring under `cutoff` are
    left out, from `threshold` up they are matches; `total` counts the matches. A query
    matches only compatible schemas (FtM's can_match: a Person query never an Organization).
    The filter parameters narrow the records searched (see docs/matching.md)."""
    return run_match(dataset, body, params)


def run_match(dataset: str, body: MatchRequest, params: MatchParams) -> HttpResponse:
    """The answer of /match, here and under the yente mount (civwatch.screening.yente)."""
    if params.algorithm not in ALGORITHMS:
        raise HttpError(400, f"unknown algorithm {params.algorithm!r}; use one of "
                             f"{', '.join(sorted(ALGORITHMS))}")  # fmt: skip
    # Our score has no tunable features: a weight or setting would be silently ignored.
    for part in ("config", "weights"):
        if given := getattr(body, part):
            raise HttpError(400, f"invalid {part} parameter {sorted(given)[0]!r}: the "
                                 f"civwatch algorithm takes no {part}")  # fmt: skip
    if len(body.queries) > MAX_QUERIES:
        raise HttpError(400, f"at most {MAX_QUERIES} queries per request")
    index = database_index()
    filters = params.filters()
    check_datasets(index, dataset, *params.include_dataset, *params.exclude_dataset)
    queries = {}
    for key, example in body.queries.items():
        data = example_as_ftm(example)
        try:
            queries[key] = (data, checked_record(data, identifiers_suffice=True))
        except BadLine as problem:
            raise HttpError(400, f"query {key!r}: {problem}") from None
    # The answer is written as JSON text here, not returned for django-ninja to validate
    # against MatchOut and serialise: that cost as much as the search itself for a batch
    # (docs/benchmarks.md, "The /match API"). MatchOut still documents it (OpenAPI).
    responses = []
    for key, (data, query) in queries.items():
        hits = index.search(
            query, dataset, limit=params.limit, threshold=params.threshold,
            cutoff=params.cutoff, schema=data["schema"], filters=filters,
        )  # fmt: skip
        envelope = {
            "status": 200,
            "total": {"value": sum(hit.match for hit in hits), "relation": "eq"},
            "query": {"id": data["id"], "schema": data["schema"], "properties": data["properties"]},
        }
        results = ", ".join(result_json(hit) for hit in hits)
        responses.append(f'{json.dumps(key, ensure_ascii=False)}: {{"results": [{results}], '
                         f"{json.dumps(envelope, ensure_ascii=False)[1:]}")  # fmt: skip
    text = f'{{"responses": {{{", ".join(responses)}}}, "limit": {params.limit}}}'
    return HttpResponse(text, content_type="application/json; charset=utf-8")


@router.post("/match/{dataset}/", response={200: MatchOut, 400: ErrorOut, 404: ErrorOut},
             by_alias=True, include_in_schema=False)  # fmt: skip
def match_with_slash(request, dataset: str, body: MatchRequest, params: Query[MatchParams]):
    """Clients that join a base URL ending in a slash ask here: the same answer."""
    return match(request, dataset, body, params)
