"""A job whose worker died is started again (if that is safe) or failed with a message.

The last test kills a real `civwatch db_worker` process in the middle of a register import
and starts another one, as an operator would after a crash."""

import datetime
import signal
import sqlite3
import subprocess
import time

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from civwatch.jobs.models import Job
from civwatch.jobs.recovery import MAX_ATTEMPTS, recover_lost_jobs
from civwatch.jobs.runner import JOB_KINDS, Heartbeat, job_kind
from tests.conftest import FOREIGN_AGENTS
from tests.processes import environment, start_civwatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def once_only_kind():
    """A job kind that must not run twice (say, one that sends e-mail)."""
    job_kind("send-once", idempotent=False)(lambda job: None)
    yield "send-once"
    del JOB_KINDS["send-once"]


def running_job(kind: str, *, silent_for: int, attempts: int = 1, **fields) -> Job:
    beat = timezone.now() - datetime.timedelta(seconds=silent_for)
    return Job.objects.create(kind=kind, title="a job", status=Job.Status.RUNNING, done=58,
                              total=100, started_at=beat, heartbeat_at=beat, attempts=attempts,
                              **fields)  # fmt: skip


def test_a_lost_idempotent_job_is_queued_again(settings, django_capture_on_commit_callbacks):
    settings.CIVWATCH_JOB_LEASE_SECONDS = 30
    job = running_job("register-import", silent_for=31)
    with django_capture_on_commit_callbacks(execute=True):
        assert recover_lost_jobs() == {str(job.pk): "retried"}
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("queued", 0, None)
    assert "stopped at 58%" in job.log[-1] and "attempt 2 of 3" in job.log[-1]
    assert DBTaskResult.objects.filter(args_kwargs__args=[str(job.pk)]).count() == 1


def test_a_job_whose_worker_still_beats_is_left_alone(settings):
    settings.CIVWATCH_JOB_LEASE_SECONDS = 30
    job = running_job("register-import", silent_for=5)
    assert recover_lost_jobs() == {}
    job.refresh_from_db()
    assert job.status == "running" and job.done == 58


def test_a_job_this_process_runs_is_not_taken_over_when_its_beat_is_late(settings):
    """The worker's own lease watcher saw its own job's beat late (a beat can wait behind the
    job's SQLite write, or for a CPU) and reset the job under it: progress 22 of None."""
    settings.CIVWATCH_JOB_LEASE_SECONDS = 30
    job = running_job("register-import", silent_for=31)
    with Heartbeat(job):
        assert recover_lost_jobs() == {}
    job.refresh_from_db()
    assert job.status == "running" and job.total == 100
    # Once it is no longer running here, a late beat means the worker is gone.
    assert recover_lost_jobs() == {str(job.pk): "retried"}


def test_a_lost_job_that_cannot_run_twice_fails_with_a_message_the_owner_sees(
    client, settings, once_only_kind
):
    settings.CIVWATCH_JOB_LEASE_SECONDS = 30
    owner = User.objects.create_user("owner")
    job = running_job(once_only_kind, silent_for=60, created_by=owner)
    client.force_login(owner)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "stopped answering" in page and "refresh" in page

    assert recover_lost_jobs() == {str(job.pk): "failed"}

    job.refresh_from_db()
    assert job.status == "failed" and "cannot safely be run twice" in job.error
    page = client.get(job.get_absolute_url()).content.decode()
    assert "stopped at 58%" in page and 'http-equiv="refresh"' not in page


def test_a_job_that_lost_its_worker_three_times_is_failed(settings):
    settings.CIVWATCH_JOB_LEASE_SECONDS = 30
    job = running_job("register-import", silent_for=60, attempts=MAX_ATTEMPTS)
    assert recover_lost_jobs() == {str(job.pk): "failed"}
    job.refresh_from_db()
    assert "tried 3 times" in job.error


def test_jobs_command_lists_and_retries(settings, capsys, django_capture_on_commit_callbacks):
    settings.CIVWATCH_JOB_LEASE_SECONDS = 30
    failed = Job.objects.create(kind="register-import", title="t", status=Job.Status.FAILED,
                                error="boom", attempts=3)  # fmt: skip
    lost = running_job("register-import", silent_for=90)
    call_command("jobs", "list")
    listing = capsys.readouterr().out
    assert f"{failed.pk}  register-import    failed" in listing
    assert f"{lost.pk}  register-import    running, worker lost" in listing

    with django_capture_on_commit_callbacks(execute=True):
        call_command("jobs", "retry", str(failed.pk))
    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.attempts) == ("queued", "", 0)

    done = Job.objects.create(kind="register-import", title="t", status=Job.Status.DONE)
    with pytest.raises(CommandError, match="Only a failed job"):
        call_command("jobs", "retry", str(done.pk))
    with pytest.raises(CommandError, match="no job"):
        call_command("jobs", "retry", "not-a-job")


def civwatch(home, *args, **popen):
    # Its own SQLite file in `home`, shared by the processes below; leases short enough to
    # see a lost worker's job taken over within the test.
    env = environment(home, CIVWATCH_JOB_LEASE_SECONDS="2")
    return start_civwatch(env, *args, **popen)


def job_row(home) -> tuple[str, int, int | None, int]:
    with sqlite3.connect(home / "civwatch.sqlite3", timeout=20) as db:
        return db.execute("SELECT status, done, total, attempts FROM jobs_job").fetchone()


def wait_for(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.once  # its processes share their own SQLite file, whatever the suite's database
def test_a_killed_worker_s_import_is_finished_by_the_next_worker(tmp_path):
    assert civwatch(tmp_path, "migrate", "-v0").wait() == 0
    files = ", ".join(repr(str(path)) for path in FOREIGN_AGENTS)
    enqueue = ("from civwatch.jobs.runner import enqueue_job; enqueue_job('register-import', "
               f"'import', {{'register': 'foreign-agents', 'files': [{files}], "
               "'suspect': 'keep-previous'})")  # fmt: skip
    assert civwatch(tmp_path, "shell", "-c", enqueue).wait() == 0
    worker_options = ["db_worker", "--queue-name", "*", "--no-reload", "--no-startup-delay",
                      "--interval", "0.2"]  # fmt: skip

    first = civwatch(tmp_path, *worker_options, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for(lambda: (job_row(tmp_path) or ("", 0))[1] >= 2, timeout=120)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    status, done, total, attempts = job_row(tmp_path)
    assert status == "running" and 2 <= done < total and attempts == 1

    second = civwatch(tmp_path, *worker_options, stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        started = time.monotonic()
        wait_for(lambda: job_row(tmp_path)[0] in {"done", "failed"}, timeout=120)
        recovered_in = time.monotonic() - started
    finally:
        second.terminate()
        second.wait()
    assert job_row(tmp_path) == ("done", len(FOREIGN_AGENTS), len(FOREIGN_AGENTS), 2)
    assert recovered_in < 60
    with sqlite3.connect(tmp_path / "civwatch.sqlite3") as db:
        snapshots = db.execute("SELECT count(*) FROM registers_snapshot").fetchone()[0]
    assert snapshots == len(FOREIGN_AGENTS)
