"""Versioned open-data releases (`civwatch publish`, docs/releases.md) on the bundled history.

Two releases are written in a row, with changes made in between; the expected delta is what
the test changed, not what the release code computes.
"""

import datetime
import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count

from civwatch.entities.models import Entity, EntityName
from civwatch.registers.models import Designation
from tests.conftest import FOREIGN_AGENTS, UNDESIRABLE

pytestmark = pytest.mark.django_db
FRICTIONLESS = Path(sys.executable).parent / "frictionless"


def publish(folder: Path) -> Path:
    out = io.StringIO()
    call_command("publish", "--output", str(folder), stdout=out)
    return Path(out.getvalue().strip())


def change_the_data() -> dict[str, set[str]]:
    """A new alias, a designation removed from its register, a member dropped from a listed
    organisation and a new member added: what the second release's delta must name."""
    renamed = Entity.objects.filter(kind="person", designations__isnull=False).order_by("id")[0]
    EntityName.objects.create(entity=renamed, kind=EntityName.Kind.ALIAS, name="Test Alias")
    designation = Designation.objects.filter(removed_on=None).order_by("id")[0]
    designation.removed_on = datetime.date(2026, 11, 1)
    designation.refresh_status()
    designation.save()
    sanction = f"{designation.entity_id}-{designation.register_id}-{designation.pk}"
    # A member listed only through this one organisation: dropping it unlists the person.
    member = (
        Entity.objects.annotate(orgs=Count("member_of", distinct=True))
        .filter(orgs=1, designations__isnull=True)
        .order_by("id")[0]
    )
    organisation = member.member_of.get()
    organisation.members.remove(member)
    newcomer = Entity.objects.create(id="cw-test-newcomer", kind="person", name="Новый Член")
    organisation.members.add(newcomer)
    return {
        "added": {newcomer.id, f"{organisation.id}-membership-{newcomer.id}"},
        "modified": {renamed.id, sanction},
        "removed": {member.id, f"{organisation.id}-membership-{member.id}"},
        "renamed": renamed.id,
    }


