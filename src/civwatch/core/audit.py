"""The tamper-evident audit log (docs/audit.md).

Every write to the project's models, every status move, export, login, logout, failed login
and read of a confidential record appends an `AuditEvent`: who, what, when, which record,
never a confidential value. Each event's hash covers its own canonical content and the
previous event's hash, so changing, removing or reordering a stored event breaks the chain.

Writes are captured in one place, by model signals connected in `connect()` for every model
of the civwatch apps (and Django's users and groups). Documented records (the
`DocumentedRecord` subclasses) also store the sha256 of their row as the database holds it
after the write: `verify()` recomputes every such row's digest and compares it with its last
event, so a row edited, inserted or deleted directly in the database is named.

Appends are serialised by locking the one `AuditHead` row (SELECT ... FOR UPDATE on
PostgreSQL; on SQLite every transaction is BEGIN IMMEDIATE, see settings) inside the
writer's own transaction: the event commits or rolls back with the write it describes.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
import os
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone
from django.utils.crypto import salted_hmac

from civwatch.core import actor as actors
from civwatch.core import clock
from civwatch.core.errors import UserError
from civwatch.core.models import AuditAction, AuditEvent, AuditHead

GENESIS = "0" * 64
CHECKPOINT_FORMAT = "civwatch-audit-checkpoint/1"

# Saves that only touch these fields are bookkeeping, not content: a login stamps
# last_login (the login event says it), a running job writes its progress.
BOOKKEEPING_SAVES = {
    "auth.User": {"last_login"},
    "jobs.Job": {"done", "log", "total", "heartbeat_at", "attempts"},
}
# Django's own options of every command: not worth keeping in an export event.
COMMAND_OPTIONS = {
    "verbosity", "settings", "pythonpath", "traceback", "no_color", "force_color",
    "skip_checks", "subcommand",
}  # fmt: skip

# ---------------------------------------------------------------------------------------
# Who is acting


def current_actor() -> tuple[str, int | None]:
    """(actor, user id): an explicit `acting_as`, else the web request's user, else the
    process's actor ("cli:USER" for the command line, "system" otherwise)."""
    explicit = actors.explicit_actor()
    if explicit is not None:
        return explicit
    request = actors.current_request.get()
    if request is not None:
        return request_actor(request)
    return actors.process_actor(), None


def user_actor(user: Any) -> tuple[str, int | None]:
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}", user.pk
    return "anonymous", None


def request_actor(request: Any) -> tuple[str, int | None]:
    cached = getattr(request, "_audit_actor", None)
    if cached is not None:
        return cached
    from civwatch.accounts.models import bearer_user  # here: no import cycle at start-up

    user = bearer_user(request)
    if user is None:
        user = getattr(request, "user", None)
    found = user_actor(user)
    if found[1] is not None:  # anonymous may still log in during this request
        request._audit_actor = found
    return found


class AuditMiddleware:
    """Makes the request known to the audit log, so events name the user who caused them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = actors.current_request.set(request)
        reads = _request_reads.set({})
        try:
            response = self.get_response(request)
            # Before the response leaves: a read that cannot be logged is not served.
            _flush_reads()
            return response
        finally:
            _request_reads.reset(reads)
            actors.current_request.reset(token)


acting_as = actors.acting_as

# ---------------------------------------------------------------------------------------
# The chain


def canonical(data: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=plain
    ).encode("utf-8")


def plain(value: Any) -> Any:
    """A database value as JSON: the same value always gives the same text."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID | Path):
        return str(value)
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def event_content(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": plain(event.at),
        "actor": event.actor,
        "user_id": event.user_id,
        "action": event.action,
        "model": event.model,
        "object_id": event.object_id,
        "digest": event.digest,
        "details": event.details,
    }


def chain_hash(prev_hash: str, content: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(content)).hexdigest()


_enabled = True


@contextmanager
def disabled() -> Iterator[None]:
    """No events and no receivers inside the block, as if the log did not exist. Only for
    measuring what the log costs (bench/audit/) and for the test suite's removal of the
    history it imported for a module; nothing in civwatch itself calls it."""
    global _enabled
    previous, _enabled = _enabled, False
    disconnect()
    try:
        yield
    finally:
        _enabled = previous
        connect()


