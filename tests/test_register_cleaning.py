"""Cleaning rules for the register cells that an independent check found wrong (issue 14).

Every case is a real row of the bundled snapshots in data/registers/foreign-agents/ (the
Ministry of Justice's table as scraped by fz255/foreign-agents; see data/README.md); rows are
named by their register number.
"""

import io
import json

import pytest
from django.core.management import call_command
from followthemoney import model

from civwatch.entities.models import Entity
from civwatch.registers.sources import MAX_NAME_LENGTH, read_snapshot, split_urls
from tests.conftest import FOREIGN_AGENTS


def snapshot_rows(name: str) -> dict[str, dict]:
    path = next(p for p in FOREIGN_AGENTS if p.name == name)
    return {fields["row_id"]: fields for _, fields in read_snapshot(path, "foreign-agents").rows}


@pytest.fixture(scope="module")
def first():
    return snapshot_rows("registry-2023-09-29.json")


@pytest.fixture(scope="module")
def last():
    return snapshot_rows("registry-2024-10-01.json")


def test_members_separated_by_semicolons_are_separate_people(first, last):
    assert first["301"]["members"] == [
        "Кочетков Игорь Викторович",
        "Соловьева Наталья Евгеньевна",
    ]
    # ";" with no space, and a pseudonym in parentheses kept with its person.
    assert len(last["613"]["members"]) == 9
    assert "Мессорош Артем Викторович (псевдоним - Екатерина Мессорош)" in last["493"]["members"]
    # The two cells that were one "name" longer than FtM's limit of 384 characters.
    assert len(first["597"]["members"]) == 24 and len(last["597"]["members"]) == 32
    assert len(last["499"]["members"]) == 20
    every = [m for path in FOREIGN_AGENTS for _, f in read_snapshot(path, "foreign-agents").rows
             for m in f.get("members") or ()]  # fmt: skip
    assert every and not [m for m in every if ";" in m or len(m) > MAX_NAME_LENGTH]


def test_a_member_cell_that_cannot_be_one_name_is_refused(tmp_path):
    rows = json.loads(FOREIGN_AGENTS[0].read_text(encoding="utf-8"))
    row = next(r for r in rows if r["id"] == "597")
    row["members"] = row["members"].replace(";", " и")  # no separator left: one long "name"
    path = tmp_path / "registry-2023-09-29.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(Exception, match=r"row 597, field 'members'.*not one person's name"):
        read_snapshot(path, "foreign-agents")


def test_each_stored_website_is_one_address(first, last):
    assert first["571"]["resources"] == [
        "youtube.com/@true_russia", "truerussia.org", "t.me/s/owglobal",
        "instagram.com/charity_true_russia", "twitter.com/truerussia_",
        "facebook.com/charitytruerussia",
    ]  # fmt: skip
    # Labels between the addresses, and a run of 29 spaces.
    assert first["514"]["resources"] == [
        "https://twitter.com/femagainstwar",
        "https://t.me/femagainstwar",
        "https://www.instagram.com/fem_antiwar_resistance/",
    ]
    assert last["843"]["resources"] == ["https://t.me/rusbrief", "https://t.me/ejdaily"]
    assert last["845"]["resources"] == ["https://t.me/russica2", "https://t.me/russicanew"]
    # Addresses glued together without a separator.
    assert len(last["481"]["resources"]) == 11
    assert last["579"]["resources"][:2] == [
        "https://carnegie.ru/",
        "http://twitter.com/agents_media",
    ]
    assert last["616"]["resources"][:2] == [
        "https://politinformator.ru/experts/lev-shlosberg",
        "https://vk.com/sergei_aleksashenko",
    ]
    # A space typed inside an address.
    assert "youtube.com/channel/UC43eWoghuOsPbhFdaSFbN-g" in first["263"]["resources"]


def test_duplicate_addresses_are_kept_once():
    # Row 718 of 2023-11-18 gives https://www.facebook.com/MoscowTimes twice.
    urls = snapshot_rows("registry-2023-11-18.json")["718"]["resources"]
    assert urls.count("https://www.facebook.com/MoscowTimes") == 1
    assert split_urls("https://a.org; https://a.org, https://b.org")[0] == [
        "https://a.org",
        "https://b.org",
    ]


def test_what_is_not_an_address_is_reported_not_stored():
    path = next(p for p in FOREIGN_AGENTS if p.name == "registry-2024-10-01.json")
    notes = read_snapshot(path, "foreign-agents").notes
    assert any("'ID: -1001099350027' in resources is not a web address" in n for n in notes)
    # Row 454 of 2023-09-29 holds only a stray piece of row 453's Instagram address.
    notes = read_snapshot(FOREIGN_AGENTS[0], "foreign-agents").notes
    assert (
        "row 454: 'Eewetl69wBtBX7zX7fJFCpFo' in resources is not a web address; left out" in notes
    )


