"""The EU FSF XML 1.1 reader, on a sample written from the format description (the real
file, about 25 MB, is not bundled; the reader is not yet checked against one)."""

import io
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civwatch.sanctions.models import Dataset, DatasetVersion, ListEntry

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent / "data" / "sanctions" / "eu-fsf-sample.xml"


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
        ('code="enterprise"', 'code="vessel"', r"sanctionEntity 3, field 'subjectType'"),
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
