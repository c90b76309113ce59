"""Encryption at rest: envelope encryption of database values and evidence files.

Key hierarchy (docs/security.md):

- The **master key** (32 random bytes) never enters the database. It comes from
  ``CIVWATCH_MASTER_KEY`` (base64) or from the file named by ``CIVWATCH_MASTER_KEY_FILE``.
  Keys that are being rotated out are listed in ``CIVWATCH_MASTER_KEY_OLD`` (base64, comma
  separated): they are used for reading only. Each master key is known by a **key id**, a
  fingerprint of the key (never the key), stored beside every value it protects.
- A fresh **data key** (AES-256) is drawn for every value. It encrypts the value with
  AES-256-GCM and is stored *wrapped* (itself AES-256-GCM-encrypted) by the master key.

Why one data key per value rather than per record: Django reads a column without its row
(``from_db_value``), so a self-contained value needs no extra key column in every table, no
second query to fetch a row's key, and no coupling between fields (saving one field never
rewrites another). The cost is one more AES-GCM operation per value (microseconds).
Rotation stays cheap: ``civwatch keys rotate`` re-wraps the 32-byte data key and rewrites the
value's header; the encrypted payload is carried over byte for byte.

Every value is bound to where it is stored: the associated data is ``table, column, row
primary key``. A ciphertext copied into another row, column or table fails to decrypt, so a
person with write access to the database cannot swap a victim's name onto another record.

Blind indexes (``blind_index``) are keyed HMACs of normalised name keys, with a key derived
from the current master key, for features that must find an encrypted name by equality.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_save, pre_save

KEY_VARIABLE = "CIVWATCH_MASTER_KEY"
KEY_FILE_VARIABLE = "CIVWATCH_MASTER_KEY_FILE"
OLD_KEYS_VARIABLE = "CIVWATCH_MASTER_KEY_OLD"

# A value in the database: "cw1.<key id>.<wrapped data key>.<nonce + ciphertext>".
VALUE_PREFIX = "cw1."
# A file on disk: magic, key id (8 bytes), wrapped data key (60), nonce (12), ciphertext.
FILE_MAGIC = b"CWE1"
KEY_ID_BYTES = 8
WRAPPED_BYTES = 12 + 32 + 16
NONCE_BYTES = 12
WRAP_AAD = b"civwatch data key v1"


class MasterKeyError(ImproperlyConfigured):
    """No usable master key: the message names the environment variable to set."""


class DecryptionError(Exception):
    """A stored value or file cannot be decrypted: wrong or missing master key, or a value
    moved or altered in the database. The message names where, never the value."""


class Sealed(str):
    """A value exactly as the database holds it (ciphertext, not yet decrypted); written
    back as it is."""


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: dict[str, bytes]  # key id -> master key (current first, then old ones)

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]

    def key(self, key_id: str, where: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise DecryptionError(
                f"{where} is encrypted with master key {key_id}, which is not configured "
                f"({KEY_VARIABLE} / {OLD_KEYS_VARIABLE})."
            ) from None


def key_id(master: bytes) -> str:
    """A public fingerprint of a master key (16 hex digits); reveals nothing of the key."""
    return hashlib.sha256(b"civwatch key id\0" + master).hexdigest()[:16]


def generate_key() -> str:
    """A new master key, base64-encoded, for CIVWATCH_MASTER_KEY or a key file."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def parse_key(text: str, source: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise MasterKeyError(
            f"{source} must hold a base64-encoded 32-byte key (make one with "
            f"`civwatch keys generate`)."
        )
    return raw


def load_keyring(environ: dict[str, str] | None = None) -> Keyring:
    """Read the master key (and the old keys kept for reading) from the environment."""
    env = os.environ if environ is None else environ
    if env.get(KEY_VARIABLE):
        current = parse_key(env[KEY_VARIABLE], KEY_VARIABLE)
    elif env.get(KEY_FILE_VARIABLE):
        path = Path(env[KEY_FILE_VARIABLE])
        try:
            text = path.read_text()
        except OSError as error:
            raise MasterKeyError(
                f"{KEY_FILE_VARIABLE} names {path}, which cannot be read ({error.strerror})."
            ) from None
        current = parse_key(text, f"{KEY_FILE_VARIABLE} ({path})")
    else:
        raise MasterKeyError(
            f"No master key: set {KEY_VARIABLE} (base64, 32 bytes) or {KEY_FILE_VARIABLE} "
            f"(a file outside the database). `civwatch keys generate` makes one; "
            f"docs/security.md explains where to keep it."
        )
    keys = {key_id(current): current}
    for i, text in enumerate(t for t in env.get(OLD_KEYS_VARIABLE, "").split(",") if t.strip()):
        old = parse_key(text, f"{OLD_KEYS_VARIABLE} (key {i + 1})")
        keys.setdefault(key_id(old), old)
    return Keyring(key_id(current), keys)


