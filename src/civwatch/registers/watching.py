"""`civwatch watch`: fetch each register from its configured address and apply what changed.

A fetch asks conditionally (If-None-Match / If-Modified-Since with the validators of the last
good answer), keeps the raw body as a snapshot file with its sha256 and the fetch time, and
applies it through the importer (`SnapshotApplier`), whose snapshot date is the fetch's date.
A suspect snapshot is held until a person decides (skip, keep-previous, confirm); fetches that
come meanwhile wait behind it, so that history stays in date order. A timeout, an HTTP error,
an HTML page instead of JSON or CSV, or a body cut short is a failed fetch with its reason, and
nothing is applied. Every fetch is a `Fetch` row: the staff page of fetch history shows them.
"""

import datetime
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from civwatch.core.errors import UserError
from civwatch.jobs.models import Job
from civwatch.jobs.runner import job_kind
from civwatch.jobs.schedule import periodic_job
from civwatch.registers.importing import SnapshotApplier, SuspectSnapshot
from civwatch.registers.models import Fetch, Register, Snapshot
from civwatch.registers.sources import FORMATS, read_snapshot

logger = logging.getLogger(__name__)

USER_AGENT = "civwatch register watch (+https://github.com/civwatch)"
CHUNK = 64 * 1024
# Fetches whose answer is good to build on: their validators go into the next request.
GOOD = (
    Fetch.Status.APPLIED,
    Fetch.Status.NOT_MODIFIED,
    Fetch.Status.UNCHANGED,
    Fetch.Status.HELD,
    Fetch.Status.WAITING,
    Fetch.Status.SKIPPED,
)


# Fetches kept but not applied yet: a held snapshot and those waiting behind it.
PENDING = (Fetch.Status.HELD, Fetch.Status.WAITING)


class FetchFailed(Exception):
    """The answer cannot be a snapshot; the message is the reason people read."""

    def __init__(self, reason: str, http_status: int | None = None) -> None:
        super().__init__(reason)
        self.http_status = http_status


@dataclass
class Answer:
    status: int
    content_type: str
    etag: str
    last_modified: str
    body: bytes


