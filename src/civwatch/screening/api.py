"""`POST /api/match/{dataset}`: yente's query-by-example matching, answered by civwatch.

The request and response follow yente's /match shapes, so OpenSanctions and yente clients
work unchanged: queries keyed by the caller's names, each an example entity; results with
id, caption, schema, properties, datasets, score, match and explanations.
"""

from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from civwatch.entities.models import Entity
from civwatch.matching import DEFAULT_THRESHOLD
from civwatch.matching.batch import BadLine, checked_record
from civwatch.registers.exports import entity_proxy
from civwatch.screening.lists import database_index

router = Router(tags=["matching"])
DATASETS = {"default", "civwatch", "registers"}
MAX_QUERIES = 500


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
    algorithm: str = "civwatch"


class MatchResult(Schema):
    """A FollowTheMoney entity (extra FtM keys pass through) with yente's match fields."""

    model_config = ConfigDict(extra="allow")
    id: str
    caption: str
    schema_: str = Field(alias="schema")
    properties: dict[str, list[str]]
    datasets: list[str]
    referents: list[str]
    target: bool
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


@router.post("/match/{dataset}", response=MatchOut, by_alias=True)
def match(request, dataset: str, body: MatchRequest, params: Query[MatchParams]) -> dict:
    if dataset not in DATASETS:
        raise HttpError(404, f"unknown dataset {dataset!r}; use one of {sorted(DATASETS)}")
    if len(body.queries) > MAX_QUERIES:
        raise HttpError(400, f"at most {MAX_QUERIES} queries per request")
    index = database_index()
    responses = {}
    for key, example in body.queries.items():
        data = example_as_ftm(example)
        try:
            query = checked_record(data)
        except BadLine as problem:
            raise HttpError(400, f"query {key!r}: {problem}") from None
        hits = index.search(query, limit=params.limit, threshold=params.threshold)
        entities = Entity.objects.prefetch_related("names", "identifiers", "websites").in_bulk(
            [h.id for h in hits]
        )
        results = []
        for hit in hits:
            entity = entities[hit.id]
            ftm = entity_proxy(entity).to_dict()
            results.append({
                **ftm, "caption": entity.name, "datasets": sorted(
                    {d.register_id for d in entity.designations.all()}
                ), "referents": [], "target": True, "score": hit.score, "match": hit.match,
                "explanations": explanations(hit.explanation), "explanation": hit.explanation,
            })  # fmt: skip
        responses[key] = {
            "status": 200,
            "results": results,
            "total": {"value": len(results), "relation": "eq"},
            "query": {"id": example.id, "schema": data["schema"], "properties": data["properties"]},
        }
    return {"responses": responses, "limit": params.limit}
