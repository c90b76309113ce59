"""Evidence files on disk, written and read so that a wrong file is never trusted or served.

Every stored file (an original, a preview, an article kept by intake) is content-addressed:
its path ends in the sha256 of its bytes, so the path alone says what the file must contain.

Writing (`EvidenceStorage.put`): the bytes go to a temporary file in the destination's own
directory, which is flushed and fsync'ed, read back and hashed; only a file whose hash is the
expected one is renamed into place (an atomic rename on the same filesystem), and then the
directory is fsync'ed so the rename itself survives a crash. A full disk or any other write
error removes the temporary file and raises `StorageError` (a `UserError`: forms, the CLI and
the API show its message). A file already in place is read and hashed before it is trusted;
if it is damaged (a truncated write by an older version, a bad disk, an edit by hand) the
verified new copy replaces it and `Stored.replaced` tells the caller, which reports it.

Reading (`EvidenceStorage.read`): the bytes are hashed before they are returned; a mismatch
raises `DamagedFile` and is logged with the item's id only.

All file bytes pass through two methods, `write_bytes` and `read_bytes`, and there they are
encrypted at rest (civwatch.core.crypto, docs/security.md): the associated data of a file is
its kind (original, preview) and its name (the sha256 of its plain content), so a file moved
or copied to another name does not decrypt, and is refused as damaged. The class in use is
the setting
`CIVWATCH_EVIDENCE_STORAGE` (tests configure a subclass whose disk fills up).
"""

import errno
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from civwatch.core import crypto
from civwatch.core.errors import UserError
from civwatch.core.files import fsync_directory

logger = logging.getLogger(__name__)

# The folders under MEDIA_ROOT, one per kind of file.
ORIGINALS = "evidence"
PREVIEWS = "evidence-previews"
# What each folder holds, in the files' associated data (crypto.file_context).
KINDS = {ORIGINALS: "original", PREVIEWS: "preview"}
TEMPORARY_PREFIX = ".incoming-"


class StorageError(UserError):
    """A file could not be stored; nothing was kept. The message is for the user."""


class DamagedFile(Exception):
    """A stored file's bytes do not match the sha256 its record holds."""


@dataclass(frozen=True)
class Stored:
    path: Path
    created: bool  # this call put the file in place (False: a verified copy was already there)
    replaced: bool = False  # a damaged copy was there and has been replaced


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class EvidenceStorage:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    # -- where files go ---------------------------------------------------------------------

    def path(self, area: str, sha256: str, suffix: str = "") -> Path:
        return self.root / area / sha256[:2] / sha256[2:4] / f"{sha256}{suffix}"

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    # -- the two functions every byte passes through ----------------------------------------

    def write_bytes(self, stream: BinaryIO, data: bytes, path: Path) -> None:
        """Write the content of the file that will be at `path` to an open temporary file."""
        view = memoryview(crypto.encrypt_bytes(data, self.file_context(path)))
        while view:
            written = stream.write(view)
            view = view[written:]

    def read_bytes(self, path: Path, name: Path | None = None) -> bytes:
        """The content of a stored file (`name`: the path it is stored for, when reading it
        from a temporary file); DamagedFile when it does not decrypt."""
        blob = path.read_bytes()
        if not crypto.is_encrypted_file(blob):
            return blob  # written before encryption at rest; its hash is still checked
        try:
            return crypto.decrypt_bytes(blob, self.file_context(name or path), path.name)
        except crypto.DecryptionError:
            raise DamagedFile(path.parent.parent.parent.name) from None

    def file_context(self, path: Path) -> bytes:
        area = path.parent.parent.parent.name
        return crypto.file_context(KINDS.get(area, area), path.name[:64])

    # -- hooks ------------------------------------------------------------------------------

    def open_temporary(self, directory: Path) -> tuple[BinaryIO, Path]:
        """A new, empty, private file in `directory`, open for writing."""
        descriptor, name = tempfile.mkstemp(dir=directory, prefix=TEMPORARY_PREFIX)
        return os.fdopen(descriptor, "wb"), Path(name)

    # -- writing ----------------------------------------------------------------------------

    def put(self, area: str, data: bytes, suffix: str = "") -> Stored:
        """Store `data` under its sha256 in `area`, or raise StorageError (nothing left)."""
        sha256 = sha256_of(data)
        path = self.path(area, sha256, suffix)
        damaged = False
        if path.exists():
            if self.verify(path, sha256):
                return Stored(path, created=False)
            damaged = True
        try:
            self.make_directory(path.parent)
            self.write_verified(path, data, sha256)
        except OSError as error:
            raise self.failure(area, error) from None
        # A replaced damaged file is reported by the caller, which knows the record's id.
        return Stored(path, created=not damaged, replaced=damaged)

    def write_verified(self, path: Path, data: bytes, sha256: str) -> None:
        stream, temporary = self.open_temporary(path.parent)
        try:
            with stream:
                self.write_bytes(stream, data, path)
                stream.flush()
                os.fsync(stream.fileno())
            # Read back what the filesystem now holds: a short or failed write shows here.
            if not self.verify(temporary, sha256, name=path):
                raise OSError(errno.EIO, "the written file does not match its sha256")
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        fsync_directory(path.parent)

    def make_directory(self, directory: Path) -> None:
        missing = [d for d in (directory, *directory.parents) if not d.exists()]
        directory.mkdir(parents=True, exist_ok=True)
        for created in missing:
            fsync_directory(created.parent)

    def failure(self, area: str, error: OSError) -> StorageError:
        logger.error(
            "evidence storage: writing a %s file failed: %s",
            area,
            errno.errorcode.get(error.errno or 0, "error"),
        )
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return StorageError(
                _(
                    "The server's disk is full, so the file could not be stored. Nothing was "
                    "saved; try again later or tell an administrator."
                )
            )
        return StorageError(
            _("The file could not be stored (%(reason)s). Nothing was saved; try again.")
            % {"reason": error.strerror or type(error).__name__}
        )

    def remove(self, path: Path) -> None:
        """Remove a file this process stored, when what it was stored for was not saved."""
        path.unlink(missing_ok=True)

    # -- reading ----------------------------------------------------------------------------

    def verify(self, path: Path, sha256: str, name: Path | None = None) -> bool:
        try:
            return sha256_of(self.read_bytes(path, name)) == sha256
        except (OSError, DamagedFile):
            return False

    def read(self, area: str, sha256: str, suffix: str = "", *, item_id: object = None) -> bytes:
        """The verified content of a stored file; DamagedFile if missing or not matching."""
        path = self.path(area, sha256, suffix)
        try:
            data = self.read_bytes(path)
        except FileNotFoundError:
            logger.error("evidence storage: the %s file of item %s is missing", area, item_id)
            raise DamagedFile(area) from None
        except DamagedFile:
            logger.error("evidence storage: the %s file of item %s does not decrypt", area, item_id)
            raise
        if sha256_of(data) != sha256:
            logger.error(
                "evidence storage: the %s file of item %s does not match its sha256; refused",
                area,
                item_id,
            )
            raise DamagedFile(area)
        return data


@cache
def _storage_class(dotted: str) -> type[EvidenceStorage]:
    return import_string(dotted)


def storage() -> EvidenceStorage:
    """The storage in use, rooted at MEDIA_ROOT (both read from the settings on each call)."""
    return _storage_class(settings.CIVWATCH_EVIDENCE_STORAGE)(settings.MEDIA_ROOT)
