"""The UK (OFSI) and Canadian (SEMA/JVCFOA) lists: every group and record of the bundled files
is imported with its names, birth dates and programmes; expected figures are computed from
the files themselves; re-imports record changes; bad files are named and write nothing."""

import csv
import io
import re
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import defusedxml.ElementTree as ET
import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civwatch.sanctions.models import DatasetVersion, EntryChange, ListEntry
from tests.processes import pdf_text

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parent.parent
UK = REPO / "data" / "sanctions" / "uk-ofsi" / "ConList.xlsx"
CA = REPO / "data" / "sanctions" / "ca-sema" / "sema-lema.xml"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def run_import(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue()


def uk_sheet() -> list[list[str]]:
    """Every row of the sheet as text ("" for an empty cell), both header rows included."""
    book = openpyxl.load_workbook(UK, read_only=True)
    rows = [
        ["" if c is None else str(c) for c in row]
        for row in book["Data"].iter_rows(values_only=True)
    ]
    book.close()
    return rows


def uk_groups(rows: list[list[str]]) -> dict[str, list[dict]]:
    header = rows[1]
    groups = defaultdict(list)
    for row in rows[2:]:
        data = dict(zip(header, row, strict=True))
        groups[data["Group ID"]].append(data)
    return groups


def ca_records() -> list[dict[str, str]]:
    return [
        {child.tag: " ".join((child.text or "").split()) for child in record}
        for record in ET.parse(CA).getroot()
    ]


@pytest.fixture(scope="module")
def lists(django_db_setup, django_db_blocker):
    """Both lists imported once for the module (each file is several thousand entries)."""
    with django_db_blocker.unblock():
        run_import("uk-ofsi", str(UK))
        run_import("ca-sema", str(CA))
        yield
        wipe()


def wipe() -> None:
    """Plain DELETEs, children first: the ORM's per-relation collection takes minutes for
    the 16,000 entries and entities these tests create. The database still checks that
    nothing else points at them."""
    from civwatch.entities.models import Entity, EntityName
    from civwatch.sanctions.models import Dataset, Link

    for model in (Link, EntryChange, ListEntry, DatasetVersion, Dataset):
        model.objects.all()._raw_delete(model.objects.db)
    for prefix in ("uk-ofsi-", "ca-sema-", "acf-list-"):
        entities = Entity.objects.filter(pk__startswith=prefix)
        EntityName.objects.filter(entity__in=entities)._raw_delete(Entity.objects.db)
        entities._raw_delete(Entity.objects.db)


@pytest.fixture(scope="module")
def sheet():
    return uk_sheet()


def test_one_uk_entry_per_group_counted_by_type_and_regime(lists, sheet):
    groups = uk_groups(sheet)
    entries = {e.source_id: e for e in ListEntry.objects.filter(dataset="uk-ofsi")}
    assert set(entries) == set(groups)
    types = Counter(rows[0]["Group Type"] for rows in groups.values())
    assert types == Counter(e.record["group_type"] for e in entries.values())
    assert sum(types.values()) == 4688  # as the file's publisher counts them
    schemas = {"Individual": "Person", "Entity": "LegalEntity", "Ship": "Vessel"}
    assert Counter(e.schema for e in entries.values()) == Counter(
        {schemas[t]: n for t, n in types.items()}
    )
    regimes = Counter(r for rows in groups.values() for r in {row["Regime"] for row in rows})
    assert regimes == Counter(p for e in entries.values() for p in e.programmes)
    assert regimes["Russia"] == 2181 and regimes["Global Human Rights"] == 143


def test_uk_entries_keep_every_name_variant_non_latin_name_and_birth_date(lists, sheet):
    groups = uk_groups(sheet)
    entries = {e.source_id: e for e in ListEntry.objects.filter(dataset="uk-ofsi")}
    for group_id, rows in groups.items():
        record = entries[group_id].record
        names = {record["name"], *record.get("aliases", []), *record.get("weak_aliases", [])}
        for row in rows:
            surname = " ".join(row["Name 6"].split())
            if surname:
                assert any(surname in name for name in names), (group_id, surname)
            if row["Name Non-Latin Script"].strip():
                assert " ".join(row["Name Non-Latin Script"].split()) in names
            dob = row["DOB"]
            if dob:
                parts = [p for p in reversed(dob.split("/")) if p != "00"]
                assert "-".join(parts) in record["birth_dates"], (group_id, dob)
            ref = re.search(
                r"\(UK Sanctions List Ref\):\s*([A-Za-z]+\.?\d+)", row["Other Information"]
            )
            if ref:
                assert ref.group(1) in record["uk_sanctions_list_ref"]


def test_uk_birth_dates_keep_their_precision(lists):
    precisions = Counter(
        len(d)
        for e in ListEntry.objects.filter(dataset="uk-ofsi")
        for d in e.record.get("birth_dates", [])
    )
    # Whole dates, month and year ("00/mm/yyyy", "mm/yyyy"), year alone ("00/00/yyyy", "yyyy").
    assert set(precisions) == {10, 7, 4}


def test_canadian_records_counted_by_type_and_programme(lists):
    records = ca_records()
    entries = ListEntry.objects.filter(dataset="ca-sema")
    assert entries.count() == len(records) == 4759
    persons = sum(1 for r in records if r.get("LastName") or r.get("GivenName"))
    assert entries.filter(schema="Person").count() == persons == 3334
    ships = sum(1 for r in records if r.get("ShipIMONumber") and not r.get("LastName"))
    assert entries.filter(schema="Vessel").count() == ships
    assert entries.filter(schema="LegalEntity").count() == len(records) - persons - ships
    programmes = Counter(r["Country"].split(" / ")[0].strip() for r in records)
    assert programmes == Counter(p for e in entries for p in e.programmes)


def test_canadian_ids_are_stable_and_aliases_keep_cyrillic(lists):
    by_key = defaultdict(list)
    for e in ListEntry.objects.filter(dataset="ca-sema"):
        by_key[e.record["country"], e.record.get("schedule", ""), e.record["item"]].append(e)
    for record in ca_records():
        matching = by_key[record["Country"], record.get("Schedule", ""), record["Item"]]
        assert len(matching) == 1, record
        aliases = matching[0].record.get("aliases", [])
        for piece in re.split(r"[;,]", record.get("Aliases", "")):
            piece = re.sub(r"^\w+:\s*", "", piece.strip())
            if CYRILLIC.search(piece):
                assert piece in aliases, (record["Item"], piece)


def test_canadian_birth_dates_are_never_invented(lists):
    entries = ListEntry.objects.filter(dataset="ca-sema")
    texts = {e.record["birth_date_text"] for e in entries if "birth_date_text" in e.record}
    assert texts == {"Sep-99", "born in the early 1970s"}
    for entry in entries:
        if "birth_date_text" in entry.record:
            assert not entry.record.get("birth_dates")
    (either,) = [e for e in entries if "1972-08-10" in e.record.get("birth_dates", [])]
    assert either.record["birth_dates"] == ["1972-08-10", "1972-08-11"]
    version = DatasetVersion.objects.get(dataset="ca-sema")
    assert str(version.source_date) == max(r["DateOfListing"] for r in ca_records())


@pytest.mark.parametrize(
    ("dataset", "name", "programme", "since"),
    [
        ("uk-ofsi", "Alexander Ivanovich BASTRYKIN", "Global Human Rights", "2020-07-06"),
        (
            "ca-sema",
            "Alexander Ivanovich BASTRYKIN",
            "Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)",
            "2017-11-03",
        ),
        ("uk-ofsi", "Dmitry Sergeyvich PESKOV", "Russia", "2022-03-15"),
        ("ca-sema", "Dmitry Sergeyevich PESKOV", "Russia", "2022-03-06"),
    ],
)
def test_bastrykin_and_peskov(lists, dataset, name, programme, since):
    entry = ListEntry.objects.get(dataset=dataset, name=name)
    assert entry.programmes == [programme]
    assert str(entry.listed_since) == since
    if "PESKOV" in name:
        assert any("Песков" in a.title() for a in entry.record["aliases"])
        assert any(d.startswith("1967") for d in entry.record["birth_dates"])


def test_the_same_file_twice_is_a_no_op(lists):
    assert "imported before" in run_import("uk-ofsi", str(UK))
    assert "imported before" in run_import("ca-sema", str(CA))
    assert DatasetVersion.objects.filter(dataset__in=["uk-ofsi", "ca-sema"]).count() == 2


def test_the_csv_form_gives_the_same_entries_and_changes_are_recorded(lists, sheet, tmp_path):
    rows = [list(r) for r in sheet]
    header = rows[1]
    peskov = next(r for r in rows[2:] if r[header.index("Group ID")] == "14704")
    peskov[header.index("Position")] = "Press Secretary to the President"
    gone = rows[2][header.index("Group ID")]
    rows = rows[:2] + [r for r in rows[2:] if r[header.index("Group ID")] != gone]
    path = tmp_path / "ConList.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    output = run_import("uk-ofsi", str(path))
    assert "0 added, 1 changed, 1 removed" in output
    change = EntryChange.objects.get(entry__source_id="14704", kind="changed")
    assert change.fields["description"] == [
        "Press Secretary to Putin",
        "Press Secretary to the President",
    ]
    assert not ListEntry.objects.get(dataset="uk-ofsi", source_id=gone).present


def test_a_changed_canadian_record_is_recorded(lists, tmp_path):
    text = CA.read_text(encoding="utf-8").replace(
        "<DateOfListing>2017-11-03</DateOfListing>", "<DateOfListing>2017-11-04</DateOfListing>", 1
    )
    path = tmp_path / "sema-lema.xml"
    path.write_text(text, encoding="utf-8")
    assert "0 added, 1 changed, 0 removed" in run_import("ca-sema", str(path))


@pytest.mark.parametrize(
    ("source", "name", "old", "new", "message"),
    [
        ("ca-sema", "sema-lema.xml", "<DateOfListing>2017-11-03</DateOfListing>",
         "<DateOfListing>03/11/2017</DateOfListing>", r"record \d+, field 'DateOfListing'"),
        ("ca-sema", "sema-lema.xml", "<Item>21</Item>", "", r"record \d+, field 'Item'"),
        ("ca-sema", "sema-lema.xml", "</data-set>", "", r"line \d+: not well-formed XML"),
        ("uk-ofsi", "ConList.csv", "27/08/1953", "31/02/1953", r"row \d+, field 'DOB'"),
        ("uk-ofsi", "ConList.csv", "Global Human Rights,06/07/2020", "Global Human Rights,6 July",
         r"row \d+, field 'Listed On'"),
        ("uk-ofsi", "ConList.csv", "Group ID", "Group", r"row 2, field 'Group ID'"),
    ],
)  # fmt: skip
def test_bad_files_are_named_by_row_and_field_and_write_nothing(
    lists, sheet, tmp_path, source, name, old, new, message
):
    path = tmp_path / name
    if source == "ca-sema":
        shutil.copy(CA, path)
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(sheet)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = (DatasetVersion.objects.count(), EntryChange.objects.count())
    with pytest.raises(CommandError, match=re.escape(path.name) + ", " + message):
        run_import(source, str(path))
    assert (DatasetVersion.objects.count(), EntryChange.objects.count()) == before


ACF = REPO / "data" / "sanctions" / "acf-list" / "navalny_list_parsed.csv"


@pytest.fixture(scope="module")
def linked(lists, django_db_blocker):
    """The ACF list cross-referenced with both lists, once for the module."""
    with django_db_blocker.unblock():
        run_import("acf-list", str(ACF))
        for against in ("uk-ofsi", "ca-sema"):
            call_command(
                "xref", "--dataset", "acf-list", "--against", against, stdout=io.StringIO()
            )
        yield


EXAMPLES = {
    "Бастрыкин Александр Иванович": {
        "uk": ("Global Human Rights", "2020-07-06", {"human_rights"}),
        "ca": (
            "Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)",
            "2017-11-03",
            {"human_rights", "anti_corruption"},
        ),
    },
    "Песков Дмитрий Сергеевич": {
        "uk": ("Russia", "2022-03-15", {"russia"}),
        "ca": ("Russia", "2022-03-06", {"russia"}),
    },
}


@pytest.mark.parametrize("acf_name", EXAMPLES)
def test_xref_proposes_the_uk_and_canadian_entries_and_confirmed_they_give_the_status(
    linked, acf_name
):
    from civwatch.accountability.sanctions import sanctions_summary
    from civwatch.sanctions.models import Link
    from civwatch.sanctions.status import sanctions_status

    person = ListEntry.objects.get(dataset="acf-list", name=acf_name)
    links = Link.objects.filter(left_entity=person.entity)
    by_dataset = {link.right_dataset: link for link in links}
    assert {"uk-ofsi", "ca-sema"} <= set(by_dataset)
    assert all(link.status == "proposed" for link in links)
    assert not sanctions_status(person.entity).sanctioned  # proposals never count
    for link in links:
        link.status = Link.Status.CONFIRMED
        link.save()
    status = sanctions_status(person.entity)
    for code, (programme, since, kinds) in EXAMPLES[acf_name].items():
        (listing,) = status.by_jurisdiction[code]
        assert (listing.programme, str(listing.since)) == (programme, since)
        assert status.kinds(code) == kinds
    assert status.as_of["uk"].isoformat() == "2025-04-14"
    assert status.as_of["ca"].isoformat() == "2025-03-20"
    assert status.as_dict()["jurisdictions"]["ca"][0]["kinds"] == sorted(
        EXAMPLES[acf_name]["ca"][2], key=["human_rights", "anti_corruption", "russia"].index
    )
    rows = {row["code"]: row["text"] for row in sanctions_summary(person.entity)}
    uk_programme, uk_since, _ = EXAMPLES[acf_name]["uk"]
    assert f"{uk_programme} since {uk_since}" in rows["uk"]
    if acf_name.startswith("Бастрыкин"):
        assert "JVCFOR" in rows["ca"] and "human-rights" in rows["ca"]


def test_a_dossier_for_canada_lists_the_jvcfoa_listing(linked, tmp_path):
    """The issue's example, as a lawyer gets it: Бастрыкин's accountability entry, his
    links to the UK and Canadian lists confirmed, and the Canadian dossier PDF."""
    from civwatch.accountability import dossier
    from civwatch.accountability.models import Entry
    from civwatch.sanctions.models import Link
    from tests.test_cases import make_user

    person = ListEntry.objects.get(dataset="acf-list", name="Бастрыкин Александр Иванович")
    editor = make_user("erin", "editor")
    for link in Link.objects.filter(left_entity=person.entity):
        link.decide(editor, Link.Status.CONFIRMED)
    entry = Entry(entity=person.entity, created_by=make_user("rita", "researcher"))
    entry.save_with_history(entry.created_by)

    rows = {row["code"]: row["text"] for row in dossier.build(entry, "ca")["sanctions"]}
    programme, since, _ = EXAMPLES[person.name]["ca"]
    assert f"(SEMA and JVCFOA): {programme} since {since}" in rows["ca"]
    pdf = tmp_path / "bastrykin-ca.pdf"
    pdf.write_bytes(dossier.render(entry, "ca", "pdf"))
    text = " ".join(pdf_text(pdf, layout=False).split())
    assert f"{programme} since {since}" in text and "Бастрыкин" in text


def test_every_programme_named_in_the_data_is_one_the_lists_use(lists):
    from civwatch.sanctions.importers import FIXED_SPECS
    from civwatch.sanctions.programmes import programmes_data

    specs = {spec.slug: spec for spec in FIXED_SPECS.values()}
    for slug, data in programmes_data()["lists"].items():
        assert data["jurisdiction"] == specs[slug].jurisdiction
        if slug in {"uk-ofsi", "ca-sema"}:
            used = {p for e in ListEntry.objects.filter(dataset=slug) for p in e.programmes}
            assert set(data["programmes"]) <= used, slug
        for kinds in data["programmes"].values():
            assert set(kinds) <= set(programmes_data()["kinds"])


def test_the_sanctions_pages_show_each_lists_date(lists, client):
    page = client.get("/sanctions/").content.decode()
    assert "2025-04-14" in page and "2025-03-20" in page
    for slug, date in (("uk-ofsi", "2025-04-14"), ("ca-sema", "2025-03-20")):
        response = client.get(f"/sanctions/{slug}/")
        assert response.status_code == 200 and date in response.content.decode()
    entry = client.get("/sanctions/ca-sema/entries/jvcfor-21/")
    assert entry.status_code == 200 and "BASTRYKIN" in entry.content.decode()