@cache
def keyring() -> Keyring:
    return load_keyring()


def reset_keyring() -> None:
    """Forget the keys read so far (after the environment changed: tests, rotation)."""
    keyring.cache_clear()
    blind_key.cache_clear()
    _decrypted.cache_clear()


def context(table: str, column: str, row: Any) -> bytes:
    """The associated data binding a value to its table, column and row."""
    return f"civwatch\x1f{table}\x1f{column}\x1f{row}".encode()


def _wrap(master: bytes, data_key: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(master).encrypt(nonce, data_key, WRAP_AAD)


def _unwrap(master: bytes, wrapped: bytes, where: str) -> bytes:
    try:
        return AESGCM(master).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], WRAP_AAD)
    except InvalidTag:
        raise DecryptionError(
            f"{where}: the data key does not open with the configured master key (wrong key?)."
        ) from None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encrypt_text(plain: str, aad: bytes) -> Sealed:
    ring = keyring()
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = secrets.token_bytes(NONCE_BYTES)
    body = nonce + AESGCM(data_key).encrypt(nonce, plain.encode(), aad)
    wrapped = _wrap(ring.current, data_key)
    return Sealed(f"{VALUE_PREFIX}{ring.current_id}.{_b64(wrapped)}.{_b64(body)}")


def _split(value: str, where: str) -> tuple[str, bytes, bytes]:
    try:
        _version, kid, wrapped, body = value.split(".")
        return kid, _unb64(wrapped), _unb64(body)
    except (ValueError, binascii.Error):
        raise DecryptionError(f"{where} is not a civwatch encrypted value.") from None


def decrypt_text(value: str, aad: bytes, where: str) -> str:
    try:
        return _decrypted(value, aad)
    except DecryptionError:
        _decrypt_text(value, aad, where)  # again, for the message naming where it failed
        raise


@lru_cache(maxsize=50_000)
def _decrypted(value: str, aad: bytes) -> str:
    """Decrypted values of this process, by ciphertext and associated data: pages that show
    the same records again skip the cryptography. It holds only what this process already
    decrypted (its memory is outside what encryption at rest protects); failures are not
    kept, and reset_keyring() empties it."""
    return _decrypt_text(value, aad, "a value")


def _decrypt_text(value: str, aad: bytes, where: str) -> str:
    kid, wrapped, body = _split(value, where)
    data_key = _unwrap(keyring().key(kid, where), wrapped, where)
    try:
        return AESGCM(data_key).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], aad).decode()
    except InvalidTag:
        raise DecryptionError(
            f"{where} does not belong here: it was encrypted for another row, column or "
            f"table, or changed in the database."
        ) from None


def rewrap_text(value: str, where: str) -> Sealed | None:
    """The same value with its data key wrapped by the current master key (None: already)."""
    ring = keyring()
    kid, wrapped, body = _split(value, where)
    if kid == ring.current_id:
        return None
    data_key = _unwrap(ring.key(kid, where), wrapped, where)
    wrapped = _b64(_wrap(ring.current, data_key))
    return Sealed(f"{VALUE_PREFIX}{ring.current_id}.{wrapped}.{_b64(body)}")


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(VALUE_PREFIX)


# Files --------------------------------------------------------------------------------------


def encrypt_bytes(data: bytes, aad: bytes) -> bytes:
    """A file's content encrypted for disk, bound to ``aad`` (e.g. the original's sha256)."""
    ring = keyring()
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return b"".join(
        (
            FILE_MAGIC,
            bytes.fromhex(ring.current_id),
            _wrap(ring.current, data_key),
            nonce,
            AESGCM(data_key).encrypt(nonce, data, aad),
        )
    )