@pytest.fixture(scope="module")
def releases(full_history, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("releases")
    with django_db_blocker.unblock(), transaction.atomic():
        first = publish(folder)
        changed = change_the_data()
        second = publish(folder)
        transaction.set_rollback(True)  # the module's other tests read the history as imported
    return {"folder": folder, "first": first, "second": second, "changed": changed}


def entities(release: Path) -> dict[str, dict]:
    found = {}
    for name in ("entities.ftm.jsonl", "accountability.ftm.jsonl"):
        for line in (release / name).read_text(encoding="utf-8").splitlines():
            entity = json.loads(line)
            found[entity["id"]] = entity
    return found


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_releases_are_named_by_date_and_sequence(releases):
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert releases["first"].name == f"{today}.1"
    assert releases["second"].name == f"{today}.2"
    # Nothing else is left in the folder: no temporary folder of a release being written.
    assert sorted(p.name for p in releases["folder"].iterdir()) == [f"{today}.1", f"{today}.2"]


@pytest.mark.parametrize("which", ["first", "second"])
def test_frictionless_validate_accepts_the_release(releases, which):
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", "datapackage.json"],
        cwd=releases[which], capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["valid"] is True
    # Every CSV was read as a table against its schema, row by row.
    tables = {task["name"]: task for task in report["tasks"] if task["type"] == "table"}
    assert set(tables) == {"designations-csv", "changes-csv", "targets-simple-csv"}
    assert all(task["stats"]["rows"] > 100 for task in tables.values())


@pytest.mark.parametrize("which", ["first", "second"])
def test_every_checksum_and_size_matches_the_bytes(releases, which):
    release = releases[which]
    package = read_json(release / "datapackage.json")
    index = read_json(release / "index.json")
    listed = {r["path"]: r for r in index["resources"]}
    for entry in [*package["resources"], *index["resources"]]:
        data = (release / entry["path"]).read_bytes()
        assert entry["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), entry["path"]
        assert entry["bytes"] == len(data), entry["path"]
    # The index lists every file of the release but itself, the data package included.
    files = {p.name for p in release.iterdir()} - {"index.json"}
    assert set(listed) == files
    assert {r["path"] for r in package["resources"]} == files - {"datapackage.json"}


def test_the_counts_are_the_rows_of_the_files(releases):
    release = releases["first"]
    index = read_json(release / "index.json")
    counts = index["counts"]
    for name, key in [("entities.ftm.jsonl", "entities"), ("designations.jsonl", "designations"),
                      ("changes.jsonl", "changes")]:  # fmt: skip
        lines = (release / name).read_text(encoding="utf-8").splitlines()
        assert counts[key] == len(lines) > 100, name
    assert counts["designations"] == Designation.objects.count()
    # The newest bundled snapshot changed something: the last change is its date.
    newest = max(
        re.search(r"\d{4}-\d{2}-\d{2}", p.name).group() for p in FOREIGN_AGENTS + UNDESIRABLE
    )
    assert index["last_change"] == newest


def test_the_delta_names_exactly_the_entities_that_changed(releases):
    delta = read_json(releases["second"] / "delta.json")
    assert delta["previous"] == releases["first"].name
    got = {k: set(delta[k]) for k in ("added", "modified", "removed")}
    assert got == {k: v for k, v in releases["changed"].items() if k != "renamed"}
    # With the new content of what was added or modified, as the release itself has it.
    second = entities(releases["second"])
    assert {e["id"]: e for e in delta["entities"]} == {
        k: second[k] for k in got["added"] | got["modified"]
    }
    assert "Test Alias" in second[releases["changed"]["renamed"]]["properties"]["alias"]
    assert read_json(releases["second"] / "index.json")["counts"]["delta"] == {
        "added": 2, "modified": 2, "removed": 2,
    }  # fmt: skip


def test_the_first_release_adds_everything(releases):
    delta = read_json(releases["first"] / "delta.json")
    assert delta["previous"] is None and not delta["modified"] and not delta["removed"]
    assert set(delta["added"]) == set(entities(releases["first"]))


def test_the_simple_csv_is_read_back_by_the_targets_importer(releases):
    from civwatch.sanctions.ftm import read_targets_simple

    parsed = read_targets_simple(releases["first"] / "targets.simple.csv")
    people = {e.source_id: e for e in parsed.entries}
    listed = Entity.objects.listed().count()
    assert len(people) == listed
    designation = Designation.objects.select_related("entity").order_by("id")[0]
    assert people[designation.entity_id].name == designation.entity.name
    assert designation.register_id in people[designation.entity_id].programmes


def test_a_failure_leaves_no_half_release(releases, tmp_path):
    """A previous release whose entities file was altered: no delta, no release, a message
    naming the file and line, and nothing left behind."""
    folder = tmp_path / "out"
    folder.mkdir()
    previous = folder / "2020-01-01.1"
    previous.mkdir()
    (previous / "index.json").write_text("{}", encoding="utf-8")
    (previous / "entities.ftm.jsonl").write_text('{"id": "a"}\nnot json\n', encoding="utf-8")
    with pytest.raises(CommandError, match=r"entities\.ftm\.jsonl, line 2"):
        publish(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["2020-01-01.1"]


def test_the_site_lists_and_serves_the_releases(client, releases, settings):
    settings.CIVWATCH_RELEASES = releases["folder"]
    first, second = releases["first"], releases["second"]
    page = client.get("/releases/").content.decode()
    assert first.name in page and second.name in page
    index = read_json(second / "index.json")
    detail = client.get(f"/releases/{second.name}/")
    body = detail.content.decode()
    for resource in index["resources"]:
        assert resource["hash"].removeprefix("sha256:") in body
    ld = json.loads(body.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert ld["@type"] == "Dataset" and ld["version"] == second.name
    downloads = {d["name"]: d for d in ld["distribution"]}
    served = client.get(downloads["targets.simple.csv"]["contentUrl"])
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == (second / "targets.simple.csv").read_bytes()
    api = client.get("/api/releases").json()
    assert [r["release"] for r in api] == [second.name, first.name]
    assert api[0]["resources"] == index["resources"]
    feed = client.get("/releases/feed.atom").content.decode()
    assert first.name in feed and second.name in feed


@pytest.mark.parametrize(
    "url",
    ["/releases/2020-01-01.1/", "/releases/x/", "/api/releases/x",
     "/releases/{second}/files/index.jsonx", "/releases/{second}/files/..%2Fsecret",
     "/releases/{second}/files/.partial-x"],
)  # fmt: skip
def test_unknown_releases_and_files_are_not_found(client, releases, settings, url):
    settings.CIVWATCH_RELEASES = releases["folder"]
    secret = releases["folder"] / "secret"
    secret.write_text("no", encoding="utf-8")
    try:
        response = client.get(url.format(second=releases["second"].name))
    finally:
        secret.unlink()  # the other tests see the folder as publish left it
    assert response.status_code == 404
