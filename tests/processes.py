"""Running `civwatch` (and the tools tests read its output with) as separate processes, the way
an operator does: one way for every test, so each test says only what differs."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import requests
from django.db import connection

from tests.conftest import REPO, TEST_MASTER_KEY


def environment(home: Path, *, database: str | None = None, **extra: str) -> dict[str, str]:
    """A process of this checkout's code with a home of its own: none of the caller's
    CIVWATCH_/DJANGO_/DATABASE_URL settings leak in, except the master key the suite's data is
    encrypted with. Without `database` it keeps a SQLite file in `home`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CIVWATCH_", "DJANGO_", "DATABASE_URL"))
    }
    env.update(
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")]),
        DJANGO_SETTINGS_MODULE="civwatch.settings",
        CIVWATCH_HOME=str(home),
        CIVWATCH_SECRET_KEY="subprocess-test-key-" + "y" * 40,
        # The master key is required (E001); the same one as this process's, so both read
        # what the other encrypted.
        CIVWATCH_MASTER_KEY=os.environ.get("CIVWATCH_MASTER_KEY", TEST_MASTER_KEY),
    )
    if database:
        env["DATABASE_URL"] = database
    return {**env, **extra}


def database_url(name: str | None = None) -> str | None:
    """The address of the suite's PostgreSQL server (its test database, or `name`); None on
    SQLite, whose test database lives in this process's memory."""
    if connection.vendor != "postgresql":
        return None
    params = connection.settings_dict
    host, port = params["HOST"] or "127.0.0.1", params["PORT"] or 5432
    return f"postgres://{params['USER']}@{host}:{port}/{name or params['NAME']}"


def civwatch(
    env: dict[str, str], *args: str, check: bool = False, timeout: int = 300
) -> subprocess.CompletedProcess:
    """`civwatch ARGS` to its end. Output is decoded without newline translation: CSV lines end
    in \\r\\n and tests compare them byte for byte."""
    done = subprocess.run(
        [sys.executable, "-m", "civwatch", *args],
        env=env, cwd=REPO, capture_output=True, timeout=timeout,
    )  # fmt: skip
    done.stdout, done.stderr = done.stdout.decode(), done.stderr.decode()
    if check and done.returncode:
        pytest.fail(f"civwatch {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done


def start_civwatch(env: dict[str, str], *args: str, **popen) -> subprocess.Popen:
    """`civwatch ARGS` left running (a server, a worker): the caller stops it."""
    return subprocess.Popen([sys.executable, "-m", "civwatch", *args], env=env, cwd=REPO, **popen)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    """Until `url` answers; fails with the server's log if it exits or stays silent for 60 s."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited: {log.read_text()}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer: {log.read_text()}")


def pdf_text(path: Path, *, layout: bool = True) -> str:
    """The text of a PDF as poppler's pdftotext reads it (a reader's view, not ours)."""
    options = ["-layout"] if layout else []
    return subprocess.run(
        ["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def empty_home(tmp_path):
    """(folder, environment) of a new, empty home: its own folder and, on PostgreSQL, a new
    database, dropped afterwards (for restoring a backup into, as on a new server)."""
    target = tmp_path / "restored"
    name = admin = None
    if connection.vendor == "postgresql":
        name = f"cw_restore_{uuid.uuid4().hex[:8]}"
        admin = {k: v for k, v in connection.get_connection_params().items() if k != "dbname"}
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as db:
            db.execute(f'CREATE DATABASE "{name}"')
    yield target, environment(target, database=database_url(name) if name else None)
    if name:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as db:
            db.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
