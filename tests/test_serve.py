"""`civwatch serve` as an operator runs it: a real gunicorn subprocess and a real background
worker over their own database, production settings, and logs free of personal data."""

import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.processes import civwatch, environment, free_port, start_civwatch, wait_for

# Every test here runs civwatch in subprocesses on their own SQLite home: once per CI run.
pytestmark = pytest.mark.once

REPO = Path(__file__).resolve().parent.parent
REGISTER = REPO / "tests" / "data" / "registry-2023-09-29.csv"
# Names an analyst might screen: none of them may reach a log.
SCREENED = ["Зарина Тайноведова", "Ingrid Secretsdottir"]
IN_FILE = ["Феоктист Скрытнов", "Bartholomew Hiddenfield"]
SEARCHED = "Лукерья Поисковая"
# Production settings as docs/operations.md documents them (behind a TLS proxy).
PRODUCTION = {
    "CIVWATCH_SECRET_KEY": "a-production-like-key-" + "x" * 40,
    "CIVWATCH_HTTPS": "1",
    "CIVWATCH_ALLOWED_HOSTS": "civwatch.example.org",
}


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    result = civwatch(environment(tmp_path, **PRODUCTION), "check", "--deploy", "--fail-level",
                      "WARNING", check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout and "WARNING" not in result.stderr


def test_without_https_settings_check_deploy_warns(tmp_path):
    env = environment(tmp_path, CIVWATCH_SECRET_KEY=PRODUCTION["CIVWATCH_SECRET_KEY"])
    result = civwatch(env, "check", "--deploy", check=False)
    assert "security.W004" in result.stderr + result.stdout  # HSTS, the test can fail


def test_a_missing_secret_key_stops_the_program_naming_the_variable(tmp_path):
    env = environment(tmp_path)
    del env["CIVWATCH_SECRET_KEY"]
    result = civwatch(env, "check", check=False)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "CIVWATCH_SECRET_KEY" in result.stderr
    assert civwatch({**env, "CIVWATCH_DEBUG": "1"}, "check").returncode == 0


@pytest.fixture
def served(tmp_path):
    """A home with a small register, a signed-in analyst, a server and a worker."""
    env = environment(tmp_path, CIVWATCH_LOG_LEVEL="INFO")
    civwatch(env, "migrate", "--verbosity", "0", check=True)
    civwatch(env, "import", "foreign-agents", str(REGISTER), check=True)
    # A session made on the server side: this test is about logs, not about signing in.
    session = civwatch(env, "shell", "-c", (
        "from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, "
        "HASH_SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "u = get_user_model().objects.create_user('analyst')\n"
        "s = SessionStore()\n"
        "s[SESSION_KEY] = str(u.pk)\n"
        "s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "s[HASH_SESSION_KEY] = u.get_session_auth_hash()\n"
        "s.create()\n"
        "print(s.session_key)"
    ), check=True).stdout.split()[-1]  # fmt: skip
    port = free_port()
    logs = {name: tmp_path / f"{name}.log" for name in ("access", "server", "worker")}
    server = start_civwatch(
        env, "serve", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2",
        "--access-log", str(logs["access"]),
        stdout=logs["server"].open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = start_civwatch(
        env, "db_worker", "--queue-name", "*", "--no-reload", "--interval", "0.2",
        stdout=logs["worker"].open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/static/civwatch/site.css", server, logs["server"])
        yield url, session, logs, server
    finally:
        for process in (server, worker):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (server, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def post(web: requests.Session, url: str, **kwargs) -> requests.Response:
    token = web.cookies.get("csrftoken")
    return web.post(url, headers={"X-CSRFToken": token, "Referer": url}, timeout=60, **kwargs)


def test_names_screened_and_searched_never_reach_a_log(served):
    url, session, logs, server = served
    web = requests.Session()
    web.cookies.set("sessionid", session)
    assert web.get(url + "/screening/", timeout=30).status_code == 200
    for name in SCREENED:
        answer = post(web, url + "/screening/", data={"name": name})
        assert answer.status_code == 200 and "no-store" in answer.headers["Cache-Control"]
        assert name in answer.text  # the form shows it back: the screening really ran
    # A register search is a GET (bookmarkable, public data), but its query is kept out of
    # the access log.
    assert web.get(url + "/", params={"q": SEARCHED}, timeout=30).status_code == 200

    names = "name,ref\n" + "".join(f"{name},r{i}\n" for i, name in enumerate(IN_FILE))
    upload = post(web, url + "/screening/csv/", files={"file": ("people.csv", names.encode())},
                  allow_redirects=False)  # fmt: skip
    assert upload.status_code == 302, upload.text[:500]
    job = url + upload.headers["Location"]
    deadline = time.monotonic() + 90
    while "Download the results" not in (page := web.get(job, timeout=30).text):
        assert "Failed" not in page and time.monotonic() < deadline, page
        time.sleep(0.5)
    result = web.get(job + "result/", timeout=30)
    assert result.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert all(name in result.content.decode() for name in IN_FILE)

    server.send_signal(signal.SIGTERM)  # graceful: finishes and flushes its logs
    assert server.wait(timeout=40) == 0
    access = logs["access"].read_text(encoding="utf-8")
    assert re.search(r'"POST /screening/ HTTP/1.1" 200 \d+', access)
    assert re.search(r'"GET / HTTP/1.1" 200 \d+', access)
    assert "?" not in access  # no query string at all
    everything = "\n".join(log.read_text(encoding="utf-8") for log in logs.values())
    assert "Shutting down" in everything  # the logs are the real ones
    for name in [*SCREENED, *IN_FILE, SEARCHED]:
        for form in {name, name.lower(), requests.utils.quote(name), name.replace(" ", "+")}:
            assert form not in everything, f"{form!r} found in the logs"