def test_no_address_anywhere_has_spaces_commas_or_a_second_scheme():
    for path in FOREIGN_AGENTS:
        for _, fields in read_snapshot(path, "foreign-agents").rows:
            for url in fields.get("resources") or ():
                assert not any(c in url for c in " ,;«»"), (path.name, url)
                assert url.find("://", url.find("://") + 1) == -1, (path.name, url)


@pytest.mark.django_db
def test_imported_history_has_one_person_per_member_and_one_url_per_website(full_history):
    members = Entity.objects.filter(member_of__isnull=False).distinct()
    assert members.count() > 100
    assert not [m.name for m in members if ";" in m.name or len(m.name) > MAX_NAME_LENGTH]
    kochetkov = Entity.objects.get(member_of__designations__row_id="301", name__startswith="Коч")
    assert kochetkov.name == "Кочетков Игорь Викторович"
    for entity in Entity.objects.listed().prefetch_related("websites"):
        for website in entity.websites.all():
            assert not any(c in website.url for c in " ,;"), website.url


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_changes_carry_the_name_of_their_time(full_history):
    out, _ = run("changes", "--register", "foreign-agents", "--format", "jsonl")
    events = [json.loads(line) for line in out.splitlines()]
    row_244 = [e for e in events if e["row_id"] == "244"]
    added = next(e for e in row_244 if e["kind"] == "added")
    assert added["snapshot"] == "2023-09-29"
    assert added["name"] == "Великовский Дмитрий Александрович"  # no pseudonym yet
    renamed = next(e for e in row_244 if e["kind"] == "modified" and "name" in e["fields"])
    assert renamed["name"] == "Великовский Дмитрий Александрович (псевдоним - Мика Великовский)"
    # Every event's name is the one its own change recorded, or the last one before it.
    current: dict[str, str] = {}
    for event in events:
        if "name" in event["fields"]:
            current[event["entity_id"]] = event["fields"]["name"][1]
        assert event["name"] == current[event["entity_id"]], event
    # A filtered list still names events as of their time.
    out, _ = run("changes", "--register", "foreign-agents", "--since", "2024-06-01")
    later = [json.loads(line) for line in out.splitlines()]
    assert {e["name"] for e in later if e["row_id"] == "244"} <= set(current.values())


@pytest.mark.django_db
def test_api_changes_carry_the_name_of_their_time(full_history, client):
    answer = client.get("/api/changes", {"register": "foreign-agents", "limit": 500,
                                         "since": "2023-09-29", "kind": "added"})  # fmt: skip
    first_added = [c for c in answer.json()["items"] if c["row_id"] == "244"]
    assert [c["name"] for c in first_added] == ["Великовский Дмитрий Александрович"]


@pytest.mark.django_db
def test_an_inn_failing_its_checksum_is_exported_flagged_not_dropped(full_history, tmp_path):
    output = tmp_path / "out.ftm.jsonl"
    _, err = run("export", "ftm", "--output", str(output))
    entities = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    gershenzon = next(
        e for e in entities if "Гершензон Лев Михайлович" in e["properties"].get("name", [])
    )  # fmt: skip (row 557)
    assert gershenzon["properties"]["taxNumber"] == ["772742973909"]
    assert "innCode" not in gershenzon["properties"]
    assert "fails the INN checksum" in gershenzon["properties"]["notes"][0]
    assert gershenzon["id"] in err and "INN" in err
    model.get_proxy(gershenzon)  # valid FtM
    # Every Person of the export is one person: no list of names in one name.
    people = [e for e in entities if e["schema"] == "Person"]
    assert not [e for e in people for n in e["properties"]["name"] if ";" in n or len(n) > 384]


@pytest.mark.django_db
def test_the_snapshot_page_names_changes_as_of_their_time(full_history, client):
    from civwatch.registers.models import Snapshot

    # Row 244 gained its pseudonym on 2024-06-01: that snapshot's page shows the name cell
    # of that day (the entity's own name is the primary name only).
    snapshot = Snapshot.objects.get(file_name="registry-2024-06-01.json")
    text, number = "", 1
    while "Великовский" not in text:
        answer = client.get(f"/snapshots/{snapshot.pk}/", {"kind": "modified", "page": number})
        assert answer.status_code == 200 and number < 50
        text, number = answer.content.decode(), number + 1
    assert "Великовский Дмитрий Александрович (псевдоним - Мика Великовский)" in text
