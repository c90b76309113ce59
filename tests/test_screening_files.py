"""Batch screening takes people's files as they come: CSV from Russian Excel (cp1251, `;`,
"ФИО"), tab-separated, XLSX with the name in three columns; a file that cannot be screened
is refused at upload with every problem named, and no job runs."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civwatch.core.errors import UserError
from civwatch.screening.lists_csv import screen_csv
from civwatch.screening.people_files import read_people

pytestmark = pytest.mark.django_db
PONOMAREV = "Пономарев Лев Александрович"


def screened(tmp_path, name: str, data: bytes) -> list[dict]:
    source, target = tmp_path / name, tmp_path / "results.csv"
    source.write_bytes(data)
    screen_csv(source, target, threshold=0.7)
    return list(csv.DictReader(target.open(encoding="utf-8")))


def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_csv_from_russian_excel(full_history, tmp_path):
    data = (
        "ФИО;Дата рождения;Отдел\n"
        "Пономарёв Лев Александрович;02.09.1941;А\n"
        "Вымышленный Человек Никтоевич;;Б\n"
    )
    rows = screened(tmp_path, "клиенты.csv", data.encode("cp1251"))
    assert [r["Отдел"] for r in rows] == ["А", "Б"]  # the file's own columns, decoded
    assert rows[0]["match"] == "yes" and rows[0]["match_name"] == PONOMAREV
    # A row without a match leaves the match columns empty.
    assert rows[1]["match"] == "no"
    assert [rows[1][c] for c in ("match_score", "match_id", "match_name")] == ["", "", ""]


def test_tabs_and_an_english_header(full_history, tmp_path):
    data = "Full name\tDate of birth\nLev Ponomaryov\t1941-09-02\n"
    [row] = screened(tmp_path, "people.tsv.csv", data.encode())
    assert row["match_name"] == PONOMAREV


def test_an_excel_workbook_with_the_name_in_three_columns(full_history, tmp_path):
    data = workbook([["Фамилия", "Имя", "Отчество"], ["Пономарев", "Лев", "Александрович"]])
    [row] = screened(tmp_path, "people.xlsx", data)
    assert row["match"] == "yes" and row["match_name"] == PONOMAREV


@pytest.mark.parametrize(
    ("name", "data", "problems"),
    [
        ("a.csv", b"surname_only_here\nx\n", ["a.csv, row 1: no column with the name"]),
        ("b.csv", "ФИО;Дата рождения\nА Б;1941\nВ Г;31.02.1990\nД Е;вчера\n".encode("cp1251"),
         ["b.csv, row 3, field 'Дата рождения': '31.02.1990' is not a date",
          "b.csv, row 4, field 'Дата рождения': 'вчера' is not a date"]),
        ("c.xlsx", b"PK\x03\x04 not really", ["c.xlsx: not a readable Excel workbook"]),
        ("d.csv", b"\n\n", ["d.csv: the file is empty"]),
    ],
)  # fmt: skip
def test_every_problem_is_named_by_file_row_and_field(name, data, problems):
    with pytest.raises(UserError) as refusal:
        read_people(data, name)
    lines = str(refusal.value).splitlines()
    assert len(lines) == len(problems)
    assert all(line.startswith(problem) for line, problem in zip(lines, problems, strict=True))


def test_a_bad_file_is_refused_at_upload_and_no_job_runs(client, settings, tmp_path):
    from django.contrib.auth.models import User

    from civwatch.jobs.models import Job

    settings.MEDIA_ROOT = tmp_path
    client.force_login(User.objects.create_user("analyst"))
    data = "ФИО;Дата рождения\nИванов Пётр;31.02.1990\n".encode("cp1251")
    response = client.post("/screening/csv/", {"file": SimpleUploadedFile("list.csv", data)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "list.csv, row 2, field &#x27;Дата рождения&#x27;: &#x27;31.02.1990&#x27;" in page
    assert not Job.objects.exists() and not list(tmp_path.rglob("*.csv"))
