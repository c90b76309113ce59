"""`civwatch watch` against a real HTTP server on this machine serving the bundled snapshots.

The server (http.server in a thread) answers as the Ministry's endpoint would: the file of the
week with an ETag and Last-Modified, 304 to a matching conditional request, and on demand the
broken answers a watcher meets (an HTTP error, an HTML error page, a body cut short, no answer
in time). The history that watching builds is compared with the history of importing the same
files with `civwatch import` (the change log, event by event)."""

import datetime
import email.utils
import hashlib
import http.server
import sys
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from civwatch.core.models import AuditEvent
from civwatch.jobs.models import Job
from civwatch.jobs.schedule import enqueue_due_jobs
from civwatch.registers.exports import change_rows
from civwatch.registers.models import Change, Designation, Fetch, Snapshot
from civwatch.registers.watching import watch
from tests.auth_helpers import sign_in
from tests.conftest import FOREIGN_AGENTS, UNDESIRABLE, wipe_history
from tests.test_cases import make_user
from tests.test_jobs import run_worker

pytestmark = pytest.mark.django_db
WATCH_URL = "/staff/registers/watch/"


class Endpoint(http.server.ThreadingHTTPServer):
    """Serves one file at a time, as the register's address does; `mode` breaks it."""

    daemon_threads = True
    block_on_close = False  # a "slow" answer still sleeping must not hold the test up

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.body, self.content_type, self.modified = b"", "application/json", 0.0
        self.mode = "ok"
        self.conditional = True  # honour If-None-Match / If-Modified-Since
        self.requests: list[dict] = []

    def serve(self, path: Path) -> None:
        self.body = path.read_bytes()
        self.content_type = "text/csv" if path.suffix == ".csv" else "application/json"
        self.modified = max(self.modified + 60, time.time())
        self.mode = "ok"

    def handle_error(self, request, client_address) -> None:
        # The watcher hangs up on a "slow" answer (its timeout): the late write finds no reader.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/registry.json"


