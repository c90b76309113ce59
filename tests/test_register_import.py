"""Importing register snapshots: what a user sees after `civwatch import ...`."""

import json
import shutil
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from civwatch.registers.models import Change, Designation, Snapshot
from tests.conftest import FOREIGN_AGENTS, UNDESIRABLE

pytestmark = pytest.mark.django_db


def snapshot(name: str):
    return next(p for p in FOREIGN_AGENTS if p.name == name)


def run_import(*args: str):
    call_command("import", *args)


def test_first_snapshot_adds_every_row():
    run_import("foreign-agents", str(FOREIGN_AGENTS[0]))
    assert Designation.objects.count() == 685
    assert Change.objects.filter(kind="added").count() == 685
    ponomarev = Designation.objects.get(register="foreign-agents", row_id="1")
    assert ponomarev.listed_on == date(2013, 6, 27)
    assert ponomarev.removed_on == date(2023, 7, 5)
    assert ponomarev.status == "removed"


def test_reimporting_a_snapshot_changes_nothing():
    run_import("foreign-agents", *map(str, FOREIGN_AGENTS[:3]))
    counts = (Snapshot.objects.count(), Change.objects.count(), Designation.objects.count())
    run_import("foreign-agents", str(FOREIGN_AGENTS[1]))
    assert (Snapshot.objects.count(), Change.objects.count(), Designation.objects.count()) == counts


def test_cosmetic_whitespace_is_not_a_change():
    # On 2024-05-07 the Ministry collapsed double spaces in 32 names.
    run_import("foreign-agents", str(snapshot("registry-2024-05-03.json")), "--as-of", "2024-05-03")
    run_import("foreign-agents", str(snapshot("registry-2024-05-07.json")))
    assert not Change.objects.filter(snapshot__as_of=date(2024, 5, 7)).exists()


def test_a_new_column_does_not_make_rows_modified(tmp_path):
    # The same register before and after the Ministry added the publication-date column.
    rows = json.loads(snapshot("registry-2024-07-07.json").read_text(encoding="utf-8"))
    for row in rows:
        del row["datePubl"]
    before = tmp_path / "registry-2024-07-06.json"
    before.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    run_import("foreign-agents", str(before))
    run_import("foreign-agents", str(snapshot("registry-2024-07-07.json")))
    later = Snapshot.objects.get(file_name="registry-2024-07-07.json")
    assert "published_on" in later.columns
    assert not later.changes.exists()
    assert Designation.objects.exclude(published_on=None).count() == 36


def test_header_glued_row_is_cleaned_and_keeps_its_identity():
    run_import("foreign-agents", str(snapshot("registry-2024-09-13.json")))
    run_import("foreign-agents", str(snapshot("registry-2024-10-01.json")))
    gusev = Designation.objects.get(row_id="262")
    assert gusev.entity.name == "Гусев Андрей Юрьевич"
    assert gusev.record["birth_date"] == "1983-10-06"
    assert not gusev.changes.exclude(kind="added").exists()
    first = Snapshot.objects.get(file_name="registry-2024-09-13.json")
    assert any("header" in note for note in first.report["notes"])
    assert first.row_count == 860  # the empty row is not a register row


def test_mass_reversal_of_removals_is_suspect_and_stops_by_default():
    run_import("foreign-agents", str(snapshot("registry-2024-05-07.json")))
    with pytest.raises(CommandError, match="removed designations would be reinstated"):
        run_import("foreign-agents", str(snapshot("registry-2024-06-01.json")))
    assert Snapshot.objects.count() == 1
    assert not Change.objects.filter(kind="reinstated").exists()


def test_suspect_snapshot_can_be_skipped():
    run_import("foreign-agents", str(snapshot("registry-2024-05-07.json")))
    run_import("foreign-agents", str(snapshot("registry-2024-06-01.json")), "--suspect", "skip")
    skipped = Snapshot.objects.get(file_name="registry-2024-06-01.json")
    assert skipped.status == "skipped" and not skipped.changes.exists()
    assert Designation.objects.filter(status="removed").count() == 202


