"""Shared fixtures: the bundled register history in a real database, a live server, a browser."""

import base64
import hashlib
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.utils import translation

from civwatch.core.seeding import seed_reference_data  # noqa: F401 (tests import it from here)

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# database calls made from that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Encryption at rest needs a master key (docs/security.md); the tests use a fixed one, set
# before Django loads. Never use this key for real data.
TEST_MASTER_KEY = base64.b64encode(hashlib.sha256(b"civwatch test master key").digest()).decode()
os.environ.setdefault("CIVWATCH_MASTER_KEY", TEST_MASTER_KEY)

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data" / "registers"
FOREIGN_AGENTS = sorted((DATA / "foreign-agents").glob("registry-*.json"))
UNDESIRABLE = sorted((DATA / "undesirable").glob("registry-*"))
CHROMIUM = "/usr/bin/chromium"


def import_history(*, foreign_agents=FOREIGN_AGENTS, undesirable=UNDESIRABLE) -> None:
    options = ["--suspect", "keep-previous"]
    call_command("import", "foreign-agents", *map(str, foreign_agents), *options)
    if undesirable:
        call_command("import", "undesirable", *map(str, undesirable), *options)


def wipe_history() -> None:
    """Remove a module's imported history. Outside any test, so with the audit log's
    receivers off: one event per deleted row (18,000 entities) would only slow the suite."""
    from civwatch.core import audit
    from civwatch.entities.models import Entity
    from civwatch.registers.models import Change, Designation, Snapshot

    with audit.disabled():
        for model in (Change, Designation, Snapshot, Entity):
            model.objects.all().delete()


def ids_continue_from_the_highest_row() -> None:
    """Each table's next id follows its highest row, as on SQLite after a rolled-back test.

    PostgreSQL's sequences do not go back when a test's transaction is rolled back, so a few
    hundred tests in, every model's ids lie in a range of their own. The crawls try every
    record id on every route: on PostgreSQL that was the sum of the models' ids instead of
    the largest model's, several times the requests (nearly all of them 404s), and the
    public crawl took three times as long as on SQLite."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for statement in statements:  # none on SQLite
            cursor.execute(statement)


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language: a request to a /ru/ page activates Russian
    in the thread, and the next test would otherwise run in Russian."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(scope="module")
def full_history(django_db_setup, django_db_blocker):
    """The whole bundled history, imported once for a module of read-only tests."""
    with django_db_blocker.unblock():
        import_history()
        yield
        wipe_history()


@contextmanager
def live_server(django_db_blocker):
    """A live server thread over the test database; yields its base URL."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    with django_db_blocker.unblock():
        # An in-memory SQLite database exists only in its connection: the server thread
        # must use the test's own connection object, as Django's LiveServerTestCase does.
        shared = {
            c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()
        }
        for connection in shared.values():
            connection.inc_thread_sharing()
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, shared, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        yield f"http://127.0.0.1:{server.port}"
        server.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()


def undo_what_the_live_server_committed(work) -> None:
    """Run `work` where the live server wrote: on its own connection (a new thread has one),
    committed at once. On PostgreSQL the server thread commits on its own connection, which
    the test's rollback does not undo; with in-memory SQLite it shares the test's connection,
    and the rollback undoes everything, so `work` runs there."""
    if any(c.vendor == "sqlite" and c.is_in_memory_db() for c in connections.all()):
        work()
        return
    failure = []

    def run() -> None:
        try:
            work()
        except Exception as error:  # re-raised in the test's thread below
            failure.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


@pytest.fixture(scope="module")
def live_url(full_history, django_db_blocker):
    """A live server over the module's imported register history."""
    with live_server(django_db_blocker) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def bare_live_url(django_db_setup, django_db_blocker):
    """A live server over the test database without the register history (cases tests)."""
    with live_server(django_db_blocker) as url:
        yield url