def _locked_head(using: str) -> tuple[AuditHead, bool]:
    """The head row, locked until the end of the transaction; (head, was it missing)."""
    head = AuditHead.objects.using(using).select_for_update().filter(pk=1).first()
    if head is not None:
        return head, False
    last = AuditEvent.objects.using(using).order_by("-seq").first()
    try:
        with transaction.atomic(using=using):
            AuditHead.objects.using(using).create(
                pk=1, seq=last.seq if last else 0, hash=last.hash if last else GENESIS
            )
    except IntegrityError:  # another process created it first
        pass
    return AuditHead.objects.using(using).select_for_update().get(pk=1), last is not None


@dataclass
class Pending:
    """An event to append: what `append` takes, kept until `append_all` chains it."""

    action: str
    model: str = ""
    object_id: Any = ""
    digest: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    actor: tuple[str, int | None] | None = None
    at: datetime.datetime | None = None


def append(
    action: str,
    *,
    model: str = "",
    object_id: Any = "",
    digest: str = "",
    details: dict[str, Any] | None = None,
    actor: tuple[str, int | None] | None = None,
    using: str = "default",
) -> AuditEvent | None:
    """Append one event to the chain, in the caller's transaction if there is one."""
    event = Pending(action, model, object_id, digest, details or {}, actor)
    appended = append_all([event], using=using)
    return appended[0] if appended else None


def append_all(pending: list[Pending], using: str = "default") -> list[AuditEvent]:
    """Append events to the chain in this order, locking its head once for all of them."""
    if not _enabled or not pending:
        return []
    # No savepoint inside the caller's transaction: an import or a bulk decision appends
    # thousands of events in one transaction, and on PostgreSQL thousands of subtransactions
    # updating the same head row made every later read of it crawl. A failure here rolls back
    # the caller's write with it, which is what an unlogged write must do anyway.
    with transaction.atomic(using=using, savepoint=False):
        head, head_was_missing = _locked_head(using)
        events, prev_hash, seq = [], head.hash, head.seq
        for item in pending:
            name, user_id = item.actor or current_actor()
            details = json.loads(canonical(item.details))  # stored exactly as it is hashed
            if head_was_missing:
                details["chain_head"] = "missing; rebuilt from the last event"
                head_was_missing = False
            seq += 1
            event = AuditEvent(
                seq=seq,
                at=item.at or clock.now(),
                actor=name[:150],
                user_id=user_id,
                action=item.action,
                model=item.model,
                object_id=str(item.object_id)[:64],
                digest=item.digest,
                details=details,
                prev_hash=prev_hash,
            )
            event.hash = prev_hash = chain_hash(prev_hash, event_content(event))
            events.append(event)
        if len(events) == 1:
            events[0].save(using=using, force_insert=True)
        else:
            AuditEvent.objects.using(using).bulk_create(events)
        head.seq, head.hash = seq, prev_hash
        head.save(using=using, update_fields=["seq", "hash"])
    return events


# ---------------------------------------------------------------------------------------
# Records and their digests


@cache
def tracked_models() -> tuple[type[models.Model], ...]:
    """Models whose rows are tied to the chain by a digest: the documented records."""
    from civwatch.core.records import DocumentedRecord

    return tuple(
        model
        for model in apps.get_models()
        if issubclass(model, DocumentedRecord) and not model._meta.proxy
    )


def is_tracked(model: type[models.Model]) -> bool:
    return model in tracked_models()


def audited_models() -> list[type[models.Model]]:
    """Models whose writes are events: the civwatch apps' and the accounts (users, groups)."""
    user_model = get_user_model()
    group = apps.get_model("auth", "Group")
    found = [
        model
        for model in apps.get_models()
        if model.__module__.startswith("civwatch.")
        and model._meta.app_label != "core"
        and not model._meta.proxy
    ]
    return [*found, user_model, group]


