"""Importing sanctions lists and external lists: each entry, programme, alias and tag of the
bundled files is in the database; re-imports record what changed; bad files write nothing."""

import csv
import hashlib
import io
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civwatch.entities.models import Entity
from civwatch.sanctions.models import Dataset, DatasetVersion, EntryChange, ListEntry

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parent.parent
OFAC = REPO / "data" / "sanctions" / "us-ofac-sdn"
ACF = REPO / "data" / "sanctions" / "acf-list" / "navalny_list_parsed.csv"
FIXTURES = REPO / "tests" / "data" / "sanctions"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def run_import(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue()


def ofac_rows(name: str) -> list[list[str]]:
    """Data rows as the csv module reads them: no header row, no ^Z line."""
    with (OFAC / name).open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle) if row and row[0].isdigit()]


def blank(cell: str) -> str:
    return "" if cell.strip() == "-0-" else cell.strip()


def test_ofac_import_keeps_every_entry_with_its_programmes_aliases_and_birth_dates():
    run_import("ofac-sdn", str(OFAC))
    sdn = ofac_rows("sdn.csv")
    entries = {e.source_id: e for e in ListEntry.objects.filter(dataset="us-ofac-sdn")}
    assert set(entries) == {row[0] for row in sdn}
    for row in sdn:
        entry = entries[row[0]]
        assert entry.name == row[1].strip()
        assert entry.programmes == [p.strip("[] ") for p in row[3].split("] [")]
        assert entry.description == blank(row[4])
        assert (entry.schema == "Person") == (row[2] == "individual")
        # A range ("DOB 01 Jan 1961 to 31 Dec 1962") is stored as what it covers.
        for day, month, year in re.findall(r"DOB (\d\d) (\w{3}) (\d{4})(?! to )", row[11]):
            iso = f"{year}-{MONTHS.index(month) + 1:02d}-{day}"
            assert iso in entry.record["birth_dates"], row[0]
    for ent_num, _, _, alias, _ in ofac_rows("alt.csv"):
        if ent_num in entries:
            assert alias in entries[ent_num].record["aliases"]
    assert not ListEntry.objects.filter(name__contains="-0-").exists()
    version = DatasetVersion.objects.get(dataset="us-ofac-sdn")
    assert version.files == {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in OFAC.glob("*.csv")
    }
    assert version.added == len(sdn)
    dataset = Dataset.objects.get(slug="us-ofac-sdn")
    assert (dataset.jurisdiction, dataset.kind) == ("us", "official")
    assert "public domain" in dataset.licence.lower()


def acf_rows() -> list[dict]:
    with ACF.open(encoding="utf-8", newline="") as handle:
        return [{k.strip(): v for k, v in row.items()} for row in csv.DictReader(handle)]


def test_acf_import_keeps_both_scripts_birth_dates_and_every_tag():
    run_import("acf-list", str(ACF))
    rows = acf_rows()
    entries = list(ListEntry.objects.filter(dataset="acf-list"))
    assert {e.name.casefold() for e in entries} == {
        " ".join(r["Name rus"].split()).casefold() for r in rows
    }
    by_name = {}
    for entry in entries:
        by_name.setdefault(entry.name.casefold(), []).append(entry)
    for row in rows:
        candidates = by_name[" ".join(row["Name rus"].split()).casefold()]
        tags = {" ".join(t.split()).strip('"').rstrip(".") for t in row["Tag"].splitlines()}
        assert any(tags - {""} <= set(e.tags) for e in candidates), row["Name rus"]
        assert any(" ".join(row["Name eng"].split()) in e.record["aliases"] for e in candidates)
        dob = re.fullmatch(r"(\d\d)\.(\d\d)\.((?:19[1-9]|20)\d\d)", row["DOB"].strip())
        if dob:
            iso = f"{dob[3]}-{dob[2]}-{dob[1]}"
            assert any(iso in e.record.get("birth_dates", []) for e in candidates)
    tagged = {
        (" ".join(r["Name rus"].split()).casefold(), r["DOB"].strip())
        for r in rows
        if "Organizers of political repressions" in r["Tag"]
    }
    repressions = ListEntry.objects.filter(tags__icontains="Organizers of political repressions")
    assert repressions.count() == len(tagged)
    assert Dataset.objects.get(slug="acf-list").kind == "external"


