"""OpenRefine reconciliation (W3C Reconciliation API 0.2) at /yente/api/reconcile/{dataset}, as
OpenRefine calls it: the manifest, a batch of queries as a form field, suggestions, the
preview, data extension. Data: the real OFAC and ACF samples, Bastrykin confirmed as one."""

import json
from urllib.parse import urlencode

import pytest

from tests import test_screening_everywhere
from tests.test_screening_everywhere import ACF_NAME, OFAC_NAME

# Full bundled lists imported for the module, answered from the in-memory index: the same on
# either database, so CI runs it once (pyproject.toml, marker `once`).
pytestmark = [pytest.mark.django_db, pytest.mark.once]
# The OFAC and ACF samples imported, Bastrykin's link confirmed (once for the module).
lists = test_screening_everywhere.lists
BASE = "/yente/api/reconcile"
FORM = "application/x-www-form-urlencoded"


def ids(lists) -> set[str]:
    return {lists["acf"].entity_id, lists["ofac"].entity_id}


def refine(client, dataset: str, **fields):
    """A POST as OpenRefine sends it: JSON in urlencoded form fields."""
    body = urlencode({name: json.dumps(value) for name, value in fields.items()})
    return client.post(f"{BASE}/{dataset}", body, content_type=FORM)


def test_the_manifest_describes_the_service(lists, client):
    response = client.get(f"{BASE}/sanctions")
    assert response.status_code == 200
    manifest = response.json()
    assert "0.2" in manifest["versions"] and manifest["name"]
    assert manifest["identifierSpace"].startswith("http") and manifest["schemaSpace"]
    assert "{{id}}" in manifest["view"]["url"] and "{{id}}" in manifest["preview"]["url"]
    assert manifest["preview"]["url"].startswith("http://testserver/yente/api/reconcile/sanctions")
    assert manifest["suggest"]["entity"]["service_path"] == "/suggest/entity"
    assert manifest["extend"]["propose_properties"]["service_path"] == "/extend/property"
    assert "Person" in {t["id"] for t in manifest["defaultTypes"]}
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_batch_of_queries_finds_the_people(lists, client):
    queries = {
        "q0": {"query": "Bastrykin Aleksandr", "type": "Person", "limit": 3},
        "q1": {
            "query": "Бастрыкин Александр Иванович",
            "properties": [{"pid": "birthDate", "v": "1953-08-27"}],
        },
        "q2": {"query": "Zzyzx Qwertyuiop", "type": "Person"},
        "q3": {"query": "Rosneft", "type": "Organization"},
    }
    response = refine(client, "default", queries=queries)
    assert response.status_code == 200, response.content
    answers = response.json()
    top = answers["q0"]["result"][0]
    assert top["id"] in ids(lists) and top["match"] is True and top["score"] >= 0.7
    assert top["type"] == [{"id": "Person", "name": "People", "description": "Person"}]
    assert len(answers["q0"]["result"]) <= 3
    assert answers["q1"]["result"][0]["id"] == top["id"] and answers["q1"]["result"][0]["match"]
    assert answers["q2"]["result"] == []
    assert all(r["type"][0]["id"] != "Person" for r in answers["q3"]["result"])
    # The same batch as JSON, and by GET (version 0.1 clients).
    as_json = client.post(f"{BASE}/default", {"queries": queries}, content_type="application/json")
    assert as_json.json() == answers
    by_get = client.get(f"{BASE}/default", {"queries": json.dumps({"q0": queries["q0"]})})
    assert by_get.json()["q0"] == answers["q0"]


def test_bad_reconciliation_input_is_a_clear_400(lists, client):
    bad_json = client.post(f"{BASE}/default", "queries={not json", content_type=FORM)
    assert bad_json.status_code == 400 and "queries" in bad_json.json()["detail"]
    for queries, words in (({"q": {"query": "X", "type": "Payment"}}, "queries.q.type"),
                           ({"q": {"query": "X", "limit": 0}}, "queries.q.limit"),
                           ({"q": {"query": "", "type": "Person"}}, "no name"),
                           (["a list"], "object")):  # fmt: skip
        response = refine(client, "default", queries=queries)
        assert response.status_code == 400 and words in response.json()["detail"], queries
    assert client.post(f"{BASE}/default", "", content_type=FORM).status_code == 400
    assert refine(client, "nowhere", queries={}).status_code == 404
    assert client.get(f"{BASE}/nowhere").status_code == 404


def test_suggestions(lists, client):
    entity = client.get(f"{BASE}/default/suggest/entity", {"prefix": "Бастрык"}).json()
    assert entity["result"][0]["id"] in ids(lists)
    latin = client.get(f"{BASE}/default/suggest/entity", {"prefix": "Bastrykin"}).json()
    assert latin["result"][0]["id"] in ids(lists)
    types = client.get(f"{BASE}/default/suggest/type", {"prefix": "pers"}).json()
    assert [t["id"] for t in types["result"]] == ["Person"]
    props = client.get(f"{BASE}/default/suggest/property", {"prefix": "birth"}).json()
    assert "Person:birthDate" in {p["id"] for p in props["result"]}


def test_preview_and_view(lists, client):
    top = refine(client, "default", queries={"q": {"query": "Bastrykin Aleksandr"}}).json()
    record = top["q"]["result"][0]["id"]
    preview = client.get(f"{BASE}/default/preview", {"id": record})
    page = preview.content.decode()
    assert preview["Content-Type"].startswith("text/html")
    assert "MAGNIT" in page and (ACF_NAME in page or OFAC_NAME in page)
    view = client.get(f"{BASE}/default/view", {"id": record})
    assert view.status_code == 302 and view["Location"] in {
        lists["acf"].get_absolute_url(), lists["ofac"].get_absolute_url()}  # fmt: skip
    assert client.get(f"{BASE}/default/preview", {"id": "nope"}).status_code == 404


def test_data_extension(lists, client):
    proposed = client.get(f"{BASE}/default/extend/property", {"type": "Person"}).json()
    names = [p["id"] for p in proposed["properties"]]
    assert proposed["type"] == "Person" and "birthDate" in names and "name" in names
    assert client.get(f"{BASE}/default/extend/property", {"type": "Nope"}).status_code == 400
    record = refine(client, "default", queries={"q": {"query": "Bastrykin Aleksandr"}}).json()
    record_id = record["q"]["result"][0]["id"]
    extend = {"ids": [record_id, "nope"], "properties": [
        {"id": "name"}, {"id": "topics"}, {"id": "birthDate", "settings": {"limit": 1}},
        {"id": "noSuchProperty"}]}  # fmt: skip
    response = refine(client, "default", extend=extend)
    assert response.status_code == 200, response.content
    data = response.json()
    assert [m["id"] for m in data["meta"]] == ["name", "topics", "birthDate", "noSuchProperty"]
    row = data["rows"][record_id]
    assert {"str": ACF_NAME} in row["name"] and {"str": OFAC_NAME} in row["name"]
    assert {v["str"] for v in row["topics"]} == {"sanction", "poi"}
    assert row["birthDate"] == [{"str": "1953-08-27"}]
    assert data["rows"]["nope"] == {} and row["noSuchProperty"] == []
