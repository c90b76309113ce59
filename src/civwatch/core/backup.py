"""One encrypted archive of a civwatch home: the database and the media folder.

The archive is a tar stream (a manifest, the database, every media file) encrypted with
AES-256-GCM in 1 MiB chunks, so a backup of any size is written and read with constant
memory, and any change to any byte (or a truncated, reordered or spliced archive) is refused
on restore. Each chunk's nonce is the archive's random prefix plus the chunk's number, and its
associated data says whether it is the last one: chunks cannot be dropped, moved or cut off.

Consistency while the server runs: SQLite is copied with its online backup API, PostgreSQL
with pg_dump (one snapshot); both are taken before the media folder is read. Media files are
written once under content-derived names, so a file the database names is already complete
on disk when the database is copied; files added after the copy are harmless extras.

The key comes from the environment only (CIVWATCH_BACKUP_KEY, or CIVWATCH_BACKUP_KEY_FILE):
keep it away from the backups. The master key of encrypted fields is not in the archive
either; restoring needs both (docs/operations.md).
"""

import base64
import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection

from civwatch.core.errors import UserError

MAGIC = b"CIVWATCH-BACKUP-1\n"
CHUNK = 1 << 20
PREFIX = 8  # random bytes of each archive's nonces; the other 4 count the chunks
TAG = 16
DATABASE_SQLITE, DATABASE_PG = "database.sqlite3", "database.pgdump"


def backup_key() -> bytes:
    raw = os.environ.get("CIVWATCH_BACKUP_KEY", "")
    key_file = os.environ.get("CIVWATCH_BACKUP_KEY_FILE", "")
    if not raw and key_file:
        try:
            raw = Path(key_file).read_text().strip()
        except OSError as error:
            raise UserError(f"CIVWATCH_BACKUP_KEY_FILE: {key_file}: {error.strerror}") from None
    if not raw:
        raise UserError(
            "Set CIVWATCH_BACKUP_KEY (or CIVWATCH_BACKUP_KEY_FILE) to a key made by "
            "`civwatch backup --new-key`."
        )
    try:
        key = base64.urlsafe_b64decode(raw)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise UserError(
            "CIVWATCH_BACKUP_KEY must be 32 bytes in base64 (`civwatch backup --new-key`)."
        )
    return key


