"""The EU FSF XML 1.1 and CSV 1.1 readers, on samples written from the format description
(the real files, about 25 MB, are not bundled; the readers are not yet checked against one).
The CSV sample holds the same invented entities as the XML one, flattened as the real CSV is:
one row per combination of an entity's names, addresses, birth dates, documents and
citizenships."""

import io
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civwatch.sanctions.eu import read_eu_list
from civwatch.sanctions.models import Dataset, DatasetVersion, ListEntry

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent / "data" / "sanctions" / "eu-fsf-sample.xml"
CSV_SAMPLE = SAMPLE.with_suffix(".csv")


def run_import(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue()


def test_every_entity_of_the_sample_with_names_dates_and_programmes():
    assert "3 added" in run_import("eu-fsf", str(SAMPLE))
    dataset = Dataset.objects.get(slug="eu-fsf")
    assert (dataset.jurisdiction, dataset.kind) == ("eu", "official")
    assert str(DatasetVersion.objects.get(dataset=dataset).source_date) == "2025-04-10"
    person = ListEntry.objects.get(dataset="eu-fsf", source_id="900101")
    assert person.name == "Ivan Petrovich OBRAZTSOV"
    assert person.record["aliases"] == ["Иван Петрович Образцов"]
    assert (person.programmes, str(person.listed_since)) == (["UKR"], "2022-02-25")
    assert person.record["birth_dates"] == ["1967-10-17"]
    assert person.record["eu_reference_number"] == "EU.9001.01"
    # A birth date given as year and month only keeps that precision.
    assert ListEntry.objects.get(source_id="900102").record["birth_dates"] == ["1953-08"]
    company = ListEntry.objects.get(source_id="900103")
    assert company.schema == "LegalEntity" and company.record["id_numbers"] == ["1027700000000"]
    assert "imported before" in run_import("eu-fsf", str(SAMPLE))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('logicalId="900102"', 'logicalId="x"', r"sanctionEntity 2, field 'logicalId'"),
        ('code="enterprise"', 'code="vessel"', r"sanctionEntity 3, field 'subjectType code'"),
        ('publicationDate="2021-03-02"', 'publicationDate="02.03.2021"',
         r"sanctionEntity 2, field 'regulation publicationDate'"),
        ("</export>", "", r"line \d+: not well-formed XML"),
    ],
)  # fmt: skip
def test_bad_files_are_named_and_write_nothing(tmp_path, old, new, message):
    path = tmp_path / "eu.xml"
    shutil.copy(SAMPLE, path)
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape(path.name) + ", " + message):
        run_import("eu-fsf", str(path))
    assert not DatasetVersion.objects.exists() and not ListEntry.objects.exists()


def entries_by_id(path: Path) -> dict:
    return {e.source_id: e for e in read_eu_list(path).entries}


def test_the_csv_form_gives_the_entries_of_the_xml():
    xml, csv = read_eu_list(SAMPLE), read_eu_list(CSV_SAMPLE)
    assert csv.source_date == xml.source_date
    assert str(csv.source_date) == "2025-04-10"  # written 10/04/2025 in the CSV
    # Six rows fold back into three entities, each name, date and document once.
    assert [e.source_id for e in csv.entries] == ["900101", "900102", "900103"]
    assert {i: e.record for i, e in entries_by_id(CSV_SAMPLE).items()} == {
        i: e.record for i, e in entries_by_id(SAMPLE).items()
    }
    person = entries_by_id(CSV_SAMPLE)["900101"]
    assert (person.name, person.aliases) == ("Ivan Petrovich OBRAZTSOV", ["Иван Петрович Образцов"])
    assert (person.birth_dates, person.programmes) == (["1967-10-17"], ["UKR"])
    assert str(person.listed_since) == "2022-02-25"
    assert person.details["remarks"] == "Sample entry written for civwatch's tests."


def test_the_csv_is_imported_like_the_xml_and_twice_is_a_no_op(tmp_path):
    assert "3 added" in run_import("eu-fsf", str(CSV_SAMPLE))
    company = ListEntry.objects.get(dataset="eu-fsf", source_id="900103")
    assert (company.schema, company.record["id_numbers"]) == ("LegalEntity", ["1027700000000"])
    assert ListEntry.objects.get(source_id="900102").record["birth_dates"] == ["1953-08"]
    assert "imported before" in run_import("eu-fsf", str(CSV_SAMPLE))
    # The XML of the same entities is a new file but changes nothing.
    assert "0 added, 0 changed" in run_import("eu-fsf", str(SAMPLE))
    # The form is told by the content when the name says nothing.
    unnamed = tmp_path / "download"
    shutil.copy(CSV_SAMPLE, unnamed)
    assert {e.source_id for e in read_eu_list(unnamed).entries} == {"900101", "900102", "900103"}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (";Entity_LogicalId;", ";Entity_Id;", r"row 1, field 'Entity_LogicalId': column missing"),
        ("_ClassificationCode;", "_Code;",
         r"row 1, field 'Entity_SubjectType_ClassificationCode': column missing"),
        ("NameAlias_WholeName", "NameAlias_Name", r"row 1, field 'NameAlias_WholeName'"),
        (";enterprise;", ";vessel;",
         r"row 6, field 'Entity_SubjectType_ClassificationCode': unknown subject type 'vessel'"),
        (";2021-03-02;", ";2021-02-30;",
         r"row 4, field 'Entity_Regulation_PublicationDate': '2021-02-30' is not a date"),
        (";08;1953;", ";13;1953;", r"row 4, field 'BirthDate_Year': impossible date"),
        ("10/04/2025;900101", "April 2025;900101", r"row 2, field 'fileGenerationDate'"),
        (";900103;", ";x;", r"row 6, field 'Entity_LogicalId': 'x' is not a number"),
    ],
)  # fmt: skip
def test_bad_csv_files_are_named_and_write_nothing(tmp_path, old, new, message):
    # Every row of the entity is changed: a change on one row only is a disagreement (below).
    path = tmp_path / "eu.csv"
    path.write_text(CSV_SAMPLE.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape(path.name) + ", " + message):
        run_import("eu-fsf", str(path))
    assert not DatasetVersion.objects.exists() and not ListEntry.objects.exists()


def test_rows_of_one_entity_that_disagree_are_refused(tmp_path):
    path = tmp_path / "eu.csv"
    lines = CSV_SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(";P;person;", ";E;enterprise;")
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape("eu.csv, row 3, field 'Entity_Subject")):
        run_import("eu-fsf", str(path))
    assert not ListEntry.objects.exists()
