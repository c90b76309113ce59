"""Screening covers every public list: the imported OFAC and ACF lists, the registers and the
published accountability list, as one index scoped by dataset; persons an editor confirmed
to be the same are one result with all their listings; the index follows every change."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civwatch.entities.models import Entity, Identifier
from civwatch.sanctions.models import Link, ListEntry
from civwatch.screening.lists import database_index
from tests.test_cases import make_user
from tests.test_sanctions_import import ACF, OFAC
from tests.test_sanctions_xref import wipe_lists

# Full bundled lists imported for the module, answered from the in-memory index: the same on
# either database, so CI runs it once (pyproject.toml, marker `once`).
pytestmark = [pytest.mark.django_db, pytest.mark.once]
ACF_NAME, OFAC_NAME = "Бастрыкин Александр Иванович", "BASTRYKIN, Alexander Ivanovich"


@pytest.fixture(scope="module")
def lists(django_db_setup, django_db_blocker):
    """OFAC and ACF imported and cross-referenced once; an editor confirms Bastrykin's link."""
    with django_db_blocker.unblock():
        call_command("import", "ofac-sdn", str(OFAC), stdout=io.StringIO())
        call_command("import", "acf-list", str(ACF), stdout=io.StringIO())
        call_command("xref", stdout=io.StringIO())
        editor = make_user("screen-editor", "editor")
        acf = ListEntry.objects.get(dataset="acf-list", name=ACF_NAME)
        ofac = ListEntry.objects.get(dataset="us-ofac-sdn", name=OFAC_NAME)
        link = Link.objects.get(left_entity=acf.entity, right_entity=ofac.entity)
        link.decide(editor, Link.Status.CONFIRMED)
        yield {"acf": acf, "ofac": ofac, "link": link}
        wipe_lists()
        editor.delete()


