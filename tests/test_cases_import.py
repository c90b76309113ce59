"""`civwatch import ovdinfo-detentions FILE`: OVD-Info's events as detention incidents."""

import csv
import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from civwatch.cases.models import Incident
from civwatch.cases.workflow import move
from civwatch.core.errors import UserError
from tests.test_cases import make_user

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "ovdinfo-sample.csv"


@pytest.fixture(autouse=True)
def importer():
    return make_user("ingrid", "editor")


def run(path: Path, *options: str) -> str:
    out = StringIO()
    call_command("import", "ovdinfo-detentions", str(path), *(options or ("--as", "ingrid")),
                 stdout=out)  # fmt: skip
    return out.getvalue()


def publish_all(editor) -> None:
    for incident in Incident.objects.filter(status="in_review"):
        move(incident, "verified", editor)
        move(incident, "published", editor)


def sample_rows() -> list[dict]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_event_becomes_a_public_detention_incident_once_a_second_editor_publishes_it(
    importer,
):
    rows = sample_rows()
    assert "30 incidents added" in run(SAMPLE)
    assert {(i.status, i.created_by) for i in Incident.objects.all()} == {("in_review", importer)}
    first = Incident.objects.get(external_id="ovdinfo-moscow-2011-2012:1")
    assert [r.note for r in first.history()] == ["imported from ovdinfo-sample.csv"]
    with pytest.raises(UserError, match="other than the author"):
        move(first, "verified", importer)
    publish_all(make_user("erin", "editor"))
    incidents = Incident.objects.all()
    assert incidents.count() == len(rows) == 30
    assert {i.incident_type.code for i in incidents} == {"detention"}
    assert sum(i.people_count for i in incidents) == sum(int(r["total"]) for r in rows)
    first = Incident.objects.get(external_id="ovdinfo-moscow-2011-2012:1")
    assert (first.date, first.date_precision) == (datetime.date(2011, 12, 4), "day")
    assert first.place == "триумальная, площадь революции"
    assert first.people_count == 198 and first.source_name == "OVD-Info"
    assert "report-data" in first.source_licence and first.is_public()


def test_importing_twice_adds_nothing():
    run(SAMPLE)
    assert "0 incidents added, 30 already present" in run(SAMPLE)
    assert Incident.objects.count() == 30


def test_imported_incidents_are_on_the_public_pages_after_review(client):
    run(SAMPLE)
    assert "За честные выборы" not in client.get("/cases/?type=detention").content.decode()
    publish_all(make_user("erin", "editor"))
    page = client.get("/cases/?type=detention").content.decode()
    assert "За честные выборы" in page and "триумальная, площадь революции" in page


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("2011-12-04,x,митинг,s,o,,p,10,99", "date", "row 3, field 'date'"),
        ("04.12.2011,x,митинг,s,o,,p,много,99", "total", "row 3, field 'total'"),
        ("04.12.2011,x,митинг,s,o,,p,10,", "id", "row 3, field 'id'"),
        ("04.12.2011,x,митинг", None, "row 3: 3 cells"),
    ],
)
def test_a_bad_row_names_file_row_and_field_and_nothing_is_written(tmp_path, row, field, message):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "events.csv"
    bad.write_text("\n".join([lines[0], lines[1], row, *lines[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=f"events.csv, {message}"):
        run(bad)
    assert not Incident.objects.exists()


def test_a_file_with_other_columns_is_refused(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"other\.csv, row 1: expected the columns"):
        run(other)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ((), "Say who the new records are attributed to: --as USER"),
        (("--as", "nobody"), "--as nobody: no active user of that name"),
        (("--as", "ingrid", "--as", ""), "Say who the new records are attributed to"),
    ],
)
def test_without_a_known_importer_nothing_is_imported(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("import", "ovdinfo-detentions", str(SAMPLE), *options)
    assert not Incident.objects.exists()