def _columns(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def stored_rows(model: type[models.Model], pk: Any = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pk, {column: value}) as the database holds them: read with plain SQL so that what is
    compared is what an UPDATE changes, before any field conversion (or decryption)."""
    using = router.db_for_read(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = _columns(model)
    pk_column = model._meta.pk.column
    # Only quoted names from the model's own metadata are interpolated; values are parameters.
    table = quote(model._meta.db_table)
    sql = f"SELECT {', '.join(map(quote, columns))} FROM {table}"  # noqa: S608
    params: list[Any] = []
    if pk is not None:
        sql += f" WHERE {quote(pk_column)} = %s"
        params.append(pk)
    position = columns.index(pk_column)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(1000):
            for row in rows:
                yield str(row[position]), dict(zip(columns, row, strict=True))


def row_digest(model: type[models.Model], row: dict[str, Any]) -> str:
    content = {"model": model._meta.label, "row": {k: normalised(v) for k, v in row.items()}}
    return hashlib.sha256(canonical(content)).hexdigest()


def normalised(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict | list):
        return json.loads(canonical(value))
    return plain(value)


def stored_row(model: type[models.Model], pk: Any) -> dict[str, Any] | None:
    return next((row for _, row in stored_rows(model, pk)), None)


def record_digest(instance: models.Model) -> str:
    """The digest of the record's row as stored now ("" if there is no such row)."""
    row = stored_row(type(instance), instance.pk)
    return row_digest(type(instance), row) if row is not None else ""


# ---------------------------------------------------------------------------------------
# Bulk imports: one event per snapshot or list version, with counts


@dataclass
class BulkImport:
    kind: str
    details: dict[str, Any]
    model: str = ""
    object_id: str = ""
    rows: Counter = field(default_factory=Counter)

    def describe(self, record: models.Model | None = None, **details: Any) -> None:
        """Name the import's record (the snapshot, the list version) and add details."""
        if record is not None:
            self.model, self.object_id = record._meta.label, str(record.pk)
        self.details.update(details)


_bulk: ContextVar[BulkImport | None] = ContextVar("audit_bulk", default=None)


@contextmanager
def bulk(kind: str, **details: Any) -> Iterator[BulkImport]:
    """Inside the block, writes to ordinary rows are counted instead of logged one by one;
    documented records still get one event each (their digests tie them to the chain).
    On success the block ends with one "import" event naming the import and its counts."""
    state = BulkImport(kind, dict(details))
    token = _bulk.set(state)
    try:
        yield state
    finally:
        _bulk.reset(token)
    rows = {f"{label} {action}": n for (label, action), n in sorted(state.rows.items())}
    append(
        AuditAction.IMPORT,
        model=state.model,
        object_id=state.object_id,
        details={"kind": kind, **state.details, "row_events": rows},
    )


def _counted(model: type[models.Model], action: str) -> bool:
    state = _bulk.get()
    if state is None or is_tracked(model):
        return False
    state.rows[(model._meta.label, action)] += 1
    return True


# ---------------------------------------------------------------------------------------
# Signal receivers: every write, generically


def _before_save(sender, instance, raw=False, using="default", **kwargs) -> None:
    if not _enabled or instance._state.adding or instance.pk is None:
        return
    instance._audit_before = stored_row(sender, instance.pk)


def _after_save(sender, instance, created, raw=False, using="default", update_fields=None, **kw):
    if not _enabled:
        return
    label = sender._meta.label
    if update_fields and set(update_fields) <= BOOKKEEPING_SAVES.get(label, set()):
        return
    action = AuditAction.CREATE if created else AuditAction.UPDATE
    if _counted(sender, action):
        return
    details: dict[str, Any] = {}
    digest = ""
    if is_tracked(sender):
        after = stored_row(sender, instance.pk) or {}
        digest = row_digest(sender, after) if after else ""
        before = getattr(instance, "_audit_before", None)
        instance._audit_before = None
        if before is not None:
            details["fields"] = sorted(k for k in after if before.get(k) != after.get(k))
            if before.get("status") != after.get("status"):
                action = AuditAction.STATUS
                details["from"], details["to"] = before.get("status"), after.get("status")
        elif "status" in after:
            details["status"] = after["status"]
    elif update_fields:
        details["fields"] = sorted(update_fields)
    append(action, model=label, object_id=instance.pk, digest=digest, details=details, using=using)


def _before_delete(sender, instance, using="default", **kwargs) -> None:
    """Note the documented records this delete will change with SET_NULL / SET_DEFAULT:
    Django updates them without signals, and their digests must follow."""
    if not _enabled:
        return
    touched = []
    for relation in sender._meta.related_objects:
        if not is_tracked(relation.related_model) or not relation.on_delete:
            continue
        if relation.on_delete in (models.CASCADE, models.PROTECT, models.DO_NOTHING):
            continue
        if getattr(models, "RESTRICT", None) is relation.on_delete:
            continue
        pks = relation.related_model._base_manager.using(using).filter(
            **{relation.field.name: instance.pk}
        )
        touched += [(relation.related_model, pk) for pk in pks.values_list("pk", flat=True)]
    instance._audit_touched = touched


def _after_delete(sender, instance, using="default", **kwargs) -> None:
    if not _enabled or _counted(sender, AuditAction.DELETE):
        return
    append(AuditAction.DELETE, model=sender._meta.label, object_id=instance.pk, using=using)
    for model, pk in getattr(instance, "_audit_touched", ()):
        row = stored_row(model, pk)
        if row is None:
            continue
        details = {"reason": f"{sender._meta.label} #{instance.pk} deleted"}
        append(
            AuditAction.UPDATE,
            model=model._meta.label,
            object_id=pk,
            digest=row_digest(model, row),
            details=details,
            using=using,
        )


def _m2m_changed(sender, instance, action, reverse, model, pk_set, using="default", **kwargs):
    if not _enabled or not action.startswith("post_"):
        return
    owner = type(instance)
    if _counted(owner, AuditAction.UPDATE):
        return
    relation = next(
        (
            f.name
            for f in owner._meta.get_fields()
            if f.many_to_many
            and (getattr(f, "through", None) or getattr(f.remote_field, "through", None)) is sender
        ),
        sender._meta.label,
    )
    details = {"relation": relation, "change": action[5:], "count": len(pk_set or ())}
    digest = record_digest(instance) if is_tracked(owner) else ""
    append(
        AuditAction.UPDATE,
        model=owner._meta.label,
        object_id=instance.pk,
        digest=digest,
        details=details,
        using=using,
    )


def _logged_in(sender, request, user, **kwargs) -> None:
    append(AuditAction.LOGIN, actor=user_actor(user))


def _logged_out(sender, request, user, **kwargs) -> None:
    append(AuditAction.LOGOUT, actor=user_actor(user))


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The name typed may be a person's real name or a mistyped password: keep only a keyed
    # hash, enough to see repeated attempts on one name, useless without the server's key.
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or "")
    details = {}
    if username:
        hashed = salted_hmac("civwatch.audit.login_failed", username.casefold())
        details["username_hmac"] = hashed.hexdigest()[:32]
    append(AuditAction.LOGIN_FAILED, actor=("anonymous", None), details=details)