def new_key() -> str:
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that encrypts what it is given into `target`, chunk by chunk."""

    def __init__(self, target: IO[bytes], key: bytes) -> None:
        self.target, self.aead = target, AESGCM(key)
        self.prefix = os.urandom(PREFIX)
        self.buffer, self.counter = bytearray(), 0
        target.write(MAGIC + self.prefix)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._seal(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        nonce = self.prefix + struct.pack(">I", self.counter)
        self.target.write(self.aead.encrypt(nonce, chunk, MAGIC + bytes([last])))
        self.counter += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self.buffer), last=True)
            self.buffer.clear()
        super().close()


def decrypted_chunks(source: IO[bytes], key: bytes, name: str) -> Iterator[bytes]:
    if source.read(len(MAGIC)) != MAGIC:
        raise UserError(f"{name}: not a civwatch backup")
    prefix, aead, counter = source.read(PREFIX), AESGCM(key), 0
    sealed = source.read(CHUNK + TAG)
    while True:
        following = source.read(CHUNK + TAG)
        last = not following
        nonce = prefix + struct.pack(">I", counter)
        try:
            yield aead.decrypt(nonce, sealed, MAGIC + bytes([last]))
        except InvalidTag:
            raise UserError(
                f"{name}: chunk {counter} cannot be decrypted: wrong key, or the archive was "
                "changed or cut short"
            ) from None
        if last:
            return
        sealed, counter = following, counter + 1


class DecryptingReader(io.RawIOBase):
    def __init__(self, source: IO[bytes], key: bytes, name: str) -> None:
        self.chunks, self.pending = decrypted_chunks(source, key, name), b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self.pending))
        buffer[:size], self.pending = self.pending[:size], self.pending[size:]
        return size


def database_settings() -> dict:
    return connection.settings_dict


def pg_environment(db: dict) -> dict[str, str]:
    env = {
        **os.environ,
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGDATABASE": db["NAME"],
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def copy_database(folder: Path) -> Path:
    """A consistent copy of the database in `folder`, taken while others may be writing."""
    if connection.vendor == "sqlite":
        target = folder / DATABASE_SQLITE
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        return target
    if connection.vendor == "postgresql":
        target = folder / DATABASE_PG
        db = database_settings()
        done = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(target)],
            env=pg_environment(db),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise UserError(f"pg_dump failed: {done.stderr.strip()}")
        return target
    raise UserError(f"backups of {connection.vendor} databases are not supported")


def media_files() -> Iterator[Path]:
    root = Path(settings.MEDIA_ROOT)
    if root.is_dir():
        yield from sorted(path for path in root.rglob("*") if path.is_file())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def write_backup(output: Path) -> dict:
    """Write the encrypted archive to `output` (atomically: a temporary file renamed at the
    end); return its manifest."""
    key = backup_key()
    root = Path(settings.MEDIA_ROOT)
    partial = output.with_name(f".{output.name}.partial")
    with tempfile.TemporaryDirectory() as scratch:
        database = copy_database(Path(scratch))
        files = list(media_files())
        manifest = {
            "format": 1,
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": {
                "engine": connection.vendor,
                "file": database.name,
                "sha256": sha256_of(database),
            },
            "media": {str(p.relative_to(root)): sha256_of(p) for p in files},
        }
        try:
            with partial.open("wb") as target:
                writer = EncryptingWriter(target, key)
                with tarfile.open(fileobj=writer, mode="w|") as archive:
                    data = json.dumps(manifest, indent=1).encode()
                    info = tarfile.TarInfo("manifest.json")
                    info.size = len(data)
                    archive.addfile(info, io.BytesIO(data))
                    archive.add(database, arcname=database.name)
                    for path in files:
                        archive.add(path, arcname=f"media/{path.relative_to(root)}")
                writer.close()
                target.flush()
                os.fsync(target.fileno())
            partial.replace(output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise UserError(f"{output}: cannot write the backup: {error.strerror}") from None
    return manifest


def home_is_empty() -> list[str]:
    """What makes the configured home not empty (empty list: it is empty)."""
    problems = []
    if connection.introspection.table_names():
        problems.append(f"the database {database_settings()['NAME']} already has tables")
    if any(media_files()):
        problems.append(f"the media folder {settings.MEDIA_ROOT} is not empty")
    return problems


def restore_backup(source: Path) -> dict:
    """Bring an archive back into an empty home; refuse anything else."""
    key = backup_key()
    problems = home_is_empty()
    if problems:
        raise UserError("restore needs an empty home: " + "; ".join(problems))
    root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        try:
            stream = source.open("rb")
        except OSError as error:
            raise UserError(f"{source}: {error.strerror}") from None
        with (
            stream,
            tarfile.open(fileobj=DecryptingReader(stream, key, str(source)), mode="r|") as archive,
        ):
            # The archive was authenticated chunk by chunk; still, only plain files and
            # folders inside the target are extracted (no absolute paths, "..", links or
            # devices). Python 3.11.4+ also applies its "data" filter; Debian 12's 3.11.2
            # does not have it, hence the check of our own.
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            for member in archive:
                name = Path(member.name)
                if (
                    name.is_absolute()
                    or ".." in name.parts
                    or not (member.isfile() or member.isdir())
                ):
                    raise UserError(f"{source}: unexpected entry {member.name!r} in the archive")
                archive.extract(member, folder, set_attrs=False, **safe)
        manifest = json.loads((folder / "manifest.json").read_text())
        check_files(folder, manifest, source)
        load_database(folder / manifest["database"]["file"], manifest["database"]["engine"])
        for name in manifest["media"]:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / "media" / name, target)
    return manifest


def check_files(folder: Path, manifest: dict, source: Path) -> None:
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    expected |= {f"media/{name}": digest for name, digest in manifest["media"].items()}
    for name, digest in expected.items():
        path = folder / name
        if not path.is_file() or sha256_of(path) != digest:
            raise UserError(f"{source}: {name} is missing or does not match the manifest")


def load_database(copy: Path, engine: str) -> None:
    if engine != connection.vendor:
        raise UserError(
            f"this backup holds a {engine} database; the configured one is {connection.vendor}"
        )
    if engine == "sqlite":
        connection.close()
        target = Path(database_settings()["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(copy) as source, sqlite3.connect(target) as restored:
            source.backup(restored)
        return
    done = subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            database_settings()["NAME"],
            str(copy),
        ],
        env=pg_environment(database_settings()),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise UserError(f"pg_restore failed: {done.stderr.strip()}")