def match(client, dataset: str, properties: dict, schema: str = "Person", **params):
    query = {"queries": {"q": {"schema": schema, "properties": properties}}}
    url = f"/api/match/{dataset}"
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    response = client.post(url, query, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["responses"]["q"]


def assert_bastrykin_once(results: list[dict], lists: dict) -> None:
    top = results[0]
    ids = {lists["acf"].entity_id, lists["ofac"].entity_id}
    assert top["match"] is True and {top["id"], *top["referents"]} == ids
    assert top["datasets"] == ["acf-list", "us-ofac-sdn"]
    listings = {x["dataset"]: x for x in top["listings"]}
    assert listings["us-ofac-sdn"]["programme"] == "MAGNIT"
    assert listings["us-ofac-sdn"]["reference"] == lists["ofac"].source_id
    assert listings["acf-list"]["reference"] == lists["acf"].source_id
    # One result for the person: neither member comes back on its own.
    assert not ids & {r["id"] for r in results[1:]}


@pytest.mark.parametrize("dataset", ["default", "sanctions", "us-ofac-sdn", "acf-list"])
def test_the_api_finds_both_listings_as_one_result(lists, client, dataset):
    response = match(client, dataset, {"name": ["Bastrykin Aleksandr"]})
    assert_bastrykin_once(response["results"], lists)


def test_the_command_line_shows_the_listings(lists, capsys):
    call_command("screen", "--query", "Bastrykin Aleksandr", "--dataset", "us-ofac-sdn")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("MATCH") and "same person as" in lines[1]
    assert any(line.strip().startswith("us-ofac-sdn MAGNIT") for line in lines[:4])
    assert any(line.strip().startswith("acf-list") for line in lines[:4])


def test_the_page_shows_one_row_with_both_lists(lists, client):
    response = client.post("/screening/", {"name": "Bastrykin Aleksandr", "dataset": "default"})
    page = response.content.decode()
    assert response.status_code == 200 and "MAGNIT" in page
    first_row = page.split('<tr class="match">')[1].split("</tr>")[0]
    assert lists["ofac"].get_absolute_url() in first_row
    assert lists["acf"].get_absolute_url() in first_row
    assert page.count('<tr class="match">') == 1


def test_unknown_datasets_are_refused_clearly(lists, client, tmp_path):
    response = client.post("/api/match/nowhere", {"queries": {}}, content_type="application/json")
    assert response.status_code == 404 and "us-ofac-sdn" in response.json()["detail"]
    with pytest.raises(CommandError, match="unknown dataset 'nowhere'"):
        call_command("screen", "--query", "Bastrykin", "--dataset", "nowhere")


def test_a_scope_without_the_person_does_not_find_him(lists, client):
    response = match(client, "registers", {"name": ["Bastrykin Aleksandr"]})
    assert response["results"] == [] and response["total"]["value"] == 0


def test_cutoff_threshold_and_total(lists, client):
    loose = match(client, "default", {"name": ["Aleksandr Ivanov"]}, limit=20, cutoff=0)
    assert any(not r["match"] for r in loose["results"])
    assert loose["total"]["value"] == sum(r["match"] for r in loose["results"])
    cut = match(client, "default", {"name": ["Aleksandr Ivanov"]}, limit=20, cutoff=0.6)
    assert cut["results"] and all(r["score"] >= 0.6 for r in cut["results"])
    strict = match(client, "default", {"name": ["Bastrykin Aleksandr"]}, threshold=1)
    assert strict["total"]["value"] == 0 and strict["results"]


# Ten names with many namesakes in the OFAC and ACF lists: a batch as clients send it.
BATCH = {
    f"q{n}": {"schema": "Person", "properties": {"name": [name]}}
    for n, name in enumerate(["Aleksandr Ivanov", "Sergey Petrov", "Vladimir Smirnov",
                              "Dmitry Kuznetsov", "Andrei Popov", "Alexey Sokolov",
                              "Mikhail Lebedev", "Nikolai Kozlov", "Igor Novikov",
                              "Yuri Morozov"])
}  # fmt: skip


@pytest.mark.parametrize("mount", ["/api/match/default", "/yente/api/match/default"])
def test_a_batch_costs_the_same_database_queries_for_one_hit_or_fifty(lists, client, mount):
    """Results come from the index's own records: more hits, no more database queries."""
    database_index()  # built before counting: the build's queries are once per list change
    counted = {}
    for limit in (1, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(f"{mount}?limit={limit}&cutoff=0", {"queries": BATCH},
                                   content_type="application/json")  # fmt: skip
        assert response.status_code == 200, response.content
        hits = sum(len(r["results"]) for r in response.json()["responses"].values())
        counted[limit] = (hits, len(queries))
    assert counted[1][0] == 10 and counted[50][0] >= 100
    assert counted[50][1] == counted[1][1] <= 2, counted


def test_a_person_query_never_returns_an_organization(lists, client):
    as_person = match(client, "default", {"name": ["Rosneft"]}, limit=20, cutoff=0)
    assert {r["schema"] for r in as_person["results"]} <= {"Person", "LegalEntity"}
    as_company = match(client, "default", {"name": ["Rosneft"]}, "Organization", cutoff=0)
    assert as_company["results"][0]["schema"] != "Person"
    assert "ROSNEFT" in as_company["results"][0]["caption"].upper()


def test_names_from_name_parts_and_a_trailing_slash(lists, client):
    parts = {"firstName": ["Aleksandr"], "fatherName": ["Ivanovich"], "lastName": ["Bastrykin"]}
    response = match(client, "sanctions/", parts)
    assert_bastrykin_once(response["results"], lists)


def test_a_rejected_link_splits_the_result(lists, client):
    link = Link.objects.get(pk=lists["link"].pk)
    link.decide(None, Link.Status.REJECTED)
    results = match(client, "default", {"name": ["Bastrykin Aleksandr"]})["results"]
    found = {r["id"] for r in results if r["match"]}
    assert {lists["acf"].entity_id, lists["ofac"].entity_id} <= found
    assert all(r["referents"] == [] for r in results if r["id"] in found)


def test_renames_and_new_identifiers_reach_the_index(lists):
    from civwatch.matching import record_from_ftm

    entity = Entity.objects.get(pk=lists["ofac"].entity_id)
    database_index()  # built and cached before the change
    entity.name = "Квазимодов Тимофей Лукич"
    entity.save()
    hits = database_index().search(record_from_ftm({"properties": {"name": ["Kvazimodov"]}}))
    assert hits and hits[0].listed.caption == "Квазимодов Тимофей Лукич"
    Identifier.objects.create(entity=entity, scheme="inn", value="7701234560")
    query = record_from_ftm({"properties": {"name": ["Kvazimodov"], "innCode": ["7701234560"]}})
    assert database_index().search(query)[0].explanation["identifiers"] == "agree"


def test_the_published_accountability_list_is_screened_and_case_records_are_not(
    client, settings, tmp_path
):
    from tests.accountability_data import NAME, documented_official, entry_for
    from tests.test_accountability import publish

    settings.MEDIA_ROOT = tmp_path
    carol, eddie = make_user("carol", "researcher"), make_user("eddie", "editor")
    official = documented_official(carol, eddie)
    entry = entry_for(official, carol)
    query = {"name": ["Podyachev Yuri Ivanovich"]}
    assert match(client, "accountability", query)["results"] == []  # not published yet
    publish(entry, carol, eddie)
    for dataset in ("accountability", "default"):
        top = match(client, dataset, query)["results"][0]
        assert top["caption"] == NAME and top["match"] and top["datasets"] == ["accountability"]
        assert top["listings"][0]["url"] == entry.get_absolute_url()
    # The victim is known only from the case record: never screened.
    victim = match(client, "default", {"name": ["Ivanova Anna"]}, cutoff=0)["results"]
    assert official["participant"].incident.participants.filter(entity_id="cw-victim-1").exists()
    assert "cw-victim-1" not in {r["id"] for r in victim}