def test_keep_previous_records_the_rest_of_a_suspect_snapshot():
    run_import("foreign-agents", str(snapshot("registry-2024-05-07.json")))
    run_import(
        "foreign-agents", str(snapshot("registry-2024-06-01.json")), "--suspect", "keep-previous"
    )
    assert Change.objects.filter(snapshot__as_of=date(2024, 6, 1), kind="added").count() == 8
    assert not Change.objects.filter(kind="reinstated").exists()
    assert Designation.objects.filter(status="removed").count() == 202


def test_suspect_snapshot_can_be_confirmed_as_fact():
    run_import("foreign-agents", str(snapshot("registry-2024-05-07.json")))
    run_import("foreign-agents", str(snapshot("registry-2024-06-01.json")), "--suspect", "confirm")
    assert Change.objects.filter(kind="reinstated").count() == 202


def test_csv_and_json_forms_give_the_same_register(settings):
    from tests.conftest import REPO

    run_import("foreign-agents", str(REPO / "tests" / "data" / "registry-2023-09-29.csv"))
    from_csv = {d.row_id: d.record for d in Designation.objects.all()}
    Designation.objects.all().delete()
    Snapshot.objects.all().delete()
    run_import("foreign-agents", str(FOREIGN_AGENTS[0]))
    assert {d.row_id: d.record for d in Designation.objects.all()} == from_csv


def test_undesirable_register_with_csv_and_no_break_spaces():
    run_import("undesirable", *map(str, UNDESIRABLE))
    assert Designation.objects.filter(register="undesirable").count() == 188
    ned = Designation.objects.get(register="undesirable", row_id="1")
    assert ned.legal_basis.code == "272-FZ-3.1"
    assert ned.record["decision_out_minjust"] is None
    assert "The National Endowment for Democracy" in ned.entity.names.values_list("name", flat=True)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'[{"id": "1",', "malformed JSON"),
        ("[]".encode("utf-16"), "not UTF-8"),
        (b'[{"id": "1", "fullName": "X"}]', "missing column"),
    ],
)
def test_bad_files_are_refused_naming_the_file(tmp_path, content, message):
    bad = tmp_path / "registry-2024-01-01.json"
    bad.write_bytes(content)
    with pytest.raises(CommandError, match=rf"registry-2024-01-01.json.*{message}"):
        run_import("foreign-agents", str(bad))
    assert not Snapshot.objects.exists()


def corrupted(tmp_path, row_index: int, **fields) -> str:
    rows = json.loads(FOREIGN_AGENTS[0].read_text(encoding="utf-8"))
    rows[row_index].update(fields)
    path = tmp_path / "registry-2023-09-30.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_impossible_date_names_row_and_field(tmp_path):
    path = corrupted(tmp_path, 4, dateIn="31.02.2020")
    with pytest.raises(CommandError, match=r"row 5, field 'dateIn'.*31.02.2020"):
        run_import("foreign-agents", path)
    assert not Designation.objects.exists()


def test_unknown_legal_basis_names_row_and_field(tmp_path):
    path = corrupted(tmp_path, 9, law="Указ Президента № 1")
    with pytest.raises(CommandError, match=r"row 10, field 'law'"):
        run_import("foreign-agents", path)
    assert not Designation.objects.exists()


def test_a_bad_file_among_several_writes_nothing(tmp_path):
    good = tmp_path / FOREIGN_AGENTS[0].name
    shutil.copy(FOREIGN_AGENTS[0], good)
    bad = corrupted(tmp_path, 0, dob="99.99.1999")
    with pytest.raises(CommandError, match="field 'dob'"):
        run_import("foreign-agents", str(good), bad)
    assert not Snapshot.objects.exists()


def test_csv_row_with_shifted_columns_names_the_row(tmp_path):
    from tests.conftest import REPO

    lines = (REPO / "tests" / "data" / "registry-2023-09-29.csv").read_text().splitlines()
    lines[3] += ",extra cell"
    path = tmp_path / "registry-2023-09-29.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CommandError, match=r"registry-2023-09-29.csv, row 3: 14 cells"):
        run_import("foreign-agents", str(path))
    assert not Designation.objects.exists()


def test_older_snapshot_after_newer_is_refused():
    run_import("foreign-agents", str(FOREIGN_AGENTS[2]))
    with pytest.raises(CommandError, match="not newer"):
        run_import("foreign-agents", str(FOREIGN_AGENTS[1]))
