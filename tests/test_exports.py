"""Exports and change log agree with the source files, row by row.

The expected values are computed here straight from the snapshot files, independently of
the importer: a minimal reading of the Ministry's table (strip blanks, drop the header glued
into row 262 and the empty rows, convert DD.MM.YYYY dates).
"""

import csv
import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from followthemoney import model

from civwatch.registers.models import Change, Designation, Snapshot
from tests.conftest import FOREIGN_AGENTS, UNDESIRABLE, import_history

pytestmark = pytest.mark.django_db
# In these snapshots the dateOut column holds publication dates (see docs/registers.md), so
# their removal dates were not recorded (--suspect keep-previous).
SHIFTED_DATE_OUT = {
    "registry-2024-06-01.json", "registry-2024-06-15.json",
    "registry-2024-06-22.json", "registry-2024-07-06.json",
}  # fmt: skip


def source_rows(path) -> dict[str, dict]:
    if path.suffix == ".csv":
        records = list(csv.DictReader(path.open(encoding="utf-8")))
    else:
        records = json.loads(path.read_text(encoding="utf-8"))
    rows = {}
    for record in records:
        cells = {k: str(v).replace("\xa0", " ") for k, v in record.items()}
        if "\n" in cells["id"]:  # the table header glued into every cell of the row
            cells = {k: v.split("\n", 1)[1] if "\n" in v else "" for k, v in cells.items()}
        cells = {k: " ".join(v.split()) for k, v in cells.items()}
        if any(cells.values()):
            rows[cells["id"]] = cells
    return rows


def iso(text: str) -> str:
    if not text:
        return ""
    return datetime.datetime.strptime(text, "%d.%m.%Y").date().isoformat()


