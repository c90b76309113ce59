"""Record every change to a screened list (civwatch.screening.models.ListsChange).

One row per writing transaction, not per saved object: an import saving ten thousand rows adds
one. Bulk writes (bulk_create, bulk_update, QuerySet.update) send no signals; the imports that
use them also create a register Snapshot or a DatasetVersion, which do.

A committed change also enqueues the job that builds the index of every list in the
background (civwatch.screening.index_file), once per transaction.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from civwatch.screening.index_file import schedule_build
from civwatch.screening.models import ListsChange


def _written() -> None:
    """Marks a transaction that already recorded its change (never does anything itself)."""


def record_change(using: str = "default") -> None:
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        # A rolled-back savepoint drops both the row and this marker: they stay in step.
        if any(callback is _written for _, callback, _ in connection.run_on_commit):
            return
        transaction.on_commit(_written, using=using)
    # bulk_create sends no signals: the audit log (core.audit) records the list's change
    # itself, not this bookkeeping row.
    ListsChange.objects.using(using).bulk_create([ListsChange()])
    # Once the change is committed, the worker builds the new index (index_file), once per
    # transaction: forget_recorded drops the marker above, never this callback. A failure to
    # enqueue is logged, not raised: the change is committed and web processes build the
    # index themselves when there is no file.
    if not any(callback is schedule_build for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(schedule_build, using=using, robust=True)


def forget_recorded(using: str = "default") -> None:
    """After a reader has seen the current version inside a transaction, the next change
    in that transaction must add a row again, or the reader would not see it."""
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        connection.run_on_commit = [c for c in connection.run_on_commit if c[1] is not _written]


def _changed(sender, using="default", **kwargs) -> None:
    record_change(using)


def connect() -> None:
    from civwatch.accountability.models import Entry
    from civwatch.entities.models import Entity, EntityName, Identifier, Website
    from civwatch.registers.models import Designation, Register, Snapshot
    from civwatch.sanctions.models import Dataset, DatasetVersion, Link, ListEntry

    watched = [Entity, EntityName, Identifier, Website, Register, Designation, Snapshot,
               Dataset, DatasetVersion, ListEntry, Link, Entry]  # fmt: skip
    for model in watched:
        uid = f"screening-lists-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid)
    m2m_changed.connect(
        _changed, sender=Entity.members.through, dispatch_uid="screening-lists-members"
    )
