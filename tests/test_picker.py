"""The entity picker of the staff forms: people and organisations are found by any spelling in
any script (registers, sanctions and external lists, case records), chosen by clicking, and
created only when none fits; the access policy decides which names a user is offered.

Data: four real OFAC SDN entries (tests/data/sanctions/ofac-sample: Bastrykin and three
Ivanovs, two of them namesakes) and six real rows of the ACF list (acf-candidates-sample.csv).
"""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from civwatch.accountability.models import Entry
from civwatch.accounts.models import ApiToken
from civwatch.cases.models import Participant, Position
from civwatch.cases.participants import add_participant
from civwatch.core.records import PendingChange
from civwatch.entities.models import Entity
from civwatch.sanctions.models import ListEntry
from tests import test_cases_staff_records
from tests.auth_helpers import sign_in
from tests.test_cases import make_incident, make_user
from tests.test_four_eyes import published_incident

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
OFAC_SAMPLE = DATA / "sanctions" / "ofac-sample"
ACF_SAMPLE = DATA / "acf-candidates-sample.csv"
team = test_cases_staff_records.team  # a contributor, a researcher and two editors


@pytest.fixture
def lists():
    call_command("import", "ofac-sdn", str(OFAC_SAMPLE), stdout=io.StringIO())
    call_command("import", "acf-list", str(ACF_SAMPLE), stdout=io.StringIO())


def add_url(incident) -> str:
    return reverse("cases:staff_participant_add", args=[incident.pk])


def find(client, url: str, query: str, **fields) -> str:
    """The server-rendered fallback: "Find" posts the search with the form."""
    response = client.post(url, {"query": query, "find": "1", **fields})
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def offered(page: str) -> list[str]:
    """The entity ids offered as radio buttons (without "none of these")."""
    return [v for v in re.findall(r'name="pick" value="([^"]+)"', page) if v != "new"]


def participant(**fields) -> dict:
    return {"role": "victim", "involvement": "", "visibility": "internal", "save": "1", **fields}


def api_pick(client, query: str, kind: str = "any"):
    return client.post(
        "/api/staff/picker", {"query": query, "kind": kind}, content_type="application/json"
    )


