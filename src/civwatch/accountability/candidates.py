"""Candidates from an external list: persons a list tags as organisers of repressions.

A candidate is only a starting point: it has no act and can reach the public list only
through the same gate as any entry (documented acts, two independent verified sources each,
an editor other than the author).
"""

from typing import Any

from django.db import transaction

from civwatch.accountability.models import Entry, EntryStatus
from civwatch.core.errors import UserError
from civwatch.sanctions.acf import REPRESSIONS_TAG
from civwatch.sanctions.models import Dataset, ListEntry


@transaction.atomic
def load_candidates(dataset: str, tag: str = REPRESSIONS_TAG, *, user: Any) -> tuple[int, int]:
    """Create a candidate entry per present list entry with the tag, authored by `user` (the
    importer counts as the author at the gate); return (added, already on the list)."""
    if user is None:
        raise UserError("Candidates need an author (the user loading them).")
    if not Dataset.objects.filter(slug=dataset).exists():
        raise UserError(f"No dataset “{dataset}”: import it first (civwatch import ...).")
    rows = ListEntry.objects.filter(dataset_id=dataset, present=True).select_related("entity")
    tagged = [row for row in rows.order_by("source_id") if tag in row.tags]
    if not tagged:
        raise UserError(f"No entry of “{dataset}” has the tag “{tag}”.")
    taken = set(Entry.objects.values_list("entity_id", flat=True))
    added = 0
    for row in tagged:
        if row.entity_id in taken:
            continue
        entry = Entry(
            entity=row.entity, status=EntryStatus.CANDIDATE, origin=dataset,
            origin_ref=row.source_id, internal_notes=f"{dataset}: {row.description}",
            created_by=user,
        )  # fmt: skip
        entry.save_with_history(user, note=f"candidate from {dataset} ({tag})")
        taken.add(row.entity_id)
        added += 1
    return added, len(tagged) - added