class Handler(http.server.BaseHTTPRequestHandler):
    server: Endpoint

    def log_message(self, *args) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        server = self.server
        server.requests.append(dict(self.headers))
        mode = server.mode
        if mode == "500":
            return self.answer(500, b"Internal error", "text/plain")
        if mode == "html":
            page = b"<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>"
            return self.answer(200, page, "text/html; charset=utf-8")
        if mode == "truncated-json":  # cut, but with a Content-Length that matches the cut
            return self.answer(200, server.body[: len(server.body) // 2], server.content_type)
        if mode == "short":  # announces the whole body, sends half, closes
            self.send_response(200)
            self.send_header("Content-Type", server.content_type)
            self.send_header("Content-Length", str(len(server.body)))
            self.end_headers()
            self.wfile.write(server.body[: len(server.body) // 2])
            self.close_connection = True
            return None
        if mode == "slow":
            time.sleep(3)
        modified = email.utils.formatdate(server.modified, usegmt=True)
        if server.conditional and (
            self.headers.get("If-None-Match") == server.etag
            or self.headers.get("If-Modified-Since") == modified
        ):
            return self.answer(304, b"", None, etag=server.etag, modified=modified)
        return self.answer(200, server.body, server.content_type, server.etag, modified)

    def answer(self, status, body, content_type, etag=None, modified=None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if etag:
            self.send_header("ETag", etag)
        if modified:
            self.send_header("Last-Modified", modified)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def endpoint(settings, tmp_path):
    server = Endpoint()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MEDIA_ROOT = tmp_path
    settings.CIVWATCH_WATCH_URLS = {"foreign-agents": server.url}
    settings.CIVWATCH_WATCH_TIMEOUT_SECONDS = 1
    yield server
    server.shutdown()
    server.server_close()


def fetch_time(path: Path) -> datetime.datetime:
    """The day of the file's name; a second file of one day ("…b") is fetched later that day."""
    day = datetime.date.fromisoformat(path.stem[len("registry-") :][:10])
    hour = 18 if path.stem.endswith("b") else 6
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def history(register: str = "foreign-agents") -> list[dict]:
    """The change log as `civwatch changes` gives it, without the snapshot's file name (the
    watcher names its files by fetch time)."""
    return [{k: v for k, v in row.items() if k != "snapshot_file"} for row in change_rows(register)]


def imported_history(files: list[Path], register: str = "foreign-agents") -> list[dict]:
    call_command("import", register, *map(str, files), "--suspect", "keep-previous")
    events = history(register)
    wipe_history()
    return events


def decide_held(client, editor, capture, decision: str = "keep-previous") -> None:
    """What an editor does on the staff page: decide the held snapshot; the worker applies."""
    sign_in(client, editor)
    for fetch in Fetch.objects.filter(status=Fetch.Status.HELD, decision=""):
        page = client.get(WATCH_URL).content.decode()
        assert f"/staff/registers/watch/{fetch.pk}/decide/" in page
        with capture(execute=True):
            response = client.post(
                f"/staff/registers/watch/{fetch.pk}/decide/", {"decision": decision}
            )
        assert response.status_code == 302
        run_worker()


def watch_files(endpoint, files, client, editor, capture) -> list[Fetch]:
    """Serve the files one after another; a held snapshot is decided after the next fetch
    (which must wait behind it), as an editor reading the staff page later would."""
    fetches = []
    for path in files:
        undecided = Fetch.objects.filter(status=Fetch.Status.HELD, decision="").exists()
        endpoint.serve(path)
        [fetch] = watch(now=fetch_time(path))
        if undecided:
            assert fetch.status == Fetch.Status.WAITING
            decide_held(client, editor, capture)
        fetches.append(fetch)
    decide_held(client, editor, capture)
    return fetches


def test_watching_snapshots_in_turn_gives_the_history_of_importing_them(
    endpoint, client, django_capture_on_commit_callbacks
):
    # 2024-05-07, then 06-01 and 06-15: both suspect (202 removals reversed at once).
    files = FOREIGN_AGENTS[9:12]
    expected = imported_history(files)
    assert len(expected) > 800  # every row added, then 480 changes
    editor = make_user("editor", "editor")

    watch_files(endpoint, files, client, editor, django_capture_on_commit_callbacks)

    assert history() == expected
    fetches = list(Fetch.objects.order_by("fetched_at"))
    assert [f.status for f in fetches] == ["applied", "applied", "applied"]
    assert [f.decision for f in fetches] == ["", "keep-previous", "keep-previous"]
    assert "202 of 202 removed designations would be reinstated at once" in fetches[1].reason
    assert all(f.snapshot and f.snapshot.sha256 == f.sha256 for f in fetches)
    for fetch, path in zip(fetches, files, strict=True):
        stored = Path(endpoint_media(fetch)).read_bytes()
        assert stored == path.read_bytes()
        assert fetch.sha256 == hashlib.sha256(stored).hexdigest()
        assert fetch.snapshot.as_of == fetch_time(path).date()


def endpoint_media(fetch: Fetch) -> str:
    from django.conf import settings

    return str(Path(settings.MEDIA_ROOT) / fetch.file)


@pytest.mark.once  # 25 snapshots imported, then fetched: 30 to 70 s on SQLite
def test_watching_all_bundled_snapshots_gives_the_history_of_importing_them(
    endpoint, client, settings, django_capture_on_commit_callbacks
):
    expected = imported_history(FOREIGN_AGENTS)
    expected_undesirable = imported_history(UNDESIRABLE, "undesirable")
    assert len(expected) > 1000 and len(expected_undesirable) > 100
    editor = make_user("editor", "editor")

    fetches = watch_files(
        endpoint, FOREIGN_AGENTS, client, editor, django_capture_on_commit_callbacks
    )
    assert history() == expected
    assert sum(f.decision == "keep-previous" for f in Fetch.objects.all()) == 4
    assert len(fetches) == 22 and Snapshot.objects.count() == 22

    settings.CIVWATCH_WATCH_URLS = {"undesirable": endpoint.url}
    watch_files(endpoint, UNDESIRABLE, client, editor, django_capture_on_commit_callbacks)
    assert history("undesirable") == expected_undesirable


def test_an_unchanged_register_answers_304_and_nothing_is_applied(endpoint):
    endpoint.serve(FOREIGN_AGENTS[0])
    [first] = watch(now=fetch_time(FOREIGN_AGENTS[0]))
    snapshots, changes = Snapshot.objects.count(), Change.objects.count()

    [again] = watch(now=fetch_time(FOREIGN_AGENTS[0]) + datetime.timedelta(hours=6))

    assert endpoint.requests[-1]["If-None-Match"] == first.etag
    assert endpoint.requests[-1]["If-Modified-Since"] == first.last_modified
    assert (again.status, again.http_status, again.file) == ("not-modified", 304, "")
    assert (Snapshot.objects.count(), Change.objects.count()) == (snapshots, changes)

    # A server that ignores the validators sends the same bytes again: recognised, not applied.
    endpoint.conditional = False
    [same] = watch(now=fetch_time(FOREIGN_AGENTS[0]) + datetime.timedelta(hours=12))
    assert (same.status, same.http_status) == ("unchanged", 200)
    assert "same content as the snapshot" in same.report
    assert (Snapshot.objects.count(), Change.objects.count()) == (snapshots, changes)


BROKEN = {
    "500": "HTTP error 500",
    "html": "an HTML page came instead of JSON or CSV",
    "truncated-json": "truncated body: the JSON ends",
    "short": "truncated body: the connection closed",
    "slow": "timed out",
}


@pytest.mark.parametrize("mode", BROKEN)
def test_a_broken_answer_changes_nothing_and_is_recorded_with_its_reason(endpoint, mode):
    endpoint.serve(FOREIGN_AGENTS[0])
    watch(now=fetch_time(FOREIGN_AGENTS[0]))
    state = list(Designation.objects.values_list("pk", "record").order_by("pk"))
    snapshots, changes = Snapshot.objects.count(), Change.objects.count()

    endpoint.serve(FOREIGN_AGENTS[1])
    endpoint.mode = mode
    with pytest.raises(CommandError, match="1 fetch"):
        call_command("watch")

    fetch = Fetch.objects.first()
    assert fetch.status == "failed" and BROKEN[mode] in fetch.reason
    assert fetch.snapshot is None and fetch.file == ""
    assert (Snapshot.objects.count(), Change.objects.count()) == (snapshots, changes)
    assert list(Designation.objects.values_list("pk", "record").order_by("pk")) == state

    # The failure does not stick: the next good answer is applied (its validators are not
    # taken from the failed fetch).
    endpoint.mode = "ok"
    [fetch] = watch(now=fetch_time(FOREIGN_AGENTS[1]))
    assert fetch.status == "applied" and Snapshot.objects.count() == snapshots + 1


def test_staff_see_the_history_editors_decide_and_mail_tells_them(
    endpoint, client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.CIVWATCH_WATCH_NOTIFY = ["watch@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        for path in FOREIGN_AGENTS[9:11]:
            endpoint.serve(path)
            watch(now=fetch_time(path))
    held = Fetch.objects.get(status="held")
    assert [m.subject for m in mailoutbox] == [
        "civwatch: a snapshot of foreign-agents is held for your decision"
    ]
    assert "202 of 202" in mailoutbox[0].body and WATCH_URL in mailoutbox[0].body
    decide_url = f"/staff/registers/watch/{held.pk}/decide/"

    assert client.get(WATCH_URL).status_code == 302  # to sign in
    sign_in(client, get_user_model().objects.create_user("nobody"))
    assert client.get(WATCH_URL).status_code == 403  # signed in without a role

    sign_in(client, make_user("contributor", "contributor"))
    page = client.get(WATCH_URL).content.decode()
    assert "Held for a decision" in page and "202 of 202" in page
    assert decide_url not in page
    page = client.get("/ru" + WATCH_URL).content.decode()
    assert "история загрузок" in page and "задержан: подозрительный, ждёт решения" in page
    assert "Задержаны до решения" in page and "Что с ним делать, решает редактор." in page
    assert client.post(decide_url, {"decision": "confirm"}).status_code == 403

    editor = make_user("editor", "editor")
    sign_in(client, editor)
    assert client.post(decide_url, {"decision": "stop"}).status_code == 302  # not offered
    held.refresh_from_db()
    assert held.decision == ""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url, {"decision": "skip"})
    job = Job.objects.get(kind="register-decision")
    assert response.url == job.get_absolute_url()
    run_worker()
    held.refresh_from_db()
    assert (held.status, held.decision, held.decided_by) == ("skipped", "skip", editor)
    assert held.snapshot.status == "skipped"
    decided = AuditEvent.objects.filter(model="registers.Fetch", object_id=str(held.pk))
    assert decided.filter(action="update", user_id=editor.pk).exists()

    # Fetching starts failing: one mail, not one per run while it goes on.
    endpoint.mode = "500"
    with django_capture_on_commit_callbacks(execute=True):
        watch()
        watch()
    assert [m.subject for m in mailoutbox[1:]] == ["civwatch: fetching foreign-agents failed"]


def test_a_worker_runs_the_watch_on_the_schedule_from_settings(
    endpoint, settings, django_capture_on_commit_callbacks
):
    endpoint.serve(FOREIGN_AGENTS[0])
    settings.CIVWATCH_WATCH_EVERY_MINUTES = 0
    assert enqueue_due_jobs() == []

    settings.CIVWATCH_WATCH_EVERY_MINUTES = 60
    with django_capture_on_commit_callbacks(execute=True):
        [job] = enqueue_due_jobs()
    assert job.kind == "register-watch"
    assert enqueue_due_jobs() == []  # queued, not finished: not twice
    run_worker()
    job.refresh_from_db()
    assert job.status == "done" and "foreign-agents" in job.log[0]
    assert Fetch.objects.get().status == "applied"

    assert enqueue_due_jobs(now=timezone.now() + datetime.timedelta(minutes=30)) == []
    later = enqueue_due_jobs(now=timezone.now() + datetime.timedelta(minutes=61))
    assert [j.kind for j in later] == ["register-watch"]


def test_a_register_without_an_address_is_named(settings):
    settings.CIVWATCH_WATCH_URLS = {}
    with pytest.raises(CommandError, match="CIVWATCH_WATCH_UNDESIRABLE_URL"):
        call_command("watch", "undesirable")


def test_an_address_nobody_answers_is_a_failed_fetch(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CIVWATCH_WATCH_URLS = {"undesirable": "http://user:secret@127.0.0.1:9/registry.json"}
    [fetch] = watch()
    assert fetch.status == "failed" and "cannot connect" in fetch.reason
    assert fetch.url == "http://127.0.0.1:9/registry.json"  # stored without the credentials