def export(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    text = out.getvalue()
    if "--format" in args and args[args.index("--format") + 1] == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    return [json.loads(line) for line in text.splitlines()]


def first_seen(paths) -> dict[str, str]:
    seen = {}
    for path in paths:
        as_of = re.search(r"\d{4}-\d{2}-\d{2}", path.name).group()
        for row_id in source_rows(path):
            seen.setdefault(row_id, as_of)
    return seen


@pytest.fixture(scope="module")
def exported(full_history, django_db_blocker):
    with django_db_blocker.unblock():
        return {
            register: {
                fmt: export("export", "designations", "--register", register, "--format", fmt)
                for fmt in ("jsonl", "csv")
            }
            for register in ("foreign-agents", "undesirable")
        }


def test_every_row_of_the_latest_snapshot_is_exported_as_in_the_source(exported):
    latest = source_rows(FOREIGN_AGENTS[-1])
    rows = {row["row_id"]: row for row in exported["foreign-agents"]["jsonl"]}
    assert set(rows) == set(latest)
    seen = first_seen(FOREIGN_AGENTS)
    for row_id, cells in latest.items():
        row = rows[row_id]
        assert row["name"] == cells["fullName"]
        assert row["listed_on"] == iso(cells["dateIn"])
        assert row["published_on"] == iso(cells["datePubl"])
        assert row["removed_on"] == iso(cells["dateOut"])
        assert row["status"] == ("removed" if cells["dateOut"] else "active")
        assert row["first_seen"] == seen[row_id]
        assert row["last_seen"] == "2024-10-01"
        article, law = re.search(r"Статья (\S+) .*?No (\S+?)(?:«| )", cells["law"]).groups()
        assert row["legal_basis"] == f"{law.replace('ФЗ', 'FZ')}-{article}"
        assert row["schema"] == ("Person" if cells["dob"] else row["schema"])


def test_undesirable_list_is_exported_as_in_the_source(exported):
    latest = source_rows(UNDESIRABLE[-1])
    rows = {row["row_id"]: row for row in exported["undesirable"]["jsonl"]}
    assert set(rows) == set(latest) and len(rows) == 188
    seen = first_seen(UNDESIRABLE)
    for row_id, cells in latest.items():
        assert rows[row_id]["name"] == cells["fullName"]
        assert rows[row_id]["listed_on"] == iso(cells["dateIn"])
        assert rows[row_id]["legal_basis"] == "272-FZ-3.1"
        assert rows[row_id]["first_seen"] == seen[row_id]


def test_csv_and_json_lines_say_the_same(exported):
    for register in exported.values():
        assert register["csv"] == [{k: str(v) for k, v in row.items()} for row in register["jsonl"]]


def test_change_log_adds_exactly_the_new_rows_of_each_snapshot(full_history):
    changes = export("changes", "--register", "foreign-agents")
    added: dict[str, set] = {}
    for change in changes:
        if change["kind"] == "added":
            added.setdefault(change["snapshot_file"], set()).add(change["row_id"])
    previous: set = set()
    for path in FOREIGN_AGENTS:
        rows = set(source_rows(path))
        assert added.get(path.name, set()) == rows - previous, path.name
        previous |= rows


def test_change_log_removals_are_the_removal_dates_appearing(full_history):
    changes = export("changes", "--register", "foreign-agents", "--format", "csv")
    removed = {(c["snapshot_file"], c["row_id"]) for c in changes if c["kind"] == "removed"}
    expected, known_out = set(), {}
    for path in FOREIGN_AGENTS:
        if path.name in SHIFTED_DATE_OUT:
            continue
        for row_id, cells in source_rows(path).items():
            if cells["dateOut"] and not known_out.get(row_id) and row_id in known_out:
                expected.add((path.name, row_id))
            known_out[row_id] = cells["dateOut"]
    assert removed == expected
    assert ("registry-2024-10-01.json", "643") in removed


def test_changes_since_a_date(full_history):
    since = export("changes", "--register", "foreign-agents", "--since", "2024-09-13")
    assert {c["snapshot"] for c in since} == {"2024-09-13", "2024-10-01"}
    assert len(since) == Change.objects.filter(snapshot__as_of__gte="2024-09-13").count()
    field_changes = [c for c in since if c["kind"] == "modified"]
    assert all(
        len(before_after) == 2 for c in field_changes for before_after in c["fields"].values()
    )


def test_reimporting_every_snapshot_is_a_no_op(full_history):
    counts = [m.objects.count() for m in (Snapshot, Designation, Change)]
    import_history()
    assert [m.objects.count() for m in (Snapshot, Designation, Change)] == counts


def test_ftm_export_is_valid_followthemoney(full_history, tmp_path):
    path = tmp_path / "civwatch.ftm.jsonl"
    call_command("export", "ftm", "--output", str(path))
    entities = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    ids = {e["id"] for e in entities}
    assert len(ids) == len(entities)
    for data in entities:
        proxy = model.get_proxy(data, cleaned=False)
        assert proxy.to_dict()["properties"] == data["properties"], data["id"]
        for prop in proxy.iterprops():
            if prop.type.name == "entity":
                assert set(proxy.get(prop)) <= ids
    schemata = {e["schema"] for e in entities}
    assert {"Person", "Organization", "Membership", "Sanction"} <= schemata
    sanctions = [e for e in entities if e["schema"] == "Sanction"]
    assert len(sanctions) == Designation.objects.count()


def test_ftm_export_does_not_depend_on_the_order_rows_are_stored_in(full_history):
    """The same data exports byte for byte the same after its rows move on disk (PostgreSQL
    moves a row when it is updated, and a restore writes rows in its own order)."""
    from civwatch.entities.models import EntityName, Identifier, Website

    before = io.StringIO()
    call_command("export", "ftm", stdout=before)
    for rows in (EntityName.objects, Identifier.objects, Website.objects):
        for row in rows.order_by("-id"):
            row.save()
    after = io.StringIO()
    call_command("export", "ftm", stdout=after)
    assert after.getvalue() == before.getvalue()
