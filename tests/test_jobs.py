"""Uploading register snapshots on the staff page: a background job applies them."""

import json

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from civwatch.jobs.models import Job
from civwatch.registers.models import Change, Snapshot
from tests.conftest import FOREIGN_AGENTS

pytestmark = pytest.mark.django_db
UPLOAD_URL = "/staff/registers/import/"


@pytest.fixture
def editor(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = User.objects.create_user("editor", password="not-used")
    user.user_permissions.add(Permission.objects.get(codename="add_snapshot"))
    client.force_login(user)
    return user


def upload(client, capture, *files, suspect="stop"):
    payload = [SimpleUploadedFile(path.name, path.read_bytes()) for path in files]
    with capture(execute=True):
        return client.post(
            UPLOAD_URL, {"register": "foreign-agents", "files": payload, "suspect": suspect}
        )


def run_worker():
    """Run the queued tasks with django-tasks-db's own worker, minus its polling loop: the
    loop recycles database connections, which would end the test's transaction."""
    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    )  # fmt: skip
    for task_result in DBTaskResult.objects.ready():
        task_result.claim(worker.worker_id)
        worker.run_task(task_result)


def test_uploaded_snapshots_are_applied_by_the_worker(
    client, editor, django_capture_on_commit_callbacks
):
    response = upload(client, django_capture_on_commit_callbacks, *FOREIGN_AGENTS[:2])
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.status == "queued"
    assert "refresh" in client.get(job.get_absolute_url()).content.decode()

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    assert "685 added" in job.log[0]
    assert Snapshot.objects.count() == 2
    page = client.get(job.get_absolute_url()).content.decode()
    assert "refresh" not in page and "685 added" in page


def test_a_bad_file_fails_the_job_with_a_message_and_writes_nothing(
    client, editor, django_capture_on_commit_callbacks, tmp_path
):
    rows = json.loads(FOREIGN_AGENTS[0].read_text(encoding="utf-8"))
    rows[2]["dateIn"] = "32.01.2020"
    bad = tmp_path / "registry-2023-09-29.json"
    bad.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")

    upload(client, django_capture_on_commit_callbacks, bad)
    run_worker()

    job = Job.objects.get()
    assert job.status == "failed"
    assert "registry-2023-09-29.json, row 3, field 'dateIn'" in job.error
    assert not Snapshot.objects.exists() and not Change.objects.exists()


def test_only_json_and_csv_files_are_accepted(client, editor, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    response = client.post(
        UPLOAD_URL,
        {
            "register": "foreign-agents",
            "files": [SimpleUploadedFile("notes.txt", b"hello")],
            "suspect": "stop",
        },
    )
    assert response.status_code == 200
    assert "only JSON and CSV" in response.content.decode()
    assert not Job.objects.exists()


def test_upload_needs_the_permission(client):
    user = User.objects.create_user("reader")
    client.force_login(user)
    assert client.get(UPLOAD_URL).status_code == 302
    assert client.post(UPLOAD_URL, {}).status_code == 302


def test_a_job_is_visible_only_to_its_owner(client, editor, django_capture_on_commit_callbacks):
    upload(client, django_capture_on_commit_callbacks, FOREIGN_AGENTS[0])
    job = Job.objects.get()
    client.force_login(User.objects.create_user("someone-else"))
    assert client.get(job.get_absolute_url()).status_code == 404


def test_the_staff_home_shows_the_users_latest_jobs_and_no_one_elses(client):
    from tests.test_cases import make_user

    rita, rosa = make_user("rita", "researcher"), make_user("rosa", "researcher")
    Job.objects.create(kind="xref", title="Cross-referencing the lists", params={},
                       created_by=rita, total=200, done=50, status="running")  # fmt: skip
    client.force_login(rita)
    home = client.get("/accounts/").content.decode()
    assert "Cross-referencing the lists" in home and "(25 %)" in home
    client.force_login(rosa)
    assert "Cross-referencing the lists" not in client.get("/accounts/").content.decode()