def _file_parts(blob: bytes, where: str) -> tuple[str, bytes, bytes]:
    head = len(FILE_MAGIC) + KEY_ID_BYTES + WRAPPED_BYTES
    if not blob.startswith(FILE_MAGIC) or len(blob) < head + NONCE_BYTES + 16:
        raise DecryptionError(f"{where} is not a civwatch encrypted file (run `civwatch migrate`).")
    kid = blob[len(FILE_MAGIC) : len(FILE_MAGIC) + KEY_ID_BYTES].hex()
    return kid, blob[len(FILE_MAGIC) + KEY_ID_BYTES : head], blob[head:]


def decrypt_bytes(blob: bytes, aad: bytes, where: str = "file") -> bytes:
    kid, wrapped, body = _file_parts(blob, where)
    data_key = _unwrap(keyring().key(kid, where), wrapped, where)
    try:
        return AESGCM(data_key).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], aad)
    except InvalidTag:
        raise DecryptionError(f"{where} was changed or belongs to another item.") from None


def is_encrypted_file(blob: bytes) -> bool:
    return blob.startswith(FILE_MAGIC)


def rewrap_bytes(blob: bytes, where: str = "file") -> bytes | None:
    """The file with its data key wrapped by the current master key (None: already)."""
    ring = keyring()
    kid, wrapped, body = _file_parts(blob, where)
    if kid == ring.current_id:
        return None
    data_key = _unwrap(ring.key(kid, where), wrapped, where)
    return FILE_MAGIC + bytes.fromhex(ring.current_id) + _wrap(ring.current, data_key) + body


def file_context(kind: str, sha256: str) -> bytes:
    """Associated data of an evidence file: what it is (original, preview) and which original
    (its sha256), so that files cannot be swapped on disk either."""
    return context("evidence-file", kind, sha256)