def test_a_year_a_spreadsheet_turned_into_a_1905_date_is_read_back_as_the_year():
    run_import("acf-list", str(ACF))
    rows = [r for r in acf_rows() if r["DOB"].strip() == "22.05.1905"]
    assert rows
    for row in rows:
        entry = ListEntry.objects.get(dataset="acf-list", name=" ".join(row["Name rus"].split()))
        assert entry.record["birth_dates"] == ["1969"]  # day 1969 after 1899-12-30


def test_reimporting_the_same_files_changes_nothing():
    run_import("ofac-sdn", str(OFAC))
    changes = EntryChange.objects.count()
    out = run_import("ofac-sdn", str(OFAC))
    assert "imported before" in out
    assert DatasetVersion.objects.count() == 1
    assert EntryChange.objects.count() == changes


def rewrite_sdn(directory: Path, edit) -> None:
    path = directory / "sdn.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(edit(rows))


def test_a_newer_version_records_additions_changes_and_removals(tmp_path):
    newer = tmp_path / "sdn-newer"
    shutil.copytree(OFAC, newer)
    sdn = ofac_rows("sdn.csv")
    removed, changed = sdn[0], sdn[1]

    def edit(rows):
        rows = [r for r in rows if r[:1] != [removed[0]]]
        for row in rows:
            if row[:1] == [changed[0]]:
                row[3] = "GLOMAG"
        return [*rows[:-1], ["99999999", "NEW, Person", "individual", "GLOMAG", *["-0- "] * 8]]

    rewrite_sdn(newer, edit)
    run_import("ofac-sdn", str(OFAC))
    run_import("ofac-sdn", str(newer), "--as-of", "2026-01-02")
    version = DatasetVersion.objects.latest("imported_at")
    assert (version.added, version.changed, version.removed) == (1, 1, 1)
    assert version.source_date.isoformat() == "2026-01-02"
    change = EntryChange.objects.get(version=version, kind="changed")
    assert change.entry.source_id == changed[0]
    assert change.fields["programmes"] == [
        [p.strip("[] ") for p in changed[3].split("] [")],
        ["GLOMAG"],
    ]
    gone = ListEntry.objects.get(dataset="us-ofac-sdn", source_id=removed[0])
    assert not gone.present
    assert ListEntry.objects.get(source_id="99999999").programmes == ["GLOMAG"]

    again = tmp_path / "sdn-again"  # the first version's rows, re-saved: a new file
    shutil.copytree(OFAC, again)
    rewrite_sdn(again, lambda rows: rows)
    run_import("ofac-sdn", str(again))
    back = EntryChange.objects.get(entry=gone, kind="reinstated")
    assert back.version.removed == 1  # the added row vanished again
    assert ListEntry.objects.get(pk=gone.pk).present


def corrupt_ofac(tmp_path: Path, edit) -> Path:
    directory = tmp_path / "ofac"
    shutil.copytree(OFAC, directory)
    rewrite_sdn(directory, edit)
    return directory


def set_cell(row_number: int, column: int, value: str):
    def edit(rows):
        rows[row_number - 1][column] = value
        return rows

    return edit


def drop_cells(row_number: int):
    def edit(rows):
        rows[row_number - 1] = rows[row_number - 1][:5]
        return rows

    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (set_cell(3, 0, "17x"), ["sdn.csv", "row 3", "'ent_num'", "not a number"]),
        (drop_cells(4), ["sdn.csv", "row 4", "5 fields, expected 12"]),
        (set_cell(5, 2, "spaceship"), ["row 5", "'sdn_type'", "unknown type"]),
        (set_cell(6, 11, "DOB 31 Feb 1970"), ["row 6", "'remarks'", "unreadable birth date"]),
    ],
)
def test_a_bad_ofac_file_names_file_row_and_field_and_writes_nothing(tmp_path, edit, expected):
    directory = corrupt_ofac(tmp_path, edit)
    with pytest.raises(CommandError) as error:
        run_import("ofac-sdn", str(directory))
    for part in expected:
        assert part in str(error.value)
    assert not Dataset.objects.exists() and not Entity.objects.exists()


