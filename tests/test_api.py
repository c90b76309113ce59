"""The JSON API over the real register history: every endpoint, filters, bad parameters."""

import json

import pytest

from civwatch.accounts.models import ApiToken
from civwatch.registers.models import Change, Designation, Snapshot
from tests.conftest import FOREIGN_AGENTS
from tests.test_cases import make_user

pytestmark = pytest.mark.django_db


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    return response.json()


def test_registers_and_legal_bases(client, full_history):
    assert [r["slug"] for r in get(client, "/api/registers")] == [
        "foreign-agents",
        "rfm",
        "undesirable",
    ]
    codes = {b["code"] for b in get(client, "/api/legal-bases")}
    assert {"255-FZ-7", "7-FZ-32", "272-FZ-3.1"} <= codes


def test_snapshots_newest_first_with_their_reports(client, full_history):
    snapshots = get(client, "/api/snapshots?register=foreign-agents")
    assert len(snapshots) == len(FOREIGN_AGENTS)
    assert snapshots[0]["file_name"] == "registry-2024-10-01.json"
    suspect = next(s for s in snapshots if s["file_name"] == "registry-2024-06-01.json")
    # The importer's notes are staff bookkeeping (issue 11): empty for the public, whole for
    # a staff member's token.
    assert suspect["report"] == {}
    token = ApiToken.issue(make_user("carol", "contributor"))
    staff = client.get("/api/snapshots?register=foreign-agents",
                       headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip
    suspect = next(s for s in staff if s["file_name"] == "registry-2024-06-01.json")
    assert "removed_on" in suspect["report"]["suspicions"]
    bad = client.get("/api/snapshots", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401


def test_entities_are_found_by_name_in_either_script(client, full_history):
    cyrillic = get(client, "/api/entities?q=Пономарёв Лев")
    latin = get(client, "/api/entities?q=ponomarev lev")
    assert [e["name"] for e in cyrillic["items"]] == ["Пономарев Лев Александрович"]
    assert latin["items"] == cyrillic["items"]


def test_entity_filters_and_pagination(client, full_history):
    media = get(client, "/api/entities?kind=media&limit=5")
    assert (
        media["count"]
        == Designation.objects.filter(entity__kind="media").values("entity").distinct().count()
    )
    assert len(media["items"]) == 5 and all(e["kind"] == "media" for e in media["items"])
    second = get(client, "/api/entities?kind=media&limit=5&offset=5")
    assert not {e["id"] for e in second["items"]} & {e["id"] for e in media["items"]}


def test_entity_detail_has_names_identifiers_and_designations(client, full_history):
    designation = Designation.objects.get(register="foreign-agents", row_id="262")
    entity = get(client, f"/api/entities/{designation.entity_id}")
    assert entity["name"] == "Гусев Андрей Юрьевич" and entity["birth_date"] == "1983-10-06"
    assert {"scheme": "inn", "value": "253801190331"} in entity["identifiers"]
    assert entity["designations"][0]["legal_basis"] == "2124-1-6"
    assert entity["websites"]


def test_association_lists_its_members(client, full_history):
    association = (
        Designation.objects.filter(entity__kind="association").exclude(entity__members=None).first()
    )
    entity = get(client, f"/api/entities/{association.entity_id}")
    assert entity["members"]
    member = get(client, f"/api/entities/{entity['members'][0]['id']}")
    assert member["member_of"][0]["id"] == association.entity_id


def test_designations_filtered_by_status_legal_basis_and_year(client, full_history):
    result = get(client, "/api/designations?status=removed&legal_basis=7-FZ-32&year=2015")
    expected = Designation.objects.filter(
        status="removed", legal_basis="7-FZ-32", listed_on__year=2015
    )
    assert result["count"] == expected.count() > 0
    assert all(d["removed_on"] and d["listed_on"].startswith("2015") for d in result["items"])


def test_changes_by_kind_and_date(client, full_history):
    removed = get(client, "/api/changes?register=foreign-agents&kind=removed&since=2024-09-01")
    assert (
        removed["count"]
        == Change.objects.filter(
            kind="removed", snapshot__as_of__gte="2024-09-01", snapshot__register="foreign-agents"
        ).count()
    )
    assert {"row_id": "643", "snapshot": "2024-10-01"}.items() <= removed["items"][0].items()
    latest = Snapshot.objects.get(file_name="registry-2024-10-01.json")
    in_snapshot = get(client, f"/api/changes?snapshot={latest.pk}&limit=500")
    assert in_snapshot["count"] == latest.changes.count() == 14


def test_statistics(client, full_history):
    stats = get(client, "/api/statistics?register=foreign-agents")
    assert (
        sum(stats["by_status"].values())
        == Designation.objects.filter(register="foreign-agents").count()
    )
    assert sum(m["count"] for m in stats["per_month"]) == sum(stats["by_status"].values())
    assert stats["per_month"][0]["month"] == "2013-06"


@pytest.mark.parametrize(
    "url",
    [
        "/api/entities?limit=-1",
        "/api/entities?limit=abc",
        "/api/entities?limit=100000",
        "/api/entities?offset=-5",
        "/api/entities?kind=bogus",
        "/api/designations?status=gone",
        "/api/designations?year=12345",
        "/api/designations?register=nowhere",
        "/api/changes?since=2024-13-45",
        "/api/changes?kind=deleted",
        "/api/changes?snapshot=zero",
        "/api/snapshots?register=x",
        "/api/statistics?register=x",
    ],
)
def test_bad_parameters_are_refused_with_422(client, url):
    detail = get(client, url, status=422)["detail"]
    assert detail and detail[0]["loc"][0] == "query"


def test_unknown_entity_is_404(client):
    assert get(client, "/api/entities/no-such-entity", status=404)


@pytest.mark.parametrize(
    "url",
    [
        "/api/entities?q=%27%3B%20DROP%20TABLE%20x%3B--",
        "/api/entities?q=%25%25%25",
        "/api/entities?offset=99999999",
        "/api/designations?q=" + "я" * 200,
    ],
)
def test_odd_but_valid_input_answers_without_error(client, url):
    assert get(client, url)["items"] == []


def test_openapi_document_and_docs_page(client):
    spec = get(client, "/api/openapi.json")
    assert {
        "/api/entities",
        "/api/entities/{entity_id}",
        "/api/designations",
        "/api/changes",
        "/api/statistics",
        "/api/snapshots",
    } <= set(spec["paths"])
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"/static/ninja/" in docs.content
    json.dumps(spec)
