"""The per-file key store: one data key per exile file, kept outside the database.

Crypto-shredding only works if destroying a key destroys every copy of it. A key kept in the
database would also sit in every `civwatch backup` archive taken before the erasure, and
restoring such an archive would bring the file back. So each file's data key is a small file
in its own folder (``CIVWATCH_EXILE_KEYS``, by default ``$CIVWATCH_HOME/exile-keys``), outside
the database and outside the media folder, hence outside backups. On disk the key is wrapped
by the master key (``core.crypto.write_encrypted``: AES-256-GCM, bound to the key's name), so
the key store alone reveals nothing either. Erasure unlinks the key file and syncs the folder;
from then on the file's values (encrypted under that key inside the master-key envelope of
the database columns) cannot be read from any copy of the database, old backups included.

The operational consequence (docs/exiles.md, docs/security.md): the key store needs its own
replication, with a retention no longer than the erasure promise, since a copy of the key
store kept for a year keeps erased files readable from a year of database backups.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections import OrderedDict
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from civwatch.core import crypto
from civwatch.core.files import fsync_directory

NONCE_BYTES = 12
SEALED_PREFIX = "xk1."
KEY_REF = re.compile(r"^[0-9a-f]{32}$")
_cache: OrderedDict[str, bytes] = OrderedDict()
CACHE_SIZE = 2000


class KeyErased(crypto.DecryptionError):
    """The file's data key is gone: the file was erased (or the key store is missing)."""


def folder() -> Path:
    return Path(settings.CIVWATCH_EXILE_KEYS)


def new_key_ref() -> str:
    """A random, meaningless name for a new file's key (not secret, not derived from data)."""
    return secrets.token_hex(16)


def _path(key_ref: str) -> Path:
    if not KEY_REF.match(key_ref or ""):
        raise KeyErased("an exile file has no valid key reference.")
    return folder() / f"{key_ref}.key"


def _aad(key_ref: str) -> bytes:
    return crypto.context("exile-key", "data-key", key_ref)


def create(key_ref: str) -> bytes:
    """Draw a new data key for this reference and store it wrapped by the master key."""
    path = _path(key_ref)
    if path.exists():
        return data_key(key_ref)
    key = AESGCM.generate_key(bit_length=256)
    folder().mkdir(parents=True, exist_ok=True, mode=0o700)
    crypto.write_encrypted(path, key, _aad(key_ref))
    fsync_directory(folder(), strict=True)
    _remember(key_ref, key)
    return key


def _remember(key_ref: str, key: bytes) -> None:
    _cache[key_ref] = key
    _cache.move_to_end(key_ref)
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)


def data_key(key_ref: str) -> bytes:
    """The file's data key; KeyErased when it no longer exists."""
    if key_ref in _cache:
        return _cache[key_ref]
    path = _path(key_ref)
    try:
        key = crypto.read_encrypted(path, _aad(key_ref), "an exile file's key")
    except FileNotFoundError:
        raise KeyErased("this exile file was erased: its key no longer exists.") from None
    _remember(key_ref, key)
    return key


def exists(key_ref: str) -> bool:
    try:
        return _path(key_ref).exists()
    except KeyErased:
        return False


def destroy(key_ref: str) -> bool:
    """Delete the key (crypto-shredding). True if there was one."""
    _cache.pop(key_ref, None)
    path = _path(key_ref)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    fsync_directory(path.parent, strict=True)
    return True


def references() -> set[str]:
    """The key references present in the store."""
    if not folder().is_dir():
        return set()
    return {p.stem for p in folder().glob("*.key") if KEY_REF.match(p.stem)}


def forget_cache() -> None:
    _cache.clear()


def seal(key_ref: str, plain: str, what: str) -> str:
    """`plain` encrypted under the file's key, bound to what it is (model and field)."""
    key = data_key(key_ref)
    nonce = secrets.token_bytes(NONCE_BYTES)
    body = AESGCM(key).encrypt(nonce, plain.encode(), f"{key_ref}\x1f{what}".encode())
    return SEALED_PREFIX + base64.urlsafe_b64encode(nonce + body).decode()


def unseal(key_ref: str, token: str, what: str) -> str:
    if not token.startswith(SEALED_PREFIX):
        raise crypto.DecryptionError(f"{what} of an exile file is not sealed with its key.")
    raw = base64.urlsafe_b64decode(token[len(SEALED_PREFIX) :])
    key = data_key(key_ref)
    try:
        plain = AESGCM(key).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], f"{key_ref}\x1f{what}".encode()
        )
    except InvalidTag:
        raise crypto.DecryptionError(f"{what} does not belong to this exile file.") from None
    return plain.decode()
