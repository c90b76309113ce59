"""Retention: a decided initiative does not keep what could lead to its submitter for ever.

A drop box that keeps everything becomes, in time, a list of who organised what, waiting for a
search or a leak. Once an initiative is decided (supported or declined) and both the decision
and the action's date lie more than CIVWATCH_INITIATIVE_RETENTION_DAYS in the past, `civwatch
initiatives purge` erases its traces of the submitter:
- the organisers' contact;
- the questions and answers exchanged with the submitter;
- the receipt code (its hash is replaced by a random value: the code stops working);
- the exact address, unless the organisers chose to publish it and the initiative is public;
- the attachments' originals (the files as uploaded, with their metadata): each file is
  destroyed (civwatch.evidence.ingest.destroy_file), the evidence item and its custody log
  stay with a "file destroyed" event. The working copies without metadata stay.
What documents the action stays: kind, city, date, description, the decision, the support
given and the outcome. An editor can put an initiative on legal hold (a court case, a
complaint in progress): held initiatives are not purged, and the report lists those due.

Copies in backups taken before the purge still hold the erased values (encrypted under the
master key); they leave with the backups' own rotation (docs/operations.md).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from civwatch.evidence.ingest import destroy_file
from civwatch.initiatives.models import DECIDED, Initiative


def due(today: datetime.date | None = None) -> QuerySet[Initiative]:
    """Decided initiatives whose decision and action both lie beyond the retention period
    and whose traces are not erased yet, held ones included."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=settings.CIVWATCH_INITIATIVE_RETENTION_DAYS)
    return Initiative.objects.filter(
        status__in=DECIDED, erased_on__isnull=True, decided_on__lte=cutoff, date__lte=cutoff
    )


def erase_traces(initiative: Initiative, today: datetime.date) -> None:
    """Erase what could lead to the submitter (the module's list), in one transaction."""
    with transaction.atomic():
        initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
        initiative.organisers_contact = ""
        if not (initiative.address_public and initiative.is_public()):
            initiative.address = ""
        # No code hashes to a random value: the old code now finds nothing.
        initiative.receipt_hash = secrets.token_hex(32)
        initiative.erased_on = today
        initiative.save()
        initiative.messages.all().delete()
        note = f"initiative #{initiative.pk}: retention period over"
        for attachment in initiative.attachments.select_related("original"):
            if attachment.original.file_path:
                destroy_file(attachment.original, None, note)


@dataclass
class PurgeReport:
    erased: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)


def purge(today: datetime.date | None = None) -> PurgeReport:
    """Erase the submitter's traces of every initiative due, except those on legal hold."""
    today = today or timezone.localdate()
    report = PurgeReport()
    for initiative in due(today).order_by("pk"):
        if initiative.legal_hold:
            report.held.append(initiative.pk)
        else:
            erase_traces(initiative, today)
            report.erased.append(initiative.pk)
    return report
