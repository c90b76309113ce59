"""The index of every list is built once, by the background worker, after a list changes; web
processes load the file it writes instead of building the index in a request, and build it
themselves, as before, when there is no file for the lists' current version."""

import io
import stat
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection

from civwatch.core.cache import VersionedCache
from civwatch.entities.models import Entity
from civwatch.jobs.models import Job
from civwatch.jobs.runner import enqueue_job
from civwatch.matching import record_from_ftm
from civwatch.screening import index_file, lists
from civwatch.screening.lists import BUILD_STEPS, build_lists_index, lists_version
from civwatch.screening.models import ListsChange
from tests.conftest import FOREIGN_AGENTS
from tests.test_jobs import run_worker

pytestmark = pytest.mark.django_db
PONOMARYOV = record_from_ftm({"schema": "Person", "properties": {"name": ["Lev Ponomaryov"]}})


@pytest.fixture
def files(settings, tmp_path):
    """Index files on, in a folder of the test's own (the test settings turn them off)."""
    settings.CIVWATCH_INDEX_FILES = tmp_path / "index"
    return settings.CIVWATCH_INDEX_FILES


class CountedBuild:
    """The real build, counted: a process that builds the index shows here."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> lists.ListsIndex:
        self.calls += 1
        return build_lists_index()


def new_process() -> tuple[VersionedCache, CountedBuild]:
    """The index cache as a process that has not yet read the index has it."""
    build = CountedBuild()
    return VersionedCache(lists_version, build, load=lists.load_index_file), build


@contextmanager
def committed(capture):
    """The block's writes as if committed: a test runs in one transaction, so its on-commit
    callbacks are run here, then dropped, as a commit drops them."""
    start = len(connection.run_on_commit)
    with capture(execute=True):
        yield
    del connection.run_on_commit[start:]


def import_register(capture, *paths) -> None:
    with committed(capture):
        call_command("import", "foreign-agents", *map(str, paths), stdout=io.StringIO())


def index_jobs():
    return Job.objects.filter(kind=index_file.JOB_KIND)


def found(index: lists.ListsIndex) -> list[tuple[str, float]]:
    return [(hit.id, round(hit.score, 6)) for hit in index.search(PONOMARYOV, limit=5)]


@pytest.mark.django_db(transaction=True)
def test_an_import_enqueues_one_index_job_however_many_transactions_it_commits(
    files, django_capture_on_commit_callbacks
):
    call_command("import", "foreign-agents", *map(str, FOREIGN_AGENTS[:2]), stdout=io.StringIO())
    assert ListsChange.objects.count() > 1  # several transactions, each committed
    assert index_jobs().count() == 1
    # Another change while that job waits: the queued job will read the newer lists.
    import_register(django_capture_on_commit_callbacks, FOREIGN_AGENTS[2])
    assert index_jobs().count() == 1 and index_jobs().get().status == "queued"


def test_the_job_writes_the_file_that_a_new_process_loads_instead_of_building(
    files, django_capture_on_commit_callbacks, client, monkeypatch
):
    import_register(django_capture_on_commit_callbacks, FOREIGN_AGENTS[0])
    run_worker()

    job = index_jobs().get()
    assert (job.status, job.done, job.total) == ("done", BUILD_STEPS + 1, BUILD_STEPS + 1)
    assert job.log[-1].endswith("0 old files removed") and "records written" in job.log[-1]
    path = index_file.path_for(lists_version())
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(files.stat().st_mode) == 0o700

    cache, build = new_process()
    loaded = cache.get()
    assert build.calls == 0
    assert found(loaded) and found(loaded) == found(build_lists_index())
    assert len(loaded) == len(build_lists_index())

    # The module's own cache, used by the pages, loads it too.
    cache, build = new_process()
    monkeypatch.setattr(lists, "_index", cache)
    page = client.post("/screening/", {"name": "Lev Ponomaryov"})
    assert "Пономарев Лев Александрович" in page.content.decode() and build.calls == 0


def test_a_list_change_leaves_the_old_file_unused_and_the_next_job_removes_it(
    files, django_capture_on_commit_callbacks
):
    import_register(django_capture_on_commit_callbacks, FOREIGN_AGENTS[0])
    run_worker()
    old = index_file.path_for(lists_version())
    cache, build = new_process()
    cache.get()
    assert build.calls == 0

    with committed(django_capture_on_commit_callbacks):
        entity = Entity.objects.get(pk=found(cache.get())[0][0])
        entity.name = "Квазимодов Тимофей Лукич"
        entity.save()
    kvazimodov = record_from_ftm({"properties": {"name": ["Kvazimodov"]}})
    assert cache.get().search(kvazimodov)[0].listed.caption == entity.name
    assert build.calls == 1  # built here: the worker has not written this version yet

    assert index_jobs().filter(status="queued").count() == 1
    run_worker()
    new = index_file.path_for(lists_version())
    assert new != old and new.exists() and not old.exists()
    cache, build = new_process()
    assert cache.get().search(kvazimodov)[0].listed.caption == entity.name
    assert build.calls == 0


def test_a_second_job_for_the_same_lists_builds_nothing(files, django_capture_on_commit_callbacks):
    import_register(django_capture_on_commit_callbacks, FOREIGN_AGENTS[0])
    run_worker()
    written = index_file.path_for(lists_version()).stat().st_mtime_ns
    with committed(django_capture_on_commit_callbacks):
        enqueue_job(index_file.JOB_KIND, index_file.JOB_TITLE, params={})
    run_worker()
    second = index_jobs().order_by("-created_at").first()
    assert second.status == "done" and "written already" in second.log[-1]
    assert index_file.path_for(lists_version()).stat().st_mtime_ns == written


def test_without_a_file_the_process_builds_the_index_as_before(
    files, django_capture_on_commit_callbacks
):
    import_register(django_capture_on_commit_callbacks, FOREIGN_AGENTS[0])  # no worker runs
    cache, build = new_process()
    assert found(cache.get()) and build.calls == 1
    cache.get()
    assert build.calls == 1  # kept for the process until a list changes


def test_index_files_off_enqueue_nothing_and_load_nothing(
    settings, django_capture_on_commit_callbacks
):
    settings.CIVWATCH_INDEX_FILES = None
    import_register(django_capture_on_commit_callbacks, FOREIGN_AGENTS[0])
    assert not index_jobs().exists()
    cache, build = new_process()
    assert found(cache.get()) and build.calls == 1


def test_a_file_not_signed_with_this_installations_key_is_not_loaded(
    files, settings, django_capture_on_commit_callbacks
):
    import_register(django_capture_on_commit_callbacks, FOREIGN_AGENTS[0])
    run_worker()
    path = index_file.path_for(lists_version())
    own_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-installation-" + "x" * 40
    cache, build = new_process()
    assert found(cache.get()) and build.calls == 1

    settings.SECRET_KEY = own_key
    cache, build = new_process()
    cache.get()
    assert build.calls == 0  # the file is good with the right key
    data = bytearray(path.read_bytes())
    data[-10] ^= 1  # one bit changed in the pickle
    path.write_bytes(bytes(data))
    cache, build = new_process()
    assert found(cache.get()) and build.calls == 1