def without_credentials(url: str) -> str:
    """The address as stored and shown: a user name or password in it is left out."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=host))


def download(url: str, headers: dict[str, str]) -> Answer:
    """GET the address; raises FetchFailed with a reason for anything but a whole answer."""
    timeout = settings.CIVWATCH_WATCH_TIMEOUT_SECONDS
    limit = settings.CIVWATCH_WATCH_MAX_MEGABYTES * 1024 * 1024
    body = bytearray()
    try:
        with requests.get(
            url, headers={"User-Agent": USER_AGENT, **headers}, timeout=timeout, stream=True
        ) as response:
            answer = Answer(
                response.status_code,
                response.headers.get("Content-Type", ""),
                response.headers.get("ETag", ""),
                response.headers.get("Last-Modified", ""),
                b"",
            )
            if response.status_code == 304:
                return answer
            if response.status_code != 200:
                raise FetchFailed(
                    f"HTTP error {response.status_code} {response.reason or ''}".strip(),
                    response.status_code,
                )
            # requests' timeout is per read; a server trickling bytes must not hold us for ever.
            deadline = time.monotonic() + timeout
            for chunk in response.iter_content(CHUNK):
                body += chunk
                if len(body) > limit:
                    raise FetchFailed(
                        f"the body is larger than {settings.CIVWATCH_WATCH_MAX_MEGABYTES} MB "
                        "(CIVWATCH_WATCH_MAX_MEGABYTES): not a register table",
                        200,
                    )
                if time.monotonic() > deadline:
                    raise FetchFailed(f"timed out: the body took longer than {timeout} s", 200)
    except requests.Timeout:
        raise FetchFailed(f"timed out: no answer within {timeout} s") from None
    except requests.exceptions.ChunkedEncodingError:
        # urllib3 checks the body against Content-Length (and chunked framing): cut short.
        raise FetchFailed(
            f"truncated body: the connection closed after {len(body)} bytes, before the end "
            "the server announced",
            200,
        ) from None
    except requests.exceptions.SSLError:
        raise FetchFailed(
            "the server's TLS certificate could not be verified (a server that sends no "
            "intermediate certificate needs REQUESTS_CA_BUNDLE with it: docs/registers.md)"
        ) from None
    except requests.ConnectionError:
        raise FetchFailed("cannot connect to the server (refused, unknown host or reset)") from None
    except requests.RequestException as error:
        # The exception's text holds the address, which may carry credentials: its type only.
        raise FetchFailed(f"cannot fetch: {type(error).__name__}") from None
    answer.body = bytes(body)
    return answer


def snapshot_suffix(answer: Answer) -> str:
    """ ".json" or ".csv" for the body; an HTML page or nothing at all is a failure."""
    start = answer.body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    mime = answer.content_type.split(";")[0].strip().lower()
    if not start:
        raise FetchFailed("empty body: no table came", answer.status)
    if start == b"<" or mime in ("text/html", "application/xhtml+xml"):
        raise FetchFailed(
            f"an HTML page came instead of JSON or CSV (Content-Type {mime or 'not given'}): "
            "an error or maintenance page, not the register",
            answer.status,
        )
    if start in (b"[", b"{"):
        check_complete_json(answer)
        return ".json"
    return ".csv"


def check_complete_json(answer: Answer) -> None:
    """A JSON body cut short in transit does not end its outer list or object; the importer's
    own check would only call it malformed."""
    try:
        text = answer.body.decode("utf-8-sig")
        json.loads(text)
    except UnicodeDecodeError:
        return  # the importer names the byte
    except json.JSONDecodeError:
        if not text.rstrip().endswith(("]", "}")):
            raise FetchFailed(
                f"truncated body: the JSON ends after {len(answer.body)} bytes before it is "
                "complete",
                answer.status,
            ) from None


def conditional_headers(register: Register) -> dict[str, str]:
    last = register.fetches.filter(status__in=GOOD).exclude(etag="", last_modified="").first()
    headers = {}
    if last and last.etag:
        headers["If-None-Match"] = last.etag
    if last and last.last_modified:
        headers["If-Modified-Since"] = last.last_modified
    return headers


def stored_path(fetch: Fetch) -> Path:
    return Path(settings.MEDIA_ROOT) / fetch.file


def fetch_register(register: Register, url: str, now: datetime.datetime | None = None) -> Fetch:
    """Fetch one register and apply what came (or hold it, or record why not)."""
    now = now or timezone.now()
    fetch = Fetch(register=register, url=without_credentials(url), fetched_at=now)
    try:
        if register.slug not in FORMATS:
            raise FetchFailed(f"civwatch cannot read snapshots of the register {register.slug}")
        previous = conditional_headers(register)
        answer = download(url, previous)
        fetch.http_status, fetch.content_type = answer.status, answer.content_type[:200]
        fetch.etag, fetch.last_modified = answer.etag[:500], answer.last_modified[:100]
        if answer.status == 304:
            # Keep the validators going: the server need not repeat them on a 304.
            fetch.etag = fetch.etag or previous.get("If-None-Match", "")
            fetch.last_modified = fetch.last_modified or previous.get("If-Modified-Since", "")
            fetch.status = Fetch.Status.NOT_MODIFIED
            fetch.save()
            return fetch
        suffix = snapshot_suffix(answer)
    except FetchFailed as failure:
        fetch.http_status = fetch.http_status or failure.http_status
        return fail(fetch, str(failure))
    fetch.sha256 = hashlib.sha256(answer.body).hexdigest()
    fetch.size = len(answer.body)
    known = seen_before(register, fetch.sha256)
    if known:
        fetch.status, fetch.report = Fetch.Status.UNCHANGED, known
        fetch.save()
        return fetch
    fetch.file = f"watch/{register.slug}/registry-{now:%Y-%m-%dT%H%M%SZ}{suffix}"
    path = stored_path(fetch)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(answer.body)
    with transaction.atomic():
        lock(register)
        if register.fetches.filter(status__in=PENDING).exists():
            fetch.status = Fetch.Status.WAITING
            fetch.save()
        else:
            apply_fetch(fetch, "stop")
    return fetch


def lock(register: Register) -> None:
    """Writers of one register's history take turns (a worker's run and cron's at once): the
    second sees what the first applied, instead of applying it again."""
    Register.objects.select_for_update().filter(pk=register.pk).first()


def seen_before(register: Register, sha256: str) -> str:
    """Why a body needs no applying, or "" when it is new."""
    snapshot = register.snapshots.filter(sha256=sha256).first()
    if snapshot:
        return (
            f"same content as the snapshot {snapshot.file_name} ({snapshot.as_of}): nothing to do"
        )
    pending = register.fetches.filter(sha256=sha256, status__in=PENDING).first()
    if pending:
        return (
            f"same content as the fetch of {pending.fetched_at:%Y-%m-%d %H:%M} ({pending.status})"
        )
    return ""


def apply_fetch(fetch: Fetch, policy: str) -> None:
    """Apply a stored body through the importer, with the given suspect-snapshot policy."""
    register = fetch.register
    with transaction.atomic():
        lock(register)
        if fetch.pk and not register.fetches.filter(pk=fetch.pk, status__in=PENDING).exists():
            return  # another run applied it meanwhile
        try:
            source = read_snapshot(stored_path(fetch), register.slug, fetch.fetched_at.date())
            report = SnapshotApplier(register).apply(source, policy)
        except SuspectSnapshot as suspect:
            fetch.status, fetch.reason = Fetch.Status.HELD, suspect.report.describe()
            fetch.save()
            notify(fetch)
            return
        except (UserError, ValueError) as error:
            fail(fetch, f"not applied: {error}")
            return
        statuses = {"skipped": Fetch.Status.SKIPPED, "already applied": Fetch.Status.UNCHANGED}
        fetch.status = statuses.get(report.status, Fetch.Status.APPLIED)
        fetch.report = report.describe()
        fetch.snapshot = Snapshot.objects.filter(register=register, sha256=fetch.sha256).first()
        fetch.save()


def fail(fetch: Fetch, reason: str) -> Fetch:
    last = fetch.register.fetches.exclude(pk=fetch.pk).first()
    fetch.status, fetch.reason = Fetch.Status.FAILED, reason
    fetch.save()
    # One mail when fetching starts failing, not one per scheduled run while it goes on.
    if last is None or last.status != Fetch.Status.FAILED:
        notify(fetch)
    return fetch


def decide(fetch: Fetch, policy: str, user) -> None:
    """A person's decision on a held snapshot; `resume` applies it (a job does, or the next
    watch run)."""
    if fetch.status != Fetch.Status.HELD:
        raise UserError("Only a held snapshot waits for a decision.")
    fetch.decision, fetch.decided_by, fetch.decided_at = policy, user, timezone.now()
    fetch.save(update_fields=["decision", "decided_by", "decided_at"])


def resume(register: Register) -> list[Fetch]:
    """Apply a decided held snapshot, then the fetches that waited behind it, in order, until
    one of them is held in its turn."""
    held = register.fetches.filter(status=Fetch.Status.HELD).order_by("fetched_at", "id").first()
    if held and not held.decision:
        return []
    done = []
    if held:
        apply_fetch(held, held.decision)
        done.append(held)
    waiting = register.fetches.filter(status=Fetch.Status.WAITING).order_by("fetched_at", "id")
    for fetch in waiting:
        apply_fetch(fetch, "stop")
        done.append(fetch)
        if fetch.status == Fetch.Status.HELD:
            break
    return done


def watch(
    slugs: list[str] | None = None,
    now: datetime.datetime | None = None,
    on_register: Callable[[list[Fetch]], None] = lambda fetches: None,
) -> list[Fetch]:
    """One round: every configured register (or those named), waiting work first."""
    urls = settings.CIVWATCH_WATCH_URLS
    wanted = slugs or sorted(urls)
    missing = [slug for slug in wanted if slug not in urls]
    if missing:
        names = ", ".join(setting_name(slug) for slug in missing)
        raise UserError(f"No address configured for {', '.join(missing)}: set {names}.")
    registers = {r.slug: r for r in Register.objects.filter(slug__in=wanted)}
    unknown = [slug for slug in wanted if slug not in registers]
    if unknown:
        raise UserError(f"No register {', '.join(unknown)} (set by {setting_name(unknown[0])}).")
    fetches = []
    for slug in wanted:
        these = [*resume(registers[slug]), fetch_register(registers[slug], urls[slug], now)]
        on_register(these)
        fetches += these
    return fetches


def setting_name(slug: str) -> str:
    return f"CIVWATCH_WATCH_{slug.upper().replace('-', '_')}_URL"


def describe(fetch: Fetch) -> str:
    line = f"{fetch.register_id} {fetch.fetched_at:%Y-%m-%d %H:%M}: {fetch.get_status_display()}"
    detail = fetch.reason or fetch.report
    return f"{line}; {detail}" if detail else line


def notify(fetch: Fetch) -> None:
    """Tell the staff: the fetch history page shows it; mail goes to CIVWATCH_WATCH_NOTIFY
    (through CIVWATCH_EMAIL_URL) after the commit."""
    logger.warning("register watch: fetch %s of %s %s", fetch.pk, fetch.register_id, fetch.status)
    if not settings.CIVWATCH_WATCH_NOTIFY:
        return
    if fetch.status == Fetch.Status.HELD:
        subject = f"civwatch: a snapshot of {fetch.register_id} is held for your decision"
    else:
        subject = f"civwatch: fetching {fetch.register_id} failed"
    body = (
        f"{describe(fetch)}\n\nThe fetch history and the decision are on the staff page "
        f"{reverse('registers_watch')} of civwatch."
    )
    transaction.on_commit(
        lambda: send_mail(subject, body, None, settings.CIVWATCH_WATCH_NOTIFY, fail_silently=True)
    )


@job_kind("register-watch", idempotent=True)
def watch_job(job: Job) -> None:
    """A scheduled round: one line per fetch on the job's page."""
    job.start(len(settings.CIVWATCH_WATCH_URLS))
    watch(on_register=lambda fetches: job.advance("\n".join(map(describe, fetches))))


@job_kind("register-decision", idempotent=True)
def decision_job(job: Job, register: str) -> None:
    """A person decided on a held snapshot: apply it and what waited behind it."""
    job.start(1)
    fetches = resume(Register.objects.get(slug=register))
    job.advance("\n".join(map(describe, fetches)) or f"{register}: nothing to do")


periodic_job(
    "register-watch",
    "Scheduled register watch",
    minutes=lambda: settings.CIVWATCH_WATCH_EVERY_MINUTES if settings.CIVWATCH_WATCH_URLS else 0,
)
