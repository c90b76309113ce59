"""Every CSV civwatch writes is safe to open in a spreadsheet and declares UTF-8; `--excel`
and the pages' Excel link add a byte-order mark (docs/operations.md)."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from civwatch.core.csvfiles import EXCEL_BOM, safe_cell

pytestmark = pytest.mark.django_db

HEADER = "id,fullName,dob,ogrn,inn,regNum,snils,address,resources,members,law,dateIn,dateOut"
LAW = "Статья 32 Федерального закона от 12.01.1996 No 7-ФЗ «О некоммерческих организациях»"
FORMULAS = ['=HYPERLINK("http://evil.example","open")', "+1+2", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+7 495 000", "'+7 495 000"),
        ("-A1", "'-A1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3", "-3"),
        ("+7.5", "+7.5"),
        ("Пономарев Лев", "Пономарев Лев"),
        ("a=b", "a=b"),
        (0.75, "0.75"),
        (None, ""),
    ],
)
def test_cells_a_spreadsheet_would_evaluate_are_neutralised(cell, written):
    assert safe_cell(cell) == written


@pytest.fixture
def crafted_register(tmp_path):
    """A register snapshot whose names are formulas, imported like any other."""
    rows = [HEADER]
    for number, name in enumerate([*FORMULAS, "Общество «Мемориал»"], 1):
        quoted = '"' + name.replace('"', '""') + '"'
        rows.append(f"{number},{quoted},,,,,,,,,{LAW},05.06.2014,")
    path = tmp_path / "registry-2023-09-29.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    call_command("import", "foreign-agents", str(path))
    return path


@pytest.mark.parametrize("export", [["export", "designations"], ["changes"]])
def test_exports_neutralise_formulas_and_excel_adds_a_bom(crafted_register, tmp_path, export):
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    options = ["--register", "foreign-agents", "--format", "csv"]
    call_command(*export, *options, "--output", str(plain))
    call_command(*export, *options, "--excel", "--output", str(excel))
    text = plain.read_text(encoding="utf-8")
    assert not text.startswith(EXCEL_BOM)
    assert excel.read_text(encoding="utf-8") == EXCEL_BOM + text
    names = {row["name"] for row in csv.DictReader(io.StringIO(text))}
    assert {"'" + formula for formula in FORMULAS} | {"Общество «Мемориал»"} == names
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if cell and (cell[0] in "=+@" or cell.startswith("-2"))]


def test_excel_needs_csv(crafted_register):
    with pytest.raises(CommandError, match="--excel goes with --format csv"):
        call_command("export", "designations", "--register", "foreign-agents", "--excel")


def test_screening_results_csv_is_safe_utf8_and_offered_for_excel(
    client, crafted_register, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile

    from civwatch.jobs.models import Job
    from tests.test_jobs import run_worker

    settings.MEDIA_ROOT = tmp_path
    client.force_login(User.objects.create_user("analyst"))
    upload = SimpleUploadedFile(
        "clients.csv", '@ref,name\n=2+2,Мемориал\n-x,"=HYPERLINK(""a"")"\n'.encode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/screening/csv/", {"file": upload})
    run_worker()
    job = Job.objects.get()
    assert job.status == "done", job.error
    assert "?excel=1" in client.get(job.get_absolute_url()).content.decode()

    download = client.get(f"/jobs/{job.pk}/result/")
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(download.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["'@ref", "name"]
    assert rows[1][:2] == ["'=2+2", "Мемориал"] and rows[1][2] == "yes"
    assert rows[2][:2] == ["'-x", '\'=HYPERLINK("a")']

    for_excel = client.get(f"/jobs/{job.pk}/result/?excel=1")
    assert for_excel["Content-Type"] == "text/csv; charset=utf-8"
    assert "excel.csv" in for_excel["Content-Disposition"]
    assert b"".join(for_excel.streaming_content) == (EXCEL_BOM + text).encode("utf-8")


def test_screen_command_writes_excel_csv(crafted_register, tmp_path):
    names, hits = tmp_path / "names.csv", tmp_path / "hits.csv"
    names.write_text("name\n=1+1\n", encoding="utf-8")
    call_command("screen", "--input", str(names), "--output", str(hits), "--excel")
    text = hits.read_text(encoding="utf-8")
    assert text.startswith(EXCEL_BOM + "name,match")
    assert "\n'=1+1," in text