def test_a_bad_file_after_a_good_version_leaves_that_version_alone(tmp_path):
    run_import("ofac-sdn", str(OFAC))
    entries = ListEntry.objects.count()
    with pytest.raises(CommandError):
        run_import("ofac-sdn", str(corrupt_ofac(tmp_path, set_cell(3, 0, "x"))))
    assert DatasetVersion.objects.count() == 1 and ListEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("source", "name", "content", "expected"),
    [
        ("acf-list", "acf.csv", "Name rus,DOB\nИванов,01.01.1970\n", ["acf.csv", "'Name eng'"]),
        (
            "acf-list",
            "acf.csv",
            "Name rus, Name eng,DOB,Gender,Description,Tag\n,,,,,\nx,y\n",
            ["line 3", "2 fields"],
        ),
        (
            "acf-list",
            "cp1251.csv",
            "Name rus, Name eng,DOB,Gender,Description,Tag\nИванов,Ivanov,,,,\n".encode("cp1251"),
            ["cp1251.csv", "not UTF-8"],
        ),
        (
            "ftm",
            "e.jsonl",
            '{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n{',
            ["e.jsonl", "line 2", "not JSON"],
        ),
        (
            "ftm",
            "e.jsonl",
            '{"id": "a", "schema": "Spaceship", "properties": {}}\n',
            ["line 1", "'schema'", "unknown schema"],
        ),
        (
            "ftm",
            "e.jsonl",
            '{"id": "a", "schema": "Person", "properties": {"name": ["A"], '
            '"birthDate": ["1970-13-45"]}}\n',
            ["line 1", "'birthDate'"],
        ),
        ("opensanctions-targets", "t.csv", "id,schema,name\n1,Person,A\n", ["t.csv", "'aliases'"]),
    ],
)
def test_bad_list_files_name_file_row_and_field_and_write_nothing(
    tmp_path, source, name, content, expected
):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    extra = [] if source == "acf-list" else ["--dataset", "bad"]
    with pytest.raises(CommandError) as error:
        run_import(source, str(path), *extra)
    for part in expected:
        assert part in str(error.value)
    assert not Dataset.objects.exists() and not Entity.objects.exists()


def test_ftm_import_takes_programmes_and_dates_from_sanction_entities():
    out = run_import(
        "ftm", str(FIXTURES / "entities.ftm.jsonl"), "--dataset", "uk-test",
        "--jurisdiction", "uk", "--title", "UK test list", "--licence", "test",
    )  # fmt: skip
    assert "1 entities of other schemas" in out
    dataset = Dataset.objects.get(slug="uk-test")
    assert (dataset.kind, dataset.jurisdiction, dataset.title) == ("official", "uk", "UK test list")
    person = ListEntry.objects.get(dataset=dataset, source_id="cw-f-1")
    assert person.programmes == ["UK-GHR"]
    assert person.listed_since.isoformat() == "2023-05-04"
    assert person.record["aliases"] == ["Орлов Иван Петрович"]
    assert person.record["passports"] == ["7500123456"]
    assert ListEntry.objects.filter(dataset=dataset).count() == 2


def test_targets_simple_import_splits_aliases_and_programmes():
    run_import(
        "opensanctions-targets", str(FIXTURES / "targets.simple.csv"), "--dataset", "targets"
    )
    with (FIXTURES / "targets.simple.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        entry = ListEntry.objects.get(dataset="targets", source_id=row["id"])
        assert entry.record.get("aliases", []) == row["aliases"].split(";")
        assert entry.programmes == [p for p in row["program_ids"].split(";") if p]
        assert entry.record.get("birth_dates", []) == [d for d in [row["birth_date"]] if d]
    assert Dataset.objects.get(slug="targets").kind == "external"


@pytest.mark.parametrize("name", ["registers", "cases", "staff", "Bad Name"])
def test_reserved_or_malformed_dataset_names_are_refused(name):
    with pytest.raises(CommandError, match="--dataset"):
        run_import("ftm", str(FIXTURES / "entities.ftm.jsonl"), "--dataset", name)
    assert not Dataset.objects.exists()


def test_an_import_runs_as_a_background_job_with_progress(django_capture_on_commit_callbacks):
    from civwatch.jobs.models import Job
    from civwatch.jobs.runner import enqueue_job
    from tests.test_jobs import run_worker

    targets = str(FIXTURES / "targets.simple.csv")
    options = {"dataset": "targets", "as_of": "2025-02-01"}
    good = {"source": "opensanctions-targets", "path": targets, "options": options}
    bad = {"source": "acf-list", "path": targets, "options": {}}
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_job("sanctions-import", "targets", good)
        enqueue_job("sanctions-import", "bad", bad)
    run_worker()
    done, failed = Job.objects.get(title="targets"), Job.objects.get(title="bad")
    assert (done.status, done.done, done.total) == ("done", 3, 3)
    assert "3 added" in done.log[-1]
    assert DatasetVersion.objects.get(dataset="targets").source_date.isoformat() == "2025-02-01"
    assert (
        failed.status == "failed" and "targets.simple.csv, line 1, field 'Name rus'" in failed.error
    )