def test_a_victim_is_picked_by_a_latin_spelling_of_a_cyrillic_name(client, team):
    rita = team["rita"]
    sign_in(client, rita)
    first, second = make_incident(rita, title="First search"), make_incident(rita, title="Second")
    # Nobody fits yet: "none of these" creates her (with the name searched for).
    page = find(client, add_url(first), "Иванова Мария Петровна")
    assert offered(page) == [] and "Nobody fits this name" in page
    response = client.post(add_url(first), participant(query="Иванова Мария Петровна", pick="new"))
    assert response.status_code == 302
    victim = Participant.objects.get(incident=first).entity
    assert victim.name == "Иванова Мария Петровна" and victim.confidential

    # In the second incident she is found by a Latin spelling, with her role in the first.
    page = find(client, add_url(second), "Maria Ivanova")
    assert offered(page) == [victim.pk]
    assert "Иванова Мария Петровна" in page and "victim" in page
    entities = Entity.objects.count()
    response = client.post(add_url(second), participant(query="Maria Ivanova", pick=victim.pk))
    assert response.status_code == 302 and "Ivanova" not in response["Location"]
    assert Participant.objects.get(incident=second).entity == victim
    assert Entity.objects.count() == entities

    # Typing her name as a new person while she fits is refused: she is offered instead.
    response = client.post(add_url(second), participant(new_name="Иванова Мария Петровна"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Some people or organisations fit this name" in page and offered(page) == [victim.pk]
    assert Entity.objects.count() == entities and Participant.objects.count() == 2


def test_an_ofac_person_is_picked_and_no_duplicate_is_made(client, team, lists):
    rita = team["rita"]
    sign_in(client, rita)
    incident = make_incident(rita)
    ofac = ListEntry.objects.get(dataset="us-ofac-sdn", source_id="21186")
    # The Cyrillic spelling finds OFAC's Latin entry, with its programme and birth date.
    page = find(client, add_url(incident), "Бастрыкин Александр Иванович")
    assert offered(page)[0] == ofac.entity_id
    assert "MAGNIT" in page and "1953-08-27" in page
    entities = Entity.objects.count()
    response = client.post(
        add_url(incident), participant(role="official", pick=ofac.entity_id, query="Бастрыкин")
    )
    assert response.status_code == 302
    assert Participant.objects.get(incident=incident).entity_id == ofac.entity_id
    assert Entity.objects.count() == entities

    # Namesakes are told apart by their birth dates.
    answer = api_pick(client, "Иванов Сергей Борисович", "person").json()["candidates"]
    namesakes = {c["id"]: c["birth_dates"] for c in answer[:2]}
    by_source = dict(
        ListEntry.objects.filter(source_id__in=["16688", "36799"]).values_list(
            "entity_id", "source_id"
        )
    )
    assert set(namesakes) == set(by_source)
    assert sorted(d for dates in namesakes.values() for d in dates) == [
        "1952-04-19",
        "1953-01-31",
    ]


def test_positions_and_entries_link_to_the_list_entry_picked(client, team, lists):
    rita = team["rita"]
    sign_in(client, rita)
    acf = ListEntry.objects.get(dataset="acf-list", name="Аббазов Ильшат Загфярович")
    url = reverse("cases:staff_position_new")
    page = find(client, url, "Abbazov Ilshat")
    assert offered(page) == [acf.entity_id] and "Name rus" not in page
    entities = Entity.objects.count()
    data = {"query": "Abbazov Ilshat", "pick": acf.entity_id, "post": "judge",
            "agency": "Moscow City Court", "date_precision": "day", "visibility": "internal",
            "field_visibility": "{}", "save": "1"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    position = Position.objects.get()
    assert position.entity_id == acf.entity_id

    # The accountability list's new entry: the same person, found with the position shown.
    page = find(client, "/accountability/staff/", "Abbazov Ilshat")
    assert offered(page) == [acf.entity_id] and "judge, Moscow City Court" in page
    response = client.post("/accountability/staff/", {"pick": acf.entity_id, "save": "1"})
    assert response.status_code == 302
    assert Entry.objects.get().entity_id == acf.entity_id
    assert Entity.objects.count() == entities
    # An organisation is not offered where a person is needed.
    assert api_pick(client, "Abbazov", "person").json()["candidates"][0]["kind"] == "person"


def test_a_new_person_is_created_only_when_none_fits(client, team, lists):
    rita = team["rita"]
    sign_in(client, rita)
    incident = make_incident(rita)
    page = find(client, add_url(incident), "Zzyzx Qwertyuiop")
    assert offered(page) == []
    entities = Entity.objects.count()
    # Neither a pick nor a name: nothing is saved, and the page says what to do.
    response = client.post(add_url(incident), participant())
    assert response.status_code == 400
    assert "Find the person or organisation by name" in response.content.decode()
    response = client.post(
        add_url(incident), participant(pick="new", new_name="Zzyzx Qwertyuiop", new_kind="person")
    )
    assert response.status_code == 302
    created = Participant.objects.get(incident=incident).entity
    assert Entity.objects.count() == entities + 1
    assert (created.name, created.kind, created.confidential) == (
        "Zzyzx Qwertyuiop",
        "person",
        True,
    )


def test_a_contributors_picker_never_lists_a_confidential_person(client, team):
    carol, eddie = team["carol"], team["eddie"]
    secret = make_incident(eddie, title="Confidential search", visibility="confidential")
    witness = add_participant(
        incident=secret, user=eddie, role="witness", visibility="confidential",
        name="Секретный Свидетель Петрович",
    )  # fmt: skip
    # A public participation whose name is confidential: the record is readable, the name not.
    public = published_incident(eddie, team["erin"])
    person = Entity(id="cw-veiled", kind="person", name="Скрытая Потерпевшая Ивановна",
                    confidential=True)  # fmt: skip
    person.index_names([person.name])
    person.save()
    veiled = Participant.objects.create(
        incident=public, entity=person, role="victim", visibility="public", status="published",
        created_by=eddie, field_visibility={"entity": "confidential"},
    )  # fmt: skip
    hidden = {witness.entity_id, veiled.entity_id}
    own = make_incident(carol, title="Carol's draft")

    sign_in(client, carol)
    for query in ("Sekretny Svidetel Petrovich", "Skrytaya Poterpevshaya Ivanovna"):
        page = find(client, add_url(own), query)
        assert not hidden & set(offered(page)) and "Секретный" not in page
        assert "Скрытая" not in page
        assert api_pick(client, query).json() == {"candidates": []}
    # Posting the id itself is refused like an unknown one, and nothing is written.
    for entity_id in hidden:
        response = client.post(add_url(own), participant(pick=entity_id))
        assert response.status_code == 400 and "Секретный" not in response.content.decode()
    assert not Participant.objects.filter(incident=own).exists()
    # Nor through the write API, whose answer would show her own participant's name to her.
    token = ApiToken.issue(carol)
    refused = client.post(
        f"/api/cases/incidents/{own.pk}/participants",
        {"entity_id": veiled.entity_id, "role": "witness"},
        content_type="application/json", headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert refused.status_code == 422 and "Скрытая" not in refused.content.decode()
    assert not Participant.objects.filter(incident=own).exists()

    # The editor, who reads both records, is offered both (the crawl-style check can fail).
    sign_in(client, eddie)
    found = {c["id"] for c in api_pick(client, "Sekretny Svidetel Petrovich").json()["candidates"]}
    assert witness.entity_id in found
    found = {c["id"] for c in api_pick(client, "Skrytaya Poterpevshaya").json()["candidates"]}
    assert veiled.entity_id in found


def test_the_json_endpoint_is_for_staff_with_the_name_in_the_body(client, team):
    assert api_pick(client, "Ivanov").status_code == 401
    assert client.get("/api/staff/picker").status_code == 405
    outsider = make_user("olga", "contributor")
    outsider.groups.clear()
    sign_in(client, outsider)
    assert api_pick(client, "Ivanov").status_code == 403
    sign_in(client, team["carol"])
    assert api_pick(client, "").status_code == 422
    body = json.dumps({"query": "Ivanov", "unknown": 1})
    assert (
        client.post("/api/staff/picker", body, content_type="application/json").status_code == 422
    )
    # A session without its CSRF token is refused (a page elsewhere cannot search as Carol).
    guarded = client.__class__(enforce_csrf_checks=True)
    sign_in(guarded, team["carol"])
    assert api_pick(guarded, "Ivanov").status_code == 403


def test_participants_are_edited_and_positions_removed_through_review(client, team):
    carol, eddie, erin = team["carol"], team["eddie"], team["erin"]
    incident = published_incident(carol, eddie)
    lawyer = add_participant(
        incident=incident, user=carol, role="lawyer", visibility="public", name="Петров Пётр"
    )
    incident.refresh_from_db()
    change = lawyer.pending_change()
    # The addition waits for an editor other than its author.
    sign_in(client, erin)
    client.post(reverse("cases:staff_change_decide", args=[change.pk]), {"decision": "approve"})
    lawyer.refresh_from_db()
    assert lawyer.status == "published"

    sign_in(client, carol)
    url = reverse("cases:staff_participant_edit", args=[lawyer.pk])
    page = client.get(url).content.decode()
    assert offered(page) == [lawyer.entity_id] and "checked" in page
    response = client.post(
        url, {"pick": lawyer.entity_id, "role": "witness", "visibility": "public", "save": "1"}
    )
    assert response.status_code == 302
    lawyer.refresh_from_db()
    assert lawyer.role == "lawyer"  # held for review: the approved content stays
    held = lawyer.pending_change()
    assert held.kind == PendingChange.Kind.CHANGE and held.values == {"role": "witness"}
    sign_in(client, erin)
    client.post(reverse("cases:staff_change_decide", args=[held.pk]), {"decision": "approve"})
    lawyer.refresh_from_db()
    assert lawyer.role == "witness"

    # A published position is removed only when another editor approves the removal.
    judge = Entity.objects.create(id="cw-judge", kind="person", name="Судья Судьевич")
    position = Position.objects.create(
        entity=judge, post="judge", agency="Court", visibility="public", status="published",
        created_by=carol, approved_by=eddie,
    )  # fmt: skip
    sign_in(client, carol)
    response = client.post(reverse("cases:staff_position_remove", args=[position.pk]))
    assert response.status_code == 302
    position.refresh_from_db()
    removal = position.pending_change()
    assert position.status == "published" and removal.kind == PendingChange.Kind.REMOVAL
    sign_in(client, erin)
    client.post(reverse("cases:staff_change_decide", args=[removal.pk]), {"decision": "approve"})
    position.refresh_from_db()
    assert position.status == "withdrawn"
    # Somebody who may not change it cannot remove it.
    sign_in(client, team["rita"])
    other = Position.objects.create(
        entity=judge, post="judge", agency="Court", visibility="public", status="published",
        created_by=eddie,
    )  # fmt: skip
    response = client.post(reverse("cases:staff_position_remove", args=[other.pk]))
    assert response.status_code == 403


def test_the_picker_speaks_russian(client, team):
    rita = team["rita"]
    sign_in(client, rita)
    url = "/ru" + add_url(make_incident(rita))
    # override() restores the language afterwards (see test_cases_staff_records).
    with translation.override("ru"):
        page = client.post(url, {"query": "Zzyzx", "find": "1"}).content.decode()
    assert "Никто не подходит" in page and "Найти по имени" in page and "Nobody fits" not in page


def test_the_case_records_index_version_is_one_query_and_moves_with_each_record(team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civwatch.cases.picker import records_version

    with CaptureQueriesContext(connection) as queries:
        empty = records_version()
    assert len(queries) == 1  # it runs on every picker search
    incident = make_incident(team["carol"])
    entity = Entity(id="cw-version-1", kind="person", name="Иванов Иван Иванович")
    entity.save()
    stored = records_version()
    add_participant(
        incident=incident, entity=entity, role="victim", visibility="internal", user=team["carol"]
    )
    named = records_version()
    assert len({empty, stored, named}) == 3


def test_a_half_typed_name_finds_candidates_as_one_types(client, team, lists):
    """What picker.js sends while one types: from the third letter of the surname on, the
    people whose names begin with it are offered (in Latin or Cyrillic)."""
    sign_in(client, team["rita"])
    bastrykin = ListEntry.objects.get(dataset="us-ofac-sdn", source_id="21186").entity_id
    for typed in ("Bas", "Bastr", "Bastryk", "Бастры", "Alexander Bastr"):
        answer = api_pick(client, typed, "person").json()["candidates"]
        assert bastrykin in [c["id"] for c in answer], typed
    assert api_pick(client, "Ba", "person").json()["candidates"] == []
