"""yente's API under /yente/ (base URL https://HOST/yente/api): the same answers with or without
the base URL's trailing slash, the FtM nested entity with referents, search, the catalogue,
the algorithms, health, JSON errors, CORS, filters; and nomenklatura's YenteEnricher, a stock
yente client, run unchanged against a live server. Data: the real OFAC and ACF samples
(tests/data/sanctions, data/sanctions), Bastrykin confirmed as one person across both."""

import datetime
from urllib.parse import urljoin

import pytest
import requests

from civwatch.sanctions.models import ListEntry
from civwatch.screening.lists import database_index
from tests import test_screening_everywhere
from tests.conftest import live_server
from tests.test_screening_everywhere import ACF_NAME, OFAC_NAME

# Full bundled lists imported for the module, answered from the in-memory index: the same on
# either database, so CI runs it once (pyproject.toml, marker `once`).
pytestmark = [pytest.mark.django_db, pytest.mark.once]
# The OFAC and ACF samples imported, Bastrykin's link confirmed (once for the module).
lists = test_screening_everywhere.lists
# The documented base URL, as a client may write it: with and without the trailing slash.
BASES = ["/yente/api/", "/yente/api"]
BASTRYKIN = {"schema": "Person", "properties": {"name": ["Bastrykin Aleksandr"]}}


def at(base: str, path: str) -> str:
    """The URL a client builds: urljoin, as nomenklatura and the yente clients do."""
    return urljoin(base, path)


def post_match(client, base: str, dataset: str = "default", queries=None, **params):
    url = at(base, f"match/{dataset}")
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    body = {"queries": queries or {"q": BASTRYKIN}}
    return client.post(url, body, content_type="application/json")


def ids(lists) -> set[str]:
    return {lists["acf"].entity_id, lists["ofac"].entity_id}


@pytest.mark.parametrize("base", BASES)
def test_match_search_and_entity_answer_at_either_base(lists, client, base):
    response = post_match(client, base)
    assert response.status_code == 200, response.content
    top = response.json()["responses"]["q"]["results"][0]
    assert {top["id"], *top["referents"]} == ids(lists) and top["match"]
    search = client.get(at(base, "search/sanctions"), {"q": "Bastrykin"}).json()
    assert search["results"][0]["id"] == top["id"]
    assert search["results"][0]["datasets"] == ["acf-list", "us-ofac-sdn"]
    entity = client.get(at(base, f"entities/{top['id']}")).json()
    assert entity["id"] == top["id"] and set(entity["referents"]) == ids(lists) - {top["id"]}


def test_the_entity_is_ftm_nested_with_its_listings_as_sanctions(lists, client):
    top_id = post_match(client, BASES[0]).json()["responses"]["q"]["results"][0]["id"]
    entity = client.get(f"/yente/api/entities/{top_id}").json()
    assert entity["schema"] == "Person" and entity["caption"]
    names = entity["properties"]["name"]
    assert ACF_NAME in names and OFAC_NAME in names  # both members' names, pooled
    assert set(entity["properties"]["topics"]) == {"sanction", "poi"}
    sanctions = {s["datasets"][0]: s for s in entity["properties"]["sanctions"]}
    assert sanctions["us-ofac-sdn"]["schema"] == "Sanction"
    assert sanctions["us-ofac-sdn"]["properties"]["program"] == ["MAGNIT"]
    assert sanctions["us-ofac-sdn"]["properties"]["entity"] == [top_id]
    assert sanctions["us-ofac-sdn"]["properties"]["programId"] == [lists["ofac"].source_id]
    flat = client.get(f"/yente/api/entities/{top_id}", {"nested": "false"}).json()
    assert "sanctions" not in flat["properties"]
    adjacent = client.get(f"/yente/api/entities/{top_id}/adjacent").json()
    assert adjacent["entity"]["id"] == top_id
    assert adjacent["adjacent"]["sanctions"]["total"]["value"] == len(sanctions)


def test_a_referent_redirects_to_its_record(lists, client):
    top = post_match(client, BASES[0]).json()["responses"]["q"]["results"][0]
    other = top["referents"][0]
    response = client.get(f"/yente/api/entities/{other}?nested=true")
    assert response.status_code == 308
    assert response["Location"] == f"/yente/api/entities/{top['id']}?nested=true"