def connect() -> None:
    """Connect the receivers (from CoreConfig.ready)."""
    for model in audited_models():
        uid = f"civwatch.audit.{model._meta.label}"
        if is_tracked(model):
            pre_save.connect(_before_save, sender=model, weak=False, dispatch_uid=uid)
        post_save.connect(_after_save, sender=model, weak=False, dispatch_uid=uid)
        pre_delete.connect(_before_delete, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(_after_delete, sender=model, weak=False, dispatch_uid=uid)
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            m2m_changed.connect(
                _m2m_changed, sender=through, weak=False, dispatch_uid=f"{uid}.{m2m.name}"
            )
    user_logged_in.connect(_logged_in, weak=False, dispatch_uid="civwatch.audit.login")
    user_logged_out.connect(_logged_out, weak=False, dispatch_uid="civwatch.audit.logout")
    user_login_failed.connect(_login_failed, weak=False, dispatch_uid="civwatch.audit.failed")


def disconnect() -> None:
    for model in audited_models():
        uid = f"civwatch.audit.{model._meta.label}"
        for signal in (pre_save, post_save, pre_delete, post_delete):
            signal.disconnect(sender=model, dispatch_uid=uid)
        for m2m in model._meta.many_to_many:
            m2m_changed.disconnect(
                sender=m2m.remote_field.through, dispatch_uid=f"{uid}.{m2m.name}"
            )
    user_logged_in.disconnect(dispatch_uid="civwatch.audit.login")
    user_logged_out.disconnect(dispatch_uid="civwatch.audit.logout")
    user_login_failed.disconnect(dispatch_uid="civwatch.audit.failed")


# ---------------------------------------------------------------------------------------
# Explicit events: exports and confidential reads


def _param(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_param(v) for v in value][:20]
    return str(value)[:200]


def record_export(user: Any, kind: str, params: dict[str, Any] | None = None) -> None:
    """An export was written (`civwatch export KIND`, a published file): who, which, how."""
    kept = {k: _param(v) for k, v in (params or {}).items() if k not in COMMAND_OPTIONS}
    who = user_actor(user) if user is not None else None
    if who is not None and who[1] is None:
        who = None  # not an account: the process's actor (cli:USER, system) says who
    append(AuditAction.EXPORT, details={"kind": kind, "params": kept}, actor=who)


# A request's confidential reads, by (actor, record label, id): a staff page reads one record
# in several places (its page, its form, a move's check), and each read was three statements
# and, outside a transaction, a commit. The middleware appends them as one event per record
# with the union of the fields, in one locked append, before the response leaves.
_request_reads: ContextVar[dict[tuple, Pending] | None] = ContextVar("audit_reads", default=None)


def record_read(user: Any, record: models.Model, fields: Iterable[str] = ()) -> None:
    """`user` read a confidential record, or these confidential fields of it (names only)."""
    who = user_actor(user) if user is not None else None
    actor = who if who and who[1] is not None else None
    label, names = record._meta.label, set(fields)
    reads = _request_reads.get()
    if reads is None:  # a command, a job, a streamed body: logged at once
        append(AuditAction.READ, model=label, object_id=record.pk,
               details={"fields": sorted(names)}, actor=actor)  # fmt: skip
        return
    key = (actor or current_actor(), label, str(record.pk))
    if key in reads:
        reads[key].details["fields"] = sorted(names.union(reads[key].details["fields"]))
    else:
        reads[key] = Pending(AuditAction.READ, label, record.pk, "", {"fields": sorted(names)},
                             key[0], clock.now())  # fmt: skip


def _flush_reads() -> None:
    reads = _request_reads.get()
    if reads:
        pending = list(reads.values())
        reads.clear()
        append_all(pending)


def record_updates(model: type[models.Model], pks: Iterable[Any], **details: Any) -> int:
    """Log rows of `model` changed without model signals (QuerySet.update, bulk_update,
    raw SQL in a migration or `keys rotate`): one event each, with the new digest for a
    documented record. Returns how many rows were found."""
    label, count = model._meta.label, 0
    for pk in pks:
        row = stored_row(model, pk)
        if row is None:
            continue
        digest = row_digest(model, row) if is_tracked(model) else ""
        append(AuditAction.UPDATE, model=label, object_id=pk, digest=digest, details=details)
        count += 1
    return count


def baseline() -> int:
    """Record the current digest of every documented record that has no event yet (rows
    written before the audit log existed); return how many. Run once after upgrading."""
    known = set(
        AuditEvent.objects.filter(
            models.Q(action=AuditAction.DELETE) | ~models.Q(digest="")
        ).values_list("model", "object_id")
    )
    count = 0
    with transaction.atomic():
        for model in tracked_models():
            label = model._meta.label
            for pk, row in list(stored_rows(model)):
                if (label, pk) in known:
                    continue
                digest = row_digest(model, row)
                append(AuditAction.BASELINE, model=label, object_id=pk, digest=digest)
                count += 1
    return count


# ---------------------------------------------------------------------------------------
# Verification


@dataclass
class Problem:
    message: str
    seq: int | None = None
    model: str = ""
    object_id: str = ""


@dataclass
class Verification:
    events: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    records: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _original_position(event: AuditEvent) -> int | None:
    """The seq at which this (intact) content was first written, if it now sits elsewhere."""
    candidates = []
    successor = AuditEvent.objects.filter(prev_hash=event.hash).values_list("seq", flat=True)
    candidates += [seq - 1 for seq in successor]
    predecessor = AuditEvent.objects.filter(hash=event.prev_hash).values_list("seq", flat=True)
    candidates += [seq + 1 for seq in predecessor]
    if event.prev_hash == GENESIS:
        candidates.append(1)
    for seq in candidates:
        content = {**event_content(event), "seq": seq}
        if seq != event.seq and chain_hash(event.prev_hash, content) == event.hash:
            return seq
    return None


def verify(checkpoint: dict[str, Any] | None = None) -> Verification:
    """Recompute the chain and every documented record's digest; list what does not match.

    `checkpoint` (already signature-checked, see `check_checkpoint`) adds: the event it
    names must still be there with the same hash."""
    result = Verification()
    last_record_event: dict[tuple[str, str], AuditEvent] = {}
    try:
        _verify_chain(result, last_record_event)
    except (ValueError, TypeError, ValidationError):
        # A column rewritten with something that is not a date or a number, say.
        result.problems.append(
            Problem(
                f"the event after #{result.last_seq} cannot be read: a value in it was "
                "replaced directly in the database",
                result.last_seq + 1,
            )
        )
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (result.last_seq, result.last_hash):
        result.problems.append(
            Problem(
                f"the chain head names event #{head.seq} but the last event is "
                f"#{result.last_seq}: events at the end were removed or changed",
                head.seq,
            )
        )
    elif head is None and result.events:
        result.problems.append(Problem("the chain head row is missing"))
    if checkpoint is not None:
        result.problems += _against_checkpoint(checkpoint)
    result.problems += _check_records(last_record_event, result)
    return result


def _verify_chain(result: Verification, last_record_event: dict) -> None:
    expected_seq, prev_hash = 1, GENESIS
    tracked_labels = {model._meta.label for model in tracked_models()}
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        result.events += 1
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                gap = f"#{expected_seq}" + (
                    f" to #{event.seq - 1}" if event.seq - 1 > expected_seq else ""
                )
                result.problems.append(Problem(f"events {gap} are missing (removed)", event.seq))
            else:
                result.problems.append(Problem(f"event #{event.seq} is out of sequence"))
        if chain_hash(event.prev_hash, event_content(event)) != event.hash:
            original = _original_position(event)
            if original is not None:
                message = (
                    f"event #{event.seq} holds the content of event #{original}: "
                    "events were reordered"
                )
            else:
                message = f"event #{event.seq} was changed: its hash does not match its content"
            result.problems.append(Problem(message, event.seq, event.model, event.object_id))
        elif event.prev_hash != prev_hash and event.seq == expected_seq:
            result.problems.append(
                Problem(
                    f"event #{event.seq} does not follow event #{event.seq - 1}: an event "
                    "before it was removed or replaced",
                    event.seq,
                )
            )
        prev_hash, expected_seq = event.hash, event.seq + 1
        result.last_seq, result.last_hash = event.seq, event.hash
        if event.model in tracked_labels and (event.digest or event.action == "delete"):
            last_record_event[(event.model, event.object_id)] = event


def _against_checkpoint(checkpoint: dict[str, Any]) -> list[Problem]:
    seq, digest = int(checkpoint["seq"]), checkpoint["hash"]
    if seq == 0:
        return []
    event = AuditEvent.objects.filter(seq=seq).first()
    if event is None:
        last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        if last < seq:
            return [
                Problem(
                    f"the checkpoint names event #{seq} but the log ends at #{last}: "
                    "events at the end were removed",
                    seq,
                )
            ]
        return [Problem(f"event #{seq} named by the checkpoint is missing", seq)]
    if event.hash != digest:
        return [
            Problem(
                f"event #{seq} is not the one the checkpoint signed: the history up to it "
                "was rewritten",
                seq,
            )
        ]
    return []


def _check_records(
    last_event: dict[tuple[str, str], AuditEvent], result: Verification
) -> list[Problem]:
    problems = []
    for model in tracked_models():
        label = model._meta.label
        for pk, row in stored_rows(model):
            result.records += 1
            event = last_event.pop((label, pk), None)
            if event is None:
                problems.append(
                    Problem(
                        f"{label} #{pk} has no audit event: written directly in the database "
                        "(or before the audit log existed: `civwatch audit baseline`)",
                        None,
                        label,
                        pk,
                    )
                )
            elif event.action == AuditAction.DELETE:
                problems.append(
                    Problem(
                        f"{label} #{pk} was deleted (event #{event.seq}) but is in the database",
                        event.seq,
                        label,
                        pk,
                    )
                )
            elif event.digest != row_digest(model, row):
                problems.append(
                    Problem(
                        f"{label} #{pk} was changed outside civwatch: its content no longer "
                        f"matches event #{event.seq}",
                        event.seq,
                        label,
                        pk,
                    )
                )
    for (label, pk), event in sorted(last_event.items()):
        if event.action != AuditAction.DELETE:
            problems.append(
                Problem(
                    f"{label} #{pk} is missing: deleted outside civwatch "
                    f"(its last event is #{event.seq})",
                    event.seq,
                    label,
                    pk,
                )
            )
    return problems


# ---------------------------------------------------------------------------------------
# Signed checkpoints (Ed25519)


def _key_bytes(text: str, what: str) -> bytes:
    text = text.strip()
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != 32:
        raise UserError(f"{what}: expected 32 bytes in hex or base64")
    return raw


def signing_key(environ: dict[str, str] | None = None):
    """The Ed25519 private key from CIVWATCH_AUDIT_SIGNING_KEY(_FILE), or a UserError."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    environ = os.environ if environ is None else environ
    text = environ.get("CIVWATCH_AUDIT_SIGNING_KEY", "")
    what = "CIVWATCH_AUDIT_SIGNING_KEY"
    if not text and environ.get("CIVWATCH_AUDIT_SIGNING_KEY_FILE"):
        path = Path(environ["CIVWATCH_AUDIT_SIGNING_KEY_FILE"])
        what = str(path)
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"{path}: cannot read the signing key ({error})") from None
    if not text:
        raise UserError(
            "No signing key: set CIVWATCH_AUDIT_SIGNING_KEY or CIVWATCH_AUDIT_SIGNING_KEY_FILE "
            "(`civwatch audit keygen` makes one)."
        )
    return Ed25519PrivateKey.from_private_bytes(_key_bytes(text, what))


def public_key_text(private_key) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def trusted_public_key(given: str = "", environ: dict[str, str] | None = None):
    """The key checkpoints must be signed with: given, CIVWATCH_AUDIT_PUBLIC_KEY, or the
    public half of the configured signing key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    environ = os.environ if environ is None else environ
    text = given or environ.get("CIVWATCH_AUDIT_PUBLIC_KEY", "")
    if text:
        return Ed25519PublicKey.from_public_bytes(_key_bytes(text, "public key"))
    return signing_key(environ).public_key()


def keygen() -> tuple[str, str]:
    """A new key pair: (private seed, public key), both base64."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(seed).decode("ascii"), public_key_text(key)


def make_checkpoint(private_key) -> dict[str, Any]:
    """A signed statement of the chain's last event (seq and hash), to keep off this server."""
    last = AuditEvent.objects.order_by("-seq").first()
    payload = {
        "format": CHECKPOINT_FORMAT,
        "seq": last.seq if last else 0,
        "hash": last.hash if last else GENESIS,
        "event_at": plain(last.at) if last else None,
        "signed_at": plain(timezone.now()),
        "public_key": public_key_text(private_key),
    }
    signature = private_key.sign(canonical(payload))
    return {**payload, "signature": base64.b64encode(signature).decode("ascii")}


def check_checkpoint(data: Any, public_key) -> dict[str, Any]:
    """The checkpoint's payload if its signature is valid for `public_key`; else UserError."""
    from cryptography.exceptions import InvalidSignature

    if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
        raise UserError("not a civwatch audit checkpoint")
    payload = {k: v for k, v in data.items() if k != "signature"}
    try:
        signature = base64.b64decode(str(data.get("signature", "")), validate=True)
        int(payload["seq"]), str(payload["hash"])
        public_key.verify(signature, canonical(payload))
    except (InvalidSignature, binascii.Error, ValueError, KeyError, TypeError):
        raise UserError(
            "the checkpoint's signature is not valid for the trusted public key "
            "(signed with another key, or edited)"
        ) from None
    return payload
