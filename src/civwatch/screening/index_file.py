"""The screening index of every list as a file: built once by the worker, loaded by the rest.

Building the index (`lists.build_lists_index`) takes 20 s with the registers, OFAC and ACF
and minutes with every bundled list. Each process used to build its own inside the first
request after a change, and every web process (gunicorn runs several) paid for it. Now a
committed change to a list (`screening.signals.record_change`, once per transaction) enqueues
one `screening-index` job, unless one is already queued (it will read the newer version when
it starts). A background worker (`civwatch db_worker`) builds the index and writes it here,
named by the version of the lists it read before building. `lists.database_index()` first
loads the file of the version it reads, many times faster than building (bench/screening/
index_file.py; docs/benchmarks.md), and builds the index itself, as before, when there is no
such file: no worker running, the worker not finished yet, index files off, a bad file.

The file is a pickle: the index is a graph of Python objects (records with their token keys,
postings, deletion neighbours), and unpickling restores it without recomputing anything.
Unpickling can run code, so the file is signed with a key derived from SECRET_KEY (which every
process of an installation shares) and a file whose signature does not verify is not read:
who can write this folder but not read the settings cannot make a web process run their code.
Files are written 0600 (mkstemp) in a folder created 0700, through a temporary file that is
fsync'ed and renamed into place, so a reader sees a whole file or none.

What a file holds is the public index and nothing else, the same data the public API serves
(/match, /search, /entities): for each record on a public list (register designations and the
members of designated organisations, entries present in the latest version of a sanctions or
external list, published accountability entries) its id, caption, FtM schema and properties
(names, identifiers, websites, birth date), its listings (dataset, title, programme, date,
reference, status, url, the organisation it is listed through), the ids of the persons pooled
with it by confirmed public links, when it was first stored and last changed; the matching
records made of those names and identifiers (token keys, postings); and which records each
dataset and schema holds. Case records and their people are never in it; the picker's index
of case records and the intake gazetteer (which holds case participants) stay in memory.

Files are named `lists-<database>-<state>.pickle`: `database` is a digest of the database
(engine, host, port, name: test databases or a staging copy may share a home), `state` a
digest of the lists' version and of the code that shapes the index (the matching engine, the
lists module, the FtM mapping, the libraries the keys come from, Python), so a file written
before an upgrade is not loaded after it. Having written its file, the job removes its
database's other files, except the one for the version current then (a newer job may have
written it while this one was building).
"""

import datetime
import gc
import hashlib
import hmac
import importlib.metadata
import logging
import os
import pickle
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connection

from civwatch.core.files import fsync_directory

logger = logging.getLogger(__name__)

JOB_KIND = "screening-index"
JOB_TITLE = "Screening index of every list"
MAGIC = b"civwatch lists index 1\n"
SIGNATURE_SIZE = hashlib.sha256().digest_size
# The code and libraries whose change changes the index a build would make.
PACKAGE = Path(__file__).resolve().parent.parent
SOURCES = ("matching/*.py", "matching/*.json", "screening/lists.py", "core/ftm.py")
LIBRARIES = ("followthemoney", "rigour", "normality", "rapidfuzz", "babel")
# A temporary file this old was left by a worker that died while writing.
ABANDONED = datetime.timedelta(hours=1)


def folder() -> Path | None:
    """Where index files are written and read; None when they are off (CIVWATCH_INDEX_FILES)."""
    return settings.CIVWATCH_INDEX_FILES


@cache
def code_digest() -> bytes:
    digest = hashlib.sha256(repr(sys.version_info[:2]).encode())
    for pattern in SOURCES:
        for path in sorted(PACKAGE.glob(pattern)):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for library in LIBRARIES:
        try:
            digest.update(f"{library}={importlib.metadata.version(library)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{library}=-".encode())
    return digest.digest()


def database_digest() -> str:
    db = connection.settings_dict
    identity = "\0".join(str(db.get(k) or "") for k in ("ENGINE", "HOST", "PORT", "NAME"))
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def version_text(version: tuple) -> str:
    """The version as text that every process writes alike (times in UTC, ISO format)."""
    parts = []
    for part in version:
        if isinstance(part, datetime.datetime):
            part = part.astimezone(datetime.UTC).isoformat()
        parts.append(repr(part))
    return ",".join(parts)


def path_for(version: tuple) -> Path | None:
    base = folder()
    if base is None:
        return None
    state = hashlib.sha256(code_digest() + version_text(version).encode()).hexdigest()[:24]
    return base / f"lists-{database_digest()}-{state}.pickle"


def signature(data: bytes | memoryview) -> bytes:
    key = hmac.new(settings.SECRET_KEY.encode(), b"civwatch screening index file", "sha256")
    return hmac.new(key.digest(), data, "sha256").digest()


def write(index: object, version: tuple) -> Path:
    """Write the index built for `version`, whole or not at all; returns its path."""
    target = path_for(version)
    if target is None:
        raise RuntimeError("index files are off (CIVWATCH_INDEX_FILES=off)")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=".lists-", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(MAGIC + signature(data) + data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(target.parent)
    return target


def load(version: tuple) -> object | None:
    """The index the worker wrote for `version`, or None (no file, or one not to be read)."""
    path = path_for(version)
    if path is None:
        return None
    start = time.perf_counter()
    try:
        blob = memoryview(path.read_bytes())
    except FileNotFoundError:
        return None
    except OSError as error:
        logger.warning("screening index file %s not read: %s", path.name, error.strerror)
        return None
    body = blob[len(MAGIC) + SIGNATURE_SIZE :]
    if blob[: len(MAGIC)] != MAGIC or not hmac.compare_digest(
        blob[len(MAGIC) : len(MAGIC) + SIGNATURE_SIZE], signature(body)
    ):
        logger.warning("screening index file %s is not signed with this key; ignored", path.name)
        return None
    # Unpickling makes millions of objects, none of them garbage: the collections they would
    # trigger meanwhile only cost time (three to five times the load's own).
    collecting = gc.isenabled()
    gc.disable()
    try:
        index = pickle.loads(body)  # noqa: S301  (signed by a process of this installation)
    except Exception:
        logger.exception("screening index file %s does not load; ignored", path.name)
        return None
    finally:
        if collecting:
            gc.enable()
    logger.info("screening index loaded from %s in %.2f s", path.name, time.perf_counter() - start)
    return index


def remove_stale(keep: set[Path]) -> list[Path]:
    """Remove this database's index files other than `keep`, and abandoned temporary files."""
    base = folder()
    if base is None:
        return []
    removed = []
    for path in base.glob(f"lists-{database_digest()}-*.pickle"):
        if path not in keep:
            path.unlink(missing_ok=True)
            removed.append(path)
    abandoned = time.time() - ABANDONED.total_seconds()
    for path in base.glob(".lists-*.tmp"):
        try:
            if path.stat().st_mtime < abandoned:
                path.unlink(missing_ok=True)
        except FileNotFoundError:
            pass
    return removed


def schedule_build() -> None:
    """Enqueue the job that builds the index file, unless one is queued and not started yet:
    that one reads the lists' version when it starts, after this change."""
    if folder() is None:
        return
    from civwatch.jobs.models import Job
    from civwatch.jobs.runner import enqueue_job

    if Job.objects.filter(kind=JOB_KIND, status=Job.Status.QUEUED).exists():
        return
    enqueue_job(JOB_KIND, JOB_TITLE, params={})