def test_errors_are_json_under_the_mount(lists, client):
    for url in ("/yente/api/entities/no-such-id", "/yente/api/nothing/here", "/yente/nothing",
                "/yente/api/search/nowhere"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"].startswith("application/json") and response.json()["detail"]
    invalid = client.get("/yente/api/search/default", {"limit": "many"})
    assert invalid.status_code == 422 and invalid.json()["detail"][0]["loc"]
    for params, word in (({"algorithm": "logic-v2"}, "unknown algorithm"),
                         ({"changed_since": "yesterday"}, "")):  # fmt: skip
        response = post_match(client, BASES[0], **params)
        assert response.status_code in (400, 422) and word in str(response.json()["detail"])
    for part in ("config", "weights"):
        body = {"queries": {"q": BASTRYKIN}, part: {"nm_number_mismatch": 0.4}}
        response = client.post("/yente/api/match/default", body, content_type="application/json")
        assert response.status_code == 400 and "nm_number_mismatch" in response.json()["detail"]
    unknown = post_match(client, BASES[0], include_dataset="nowhere")
    assert unknown.status_code == 404 and "us-ofac-sdn" in unknown.json()["detail"]


def test_cors_lets_any_page_read_and_match_without_credentials(lists, client):
    origin = {"Origin": "https://example.org"}
    preflight = client.options("/yente/api/match/default", headers={
        **origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})  # fmt: skip
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in preflight
    read = client.get("/yente/api/catalog", headers=origin)
    assert read["Access-Control-Allow-Origin"] == "*"
    other = client.options("/yente/api/catalog", headers=origin)
    assert "POST" not in other["Access-Control-Allow-Methods"]
    match = post_match(client, BASES[0])
    assert match["Access-Control-Allow-Origin"] == "*"


def test_filters_narrow_the_records_searched(lists, client):
    def found(**params) -> set[str]:
        response = post_match(client, BASES[0], **params)
        assert response.status_code == 200, response.content
        results = response.json()["responses"]["q"]["results"]
        return {r["id"] for r in results if r["match"]}

    top = found()
    assert len(top) == 1
    assert found(include_dataset="us-ofac-sdn") == top
    assert found(include_dataset="registers") == set()
    # Excluding one of his two lists keeps him (the other names him); both, not.
    assert found(exclude_dataset="acf-list") == top
    assert found(exclude_dataset="acf-list&exclude_dataset=us-ofac-sdn") == set()
    assert found(exclude_schema="Person") == set()
    assert found(exclude_entity_ids=lists["acf"].entity_id) == set()  # a referent is enough
    assert found(topics="sanction") == top and found(topics="role.pep") == set()
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    assert found(changed_since="2000-01-01") == top and found(changed_since=tomorrow) == set()


def test_search_filters_and_facets(lists, client):
    response = client.get("/yente/api/search/default", {"q": "Bastrykin", "limit": 3})
    data = response.json()
    assert data["limit"] == 3 and data["total"]["value"] >= 1
    datasets = {v["name"]: v["count"] for v in data["facets"]["datasets"]["values"]}
    assert datasets["us-ofac-sdn"] >= 1 and datasets["acf-list"] >= 1
    none = client.get("/yente/api/search/default", {"q": "Bastrykin", "exclude_schema": "Person"})
    assert "Bastrykin" not in str(none.json()["results"]).title()
    browse = client.get("/yente/api/search/acf-list", {"limit": 5, "offset": 5}).json()
    acf_count = ListEntry.objects.filter(dataset="acf-list", present=True).count()
    assert browse["total"]["value"] <= acf_count and len(browse["results"]) == 5
    assert all("acf-list" in r["datasets"] for r in browse["results"])
    organisations = client.get("/yente/api/search/default", {"q": "Rosneft",
                               "schema": "Organization"}).json()  # fmt: skip
    assert organisations["results"] and all(
        r["schema"] != "Person" for r in organisations["results"]
    )


def test_catalog_algorithms_and_health(lists, client):
    catalog = client.get("/yente/api/catalog").json()
    by_name = {d["name"]: d for d in catalog["datasets"]}
    ofac = by_name["us-ofac-sdn"]
    version = lists["ofac"].dataset.versions.order_by("-imported_at").first()
    assert ofac["version"] == version.imported_at.strftime("%Y%m%d%H%M%S")
    assert ofac["entity_count"] == len(database_index().scopes["us-ofac-sdn"])
    assert ofac["last_export"].startswith(version.imported_at.date().isoformat())
    assert "us-ofac-sdn" in by_name["sanctions"]["children"]
    assert "acf-list" not in by_name["sanctions"]["children"]  # an external list
    assert by_name["default"]["entity_count"] == len(database_index())
    assert set(catalog["current"]) == set(by_name) and catalog["outdated"] == []
    algorithms = client.get("/yente/api/algorithms").json()
    assert algorithms["best"] == algorithms["default"] == "civwatch"
    assert algorithms["algorithms"][0]["docs"]["features"]["name"]["coefficient"] == 1.0
    assert client.get("/yente/healthz").json() == {"status": "ok"}
    assert client.get("/yente/api/readyz").json() == {"status": "ok"}


def test_a_staff_session_sees_nothing_more(lists, client):
    from tests.auth_helpers import sign_in
    from tests.test_cases import make_user

    anonymous = client.get("/yente/api/search/default", {"limit": 500}).content
    sign_in(client, make_user("yente-editor", "editor"))
    assert client.get("/yente/api/search/default", {"limit": 500}).content == anonymous


@pytest.fixture(scope="module")
def live_lists(lists, django_db_blocker):
    with live_server(django_db_blocker) as url:
        yield url


@pytest.mark.parametrize("slash", ["/", ""])
def test_nomenklatura_yente_enricher_matches_and_enriches(live_lists, lists, tmp_path, slash):
    """The stock client: match() finds Bastrykin (no junk under the cutoff), enrich() of the
    confirmed match fetches his entity with its listings."""
    from followthemoney import Dataset, StatementEntity
    from nomenklatura.cache import Cache
    from nomenklatura.db import make_session
    from nomenklatura.enrich import enrich, make_enricher, match
    from nomenklatura.judgement import Judgement
    from nomenklatura.resolver import Resolver

    dataset = Dataset.make({"name": "civwatch_client", "title": "A yente client"})
    with make_session(f"sqlite:///{tmp_path}/nk.db") as session:
        cache = Cache(session, dataset, create=True)
        resolver = Resolver[StatementEntity](session, create=True)
        config_api = f"{live_lists}/yente/api{slash}"
        config = {"type": "nomenklatura.enrich.yente:YenteEnricher", "cutoff": 0.6,
                  "api": config_api, "dataset": "sanctions"}  # fmt: skip
        enricher = make_enricher(dataset, cache, config)
        data = {"id": "client-1", "schema": "Person", "properties": BASTRYKIN["properties"]}
        query = StatementEntity.from_data(dataset, data)
        found = [e for e in match(enricher, resolver, [query]) if e.id != "client-1"]
        assert found and found[0].id in ids(lists)
        assert all(e.schema.name in ("Person", "LegalEntity") for e in found)
        # What the enricher asked, asked again: nothing under its cutoff comes back.
        url = urljoin(config_api, "match/sanctions") + "?fuzzy=false&algorithm=best&cutoff=0.6"
        body = {"queries": {"entity": {"schema": "Person", "properties": query.to_dict()[
            "properties"]}}}  # fmt: skip
        results = requests.post(url, json=body, timeout=30).json()["responses"]["entity"]
        assert results["results"] and all(r["score"] >= 0.6 for r in results["results"])
        resolver.decide("client-1", found[0].id, Judgement.POSITIVE)
        enriched = list(enrich(enricher, resolver, [query]))
        schemata = {e.schema.name for e in enriched}
        assert {"Person", "Sanction"} <= schemata
        person = next(e for e in enriched if e.schema.name == "Person")
        assert OFAC_NAME in person.get("name") and ACF_NAME in person.get("name")
        programmes = {p for e in enriched if e.schema.name == "Sanction" for p in e.get("program")}
        assert "MAGNIT" in programmes


def test_an_identifier_alone_finds_its_record(lists, client):
    from civwatch.entities.models import Identifier

    Identifier.objects.create(entity_id=lists["ofac"].entity_id, scheme="inn", value="7701234560")
    queries = {
        "inn": {"schema": "Person", "properties": {"innCode": ["7701234560"]}},
        "other": {"schema": "Person", "properties": {"innCode": ["7707083893"]}},
    }
    response = post_match(client, BASES[0], queries=queries)
    assert response.status_code == 200, response.content
    answers = response.json()["responses"]
    top = answers["inn"]["results"][0]
    assert lists["ofac"].entity_id in {top["id"], *top["referents"]}
    assert top["match"] and top["score"] >= 0.99 and top["explanation"]["identifiers"] == "agree"
    assert answers["inn"]["total"]["value"] == 1 and answers["other"]["results"] == []
    nothing = post_match(client, BASES[0], queries={"q": {"schema": "Person", "properties": {
        "birthDate": ["1953-08-27"]}}})  # fmt: skip
    assert nothing.status_code == 400 and "no name" in nothing.json()["detail"]