def write_encrypted(path: Path, data: bytes, aad: bytes) -> None:
    """Write a file encrypted, through a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("wb") as out:
            out.write(encrypt_bytes(data, aad))
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def read_encrypted(path: Path, aad: bytes, where: str) -> bytes:
    return decrypt_bytes(path.read_bytes(), aad, where)


# Blind indexes ------------------------------------------------------------------------------


@cache
def blind_key() -> bytes:
    """The HMAC key of blind indexes, derived from (never equal to) the current master key."""
    return hmac.new(keyring().current, b"civwatch blind index v1", hashlib.sha256).digest()


def blind_token(key: str) -> str:
    return hmac.new(blind_key(), key.encode(), hashlib.sha256).hexdigest()[:32]


def blind_index(keys: Iterable[str]) -> str:
    """Space-separated keyed tokens of normalised keys: equality search without the names."""
    return " ".join(sorted({blind_token(k) for k in keys if k}))


# Model fields -------------------------------------------------------------------------------


class EncryptedAttribute(DeferredAttribute):
    """Holds the ciphertext loaded from the database and decrypts it on first read.

    Decryption needs the row's primary key (the associated data), which ``from_db_value``
    does not see; the attribute does."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            field = self.field
            where = f"{field.model._meta.db_table}.{field.column} of row {instance.pk}"
            aad = context(field.model._meta.db_table, field.column, instance.pk)
            plain = decrypt_text(value, aad, where)
            # Kept so that saving the row without changing this value writes the same
            # ciphertext (no churn in the database, stable digests in the audit log).
            instance.__dict__[f"_sealed_{field.attname}"] = (value, plain)
            value = field.from_plain_text(plain)
            instance.__dict__[field.attname] = value
        return value

    def __set__(self, instance, value) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedMixin:
    """A field stored encrypted; code reads and writes the plain value as usual.

    ``only_if``: the name of a model method deciding per row whether to encrypt (entities
    from public registers and lists stay plain, case-only people are encrypted). Reading
    follows what is stored, so a row can move from plain to encrypted by being saved.
    Empty values are stored as they are: they hold nothing to protect.
    """

    descriptor_class = EncryptedAttribute

    def __init__(self, *args: Any, only_if: str = "", **kwargs: Any) -> None:
        self.only_if = only_if
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.only_if:
            kwargs["only_if"] = self.only_if
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "TextField"  # ciphertext is longer than the plain value's max_length

    def to_plain_text(self, value: Any) -> str:
        return str(value)

    def from_plain_text(self, text: str) -> Any:
        return text

    def is_empty(self, value: Any) -> bool:
        return value in (None, "")

    def from_db_value(self, value, expression, connection):
        return Sealed(value) if is_sealed(value) else self.from_stored_plain(value)

    def from_stored_plain(self, value: Any) -> Any:
        return value

    def encrypts(self, instance) -> bool:
        return not self.only_if or bool(getattr(instance, self.only_if)())

    def pre_save(self, model_instance, add):
        stored = model_instance.__dict__.get(self.attname)
        unread = isinstance(stored, Sealed) and model_instance.pk is not None
        if unread and self.encrypts(model_instance):
            return stored  # never read, so unchanged: no need to decrypt and re-encrypt
        value = getattr(model_instance, self.attname)
        if self.is_empty(value) or not self.encrypts(model_instance):
            return value
        read = model_instance.__dict__.get(f"_sealed_{self.attname}")
        if read is not None and model_instance.pk is not None:
            sealed, plain = read
            if self.to_plain_text(value) == plain:
                return sealed  # read but not changed: keep its ciphertext
        if model_instance.pk is None:
            keyring()  # no key: refuse before the INSERT, so nothing is half-written
            # The row's key is not known before the INSERT: write an empty placeholder and
            # encrypt right after (seal_pending, called by post_save or bulk_create_sealed).
            if not model_instance.__dict__.get("_crypto_may_defer"):
                raise TypeError(
                    f"{type(model_instance).__name__}.{self.name} is encrypted: create rows "
                    f"with save() or civwatch.core.crypto.bulk_create_sealed()."
                )
            model_instance.__dict__.setdefault("_crypto_pending", set()).add(self.attname)
            return self.placeholder()
        table = model_instance._meta.db_table
        aad = context(table, self.column, model_instance.pk)
        return encrypt_text(self.to_plain_text(value), aad)

    def placeholder(self) -> Any:
        return ""

    def get_lookup(self, lookup_name):
        # Only equality survives encryption, and only with an empty value (get_prep_value):
        # any other filter (contains, ordering comparisons) would silently match nothing.
        if not self.only_if and lookup_name not in {"exact", "isnull", "in"}:
            raise TypeError(
                f"{self.model.__name__}.{self.name} is encrypted: it cannot be compared or "
                f"searched in SQL (filter in memory, docs/security.md)."
            )
        return super().get_lookup(lookup_name)

    def get_prep_value(self, value):
        if isinstance(value, Sealed):
            return str(value)
        if not self.only_if and not self.is_empty(value):
            # A filter on an encrypted column could only ever match nothing: say so.
            raise TypeError(
                f"{self.model.__name__}.{self.name} is encrypted: it cannot be compared or "
                f"searched in SQL (filter in memory, docs/security.md)."
            )
        return super().get_prep_value(value)

    def get_db_prep_save(self, value, connection):
        if hasattr(value, "as_sql"):
            return value  # an expression (bulk_update's CASE): its values come back here
        if isinstance(value, Sealed):
            return str(value)
        if not self.is_empty(value) and not self.only_if:
            # QuerySet.update() and bulk_update() do not see the row: refuse rather than
            # store a plain value in an encrypted column.
            raise TypeError(
                f"{self.model.__name__}.{self.name} is encrypted: change it through save()."
            )
        return super().get_db_prep_save(value, connection)


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A CharField stored encrypted (max_length still limits the plain value)."""


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedURLField(EncryptedMixin, models.URLField):
    pass


class EncryptedJSONField(EncryptedMixin, models.TextField):
    """A JSON value (dict, list...) stored encrypted as text."""

    def __init__(self, *args: Any, encoder: type[json.JSONEncoder] = DjangoJSONEncoder, **kw):
        self.encoder = encoder
        super().__init__(*args, **kw)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("encoder", None)
        return name, path, args, kwargs

    def to_plain_text(self, value: Any) -> str:
        return json.dumps(value, cls=self.encoder, ensure_ascii=False)

    def from_plain_text(self, text: str) -> Any:
        return json.loads(text)

    def from_stored_plain(self, value: Any) -> Any:
        return None if value in (None, "") else json.loads(value)

    def is_empty(self, value: Any) -> bool:
        return value is None

    def get_db_prep_save(self, value, connection):
        if hasattr(value, "as_sql") or isinstance(value, Sealed) or value in (None, ""):
            return value
        if not self.only_if:
            raise TypeError(
                f"{self.model.__name__}.{self.name} is encrypted: change it through save()."
            )
        return self.to_plain_text(value)

    def formfield(self, **kwargs):
        from django.forms import JSONField

        return JSONField(encoder=self.encoder, **kwargs)

    def value_to_string(self, obj) -> str:
        return self.to_plain_text(self.value_from_object(obj))


def encrypted_fields(model: type[models.Model]) -> list[EncryptedMixin]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]


def seal_pending(instance: models.Model) -> None:
    """Encrypt the values a new row was inserted without (its primary key is known now)."""
    pending = instance.__dict__.pop("_crypto_pending", None)
    instance.__dict__.pop("_crypto_may_defer", None)
    if not pending:
        return
    table = instance._meta.db_table
    values = {}
    for field in encrypted_fields(type(instance)):
        if field.attname in pending:
            plain = field.to_plain_text(getattr(instance, field.attname))
            sealed = encrypt_text(plain, context(table, field.column, instance.pk))
            values[field.attname] = sealed
            instance.__dict__[f"_sealed_{field.attname}"] = (sealed, plain)
    type(instance)._base_manager.filter(pk=instance.pk).update(**values)


def _allow_deferred_insert(sender, instance, raw=False, **kwargs) -> None:
    if instance.pk is None and encrypted_fields(sender):
        instance.__dict__["_crypto_may_defer"] = True


def _after_insert(sender, instance, created=False, raw=False, **kwargs) -> None:
    if "_crypto_pending" in instance.__dict__ or "_crypto_may_defer" in instance.__dict__:
        seal_pending(instance)


pre_save.connect(_allow_deferred_insert, dispatch_uid="civwatch-crypto-pre-save")
post_save.connect(_after_insert, dispatch_uid="civwatch-crypto-post-save")


def bulk_create_sealed(model: type[models.Model], objs: Iterable[models.Model], **kw) -> list:
    """bulk_create for models with encrypted fields: insert, then encrypt each new row.

    Needs the database to return the new primary keys (SQLite 3.35+, PostgreSQL)."""
    objs = list(objs)
    for obj in objs:
        if obj.pk is None:
            obj.__dict__["_crypto_may_defer"] = True
    with transaction.atomic():
        created = model.objects.bulk_create(objs, **kw)
        for obj in created:
            seal_pending(obj)
    return created


# Migrations and rotation --------------------------------------------------------------------


def encrypt_existing(model: type[models.Model], names: list[str], only: Any = None) -> int:
    """Encrypt the plain values of these columns in place (a data migration's step).

    ``only``: a predicate on the row (a historical model instance) saying whether to
    encrypt it; None: every row. Returns the number of rows changed."""
    fields = [model._meta.get_field(name) for name in names]
    table = model._meta.db_table
    changed = 0
    manager = model._base_manager
    for row in manager.all().iterator(chunk_size=500):
        if only is not None and not only(row):
            continue
        values = {}
        for field in fields:
            raw = row.__dict__.get(field.attname)
            if raw in (None, "") or isinstance(raw, Sealed):
                continue
            plain = raw if isinstance(raw, str) else field.to_plain_text(raw)
            values[field.attname] = encrypt_text(plain, context(table, field.column, row.pk))
        if values:
            manager.filter(pk=row.pk).update(**values)
            changed += 1
    return changed


def decrypt_existing(model: type[models.Model], names: list[str]) -> int:
    """The reverse of encrypt_existing (reversing a migration needs the key too)."""
    fields = [model._meta.get_field(name) for name in names]
    table = model._meta.db_table
    changed = 0
    manager = model._base_manager
    for row in manager.all().iterator(chunk_size=500):
        values = {}
        for field in fields:
            raw = row.__dict__.get(field.attname)
            if isinstance(raw, Sealed):
                where = f"{table}.{field.column} of row {row.pk}"
                aad = context(table, field.column, row.pk)
                values[field.attname] = decrypt_text(raw, aad, where)
        if values:
            # Sealed() marks a value to be written as it is: here the plain text goes back.
            manager.filter(pk=row.pk).update(**{k: Sealed(v) for k, v in values.items()})
            changed += 1
    return changed


def encrypt_columns(
    app_label: str, columns: dict[str, list[str]], only: dict[str, Any] | None = None
):
    """A migration operation converting these models' existing plain values.

    ``columns``: model name -> field names; ``only``: model name -> predicate on a row for
    fields encrypted only for some rows. Reversible (back to plain text, with the key).
    Refuses, naming the variable, when no master key is configured."""
    from django.db import migrations

    def forward(apps, schema_editor) -> None:
        keyring()
        for model_name, names in columns.items():
            model = apps.get_model(app_label, model_name)
            encrypt_existing(model, names, (only or {}).get(model_name))

    def backward(apps, schema_editor) -> None:
        keyring()
        for model_name, names in columns.items():
            decrypt_existing(apps.get_model(app_label, model_name), names)

    return migrations.RunPython(forward, backward, elidable=False)


# Rotation -----------------------------------------------------------------------------------


@dataclass
class RotationReport:
    values: int = 0  # re-wrapped under the current key
    current: int = 0  # already under the current key
    rows: int = 0
    files: int = 0
    files_current: int = 0
    indexes: int = 0  # blind indexes recomputed

    def describe(self, current_id: str) -> str:
        return (
            f"Master key {current_id}: {self.values} values in {self.rows} rows re-wrapped "
            f"({self.current} were already under it), {self.files} files re-wrapped "
            f"({self.files_current} already), {self.indexes} blind indexes recomputed. "
            f"The values themselves were not re-encrypted."
        )


def models_with_encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedMixin]]]:
    from django.apps import apps

    found = []
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if fields and not model._meta.proxy:
            found.append((model, fields))
    return found


def raw_rows(model: type[models.Model], attnames: list[str], chunk: int = 1000):
    """(pk, *stored values) of every row, in primary-key order, a chunk per query (no
    server-side cursor, which an error in the middle of a transaction would leave open)."""
    last = None
    manager = model._base_manager
    while True:
        rows = manager.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows.values_list("pk", *attnames)[:chunk])
        yield from batch
        if len(batch) < chunk:
            return
        last = batch[-1][0]


def rotate_values(report: RotationReport) -> None:
    """Re-wrap every value's data key under the current master key, in one transaction.

    The rows change without model signals: the audit log is told which ones, so their new
    stored form is tied to the chain and `civwatch audit verify` still passes."""
    from civwatch.core import audit  # here: the audit module imports the models

    with transaction.atomic():
        for model, fields in models_with_encrypted_fields():
            attnames = [f.attname for f in fields]
            table = model._meta.db_table
            rewrapped = []
            for pk, *raws in raw_rows(model, attnames):
                values = {}
                for field, raw in zip(fields, raws, strict=True):
                    if not isinstance(raw, Sealed):
                        continue
                    new = rewrap_text(raw, f"{table}.{field.column} of row {pk}")
                    if new is None:
                        report.current += 1
                    else:
                        values[field.attname] = new
                if values:
                    model._base_manager.filter(pk=pk).update(**values)
                    report.values += len(values)
                    report.rows += 1
                    rewrapped.append(pk)
            if rewrapped:
                audit.record_updates(model, rewrapped, reason="keys rotate")


def rotate_files(folders: Iterable[Path], report: RotationReport) -> None:
    """Re-wrap the data key in the header of every encrypted file under these folders."""
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            blob = path.read_bytes()
            if not is_encrypted_file(blob):
                continue
            new = rewrap_bytes(blob, path.name)
            if new is None:
                report.files_current += 1
                continue
            temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
            try:
                with temporary.open("wb") as out:
                    out.write(new)
                    out.flush()
                    os.fsync(out.fileno())
                temporary.replace(path)
            finally:
                temporary.unlink(missing_ok=True)
            report.files += 1


def key_usage() -> dict[str, int]:
    """How many stored values each master key (by id) protects: an old key may be removed
    from the environment once it protects nothing."""
    usage: dict[str, int] = {}
    for model, fields in models_with_encrypted_fields():
        for _pk, *raws in raw_rows(model, [f.attname for f in fields]):
            for raw in raws:
                if isinstance(raw, Sealed):
                    kid = raw.split(".", 2)[1]
                    usage[kid] = usage.get(kid, 0) + 1
    return usage
