"""Screening against the lists in the database: the CLI, CSV files and yente's /match API."""

import csv

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

YENTE_QUERY = {
    "queries": {
        "lev": {"schema": "Person", "properties": {"name": ["Lew Ponomarjow"]}},
        "meduza": {"schema": "Organization", "properties": {"name": "Meduza"}},
        "nobody": {"schema": "Person", "properties": {"name": ["John Smith"]}},
    }
}


def test_one_name_from_the_command_line(full_history, capsys):
    call_command(
        "screen", "--query", "Lev Ponomaryov", "--birth-date", "1941-09-02", "--limit", "2"
    )
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("MATCH") and "Пономарев Лев Александрович" in first


def test_csv_file_gets_a_results_file(full_history, tmp_path):
    names = tmp_path / "names.csv"
    names.write_text(
        "name,birth_date,ref\nLev Ponomaryov,1941-09-02,A1\nJohn Smith,,A2\n", encoding="utf-8"
    )
    hits = tmp_path / "hits.csv"
    call_command("screen", "--input", str(names), "--output", str(hits))
    rows = list(csv.DictReader(hits.open(encoding="utf-8")))
    assert [r["ref"] for r in rows] == ["A1", "A2"]
    assert rows[0]["match"] == "yes" and rows[0]["match_name"] == "Пономарев Лев Александрович"
    assert rows[1]["match"] == "no"


def test_csv_without_a_name_column_is_refused(full_history, tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("surname\nPonomarev\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no column with the name"):
        call_command("screen", "--input", str(names), "--output", str(tmp_path / "out.csv"))


def test_yente_match_request_and_response(client, full_history):
    response = client.post(
        "/api/match/default?limit=3", YENTE_QUERY, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["limit"] == 3 and set(body["responses"]) == {"lev", "meduza", "nobody"}
    lev = body["responses"]["lev"]
    assert lev["status"] == 200 and lev["total"]["relation"] == "eq"
    top = lev["results"][0]
    assert top["caption"] == "Пономарев Лев Александрович" and top["match"] is True
    assert top["schema"] == "Person" and top["datasets"] == ["foreign-agents"]
    assert {"id", "score", "properties", "explanations"} <= set(top)
    assert body["responses"]["meduza"]["results"][0]["datasets"] == ["undesirable"]
    assert not any(r["match"] for r in body["responses"]["nobody"]["results"])


@pytest.mark.parametrize(
    ("url", "payload", "status"),
    [
        ("/api/match/nowhere", YENTE_QUERY, 404),
        ("/api/match/default?limit=0", YENTE_QUERY, 422),
        ("/api/match/default?threshold=2", YENTE_QUERY, 422),
        (
            "/api/match/default",
            {"queries": {"a": {"schema": "Payment", "properties": {"name": ["x"]}}}},
            400,
        ),
        (
            "/api/match/default",
            {"queries": {"a": {"schema": "Person", "properties": {"name": [""]}}}},
            400,
        ),
        ("/api/match/default", {"nothing": 1}, 422),
    ],
)
def test_bad_match_requests_are_4xx(client, url, payload, status):
    assert client.post(url, payload, content_type="application/json").status_code == status


def test_csv_upload_is_screened_by_a_background_job(
    client, full_history, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile

    from civwatch.jobs.models import Job
    from tests.test_jobs import run_worker

    settings.MEDIA_ROOT = tmp_path
    client.force_login(User.objects.create_user("analyst"))
    upload = SimpleUploadedFile("clients.csv", b"name\nLev Ponomaryov\nJohn Smith\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/screening/csv/", {"file": upload})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    assert "1 of 2 names matched" in job.log
    download = client.get(f"/jobs/{job.pk}/result/")
    rows = list(csv.DictReader(b"".join(download.streaming_content).decode().splitlines()))
    assert [r["match"] for r in rows] == ["yes", "no"]


def test_csv_upload_refuses_other_files(client, full_history):
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(User.objects.create_user("analyst"))
    response = client.post("/screening/csv/", {"file": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert response.status_code == 200
    assert "“x.pdf”: only CSV and Excel (XLSX) files can be screened" in response.content.decode()
