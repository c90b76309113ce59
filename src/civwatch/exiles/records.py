"""What is done to a whole file: erasure (crypto-shredding), retention, the subject's export."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civwatch.core import audit
from civwatch.core.errors import UserError
from civwatch.core.params import MAX_DB_INT
from civwatch.exiles import keystore
from civwatch.exiles.models import ExileFile, HelpRequest, RequestState


def file_number(pk: Any) -> int:
    """A file number typed on the command line, or UserError (never a database error)."""
    text = str(pk).strip()
    if not text.isdigit() or not 0 < int(text) <= MAX_DB_INT:
        raise UserError(f"“{pk}” is not an exile file number.")
    return int(text)


def erase(pk: Any) -> None:
    """Erase a file: destroy its key, then delete its rows (UserError when on legal hold).

    The key goes first, inside the transaction deleting the rows: if the commit then failed,
    the rows left behind could no longer be read (erased in effect, removed by the next
    `purge`); the other order could leave a readable file behind a crash."""
    pk = file_number(pk)
    with transaction.atomic():
        record = ExileFile.objects.select_for_update().filter(pk=pk).first()
        if record is None:
            raise UserError(f"There is no exile file #{pk}.")
        if record.legal_hold:
            raise UserError(
                f"Exile file #{pk} is on legal hold: it cannot be erased until an admin "
                f"lifts the hold."
            )
        key_ref = record.key_ref
        record.delete()  # support actions and consents go with it (CASCADE); each is audited
        keystore.destroy(key_ref)


@dataclass
class PurgeReport:
    erased: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    keyless: list[int] = field(default_factory=list)  # rows whose key was already destroyed
    orphan_keys: int = 0
    requests_erased: list[int] = field(default_factory=list)
    requests_keyless: list[int] = field(default_factory=list)


def purge(today: datetime.date | None = None) -> PurgeReport:
    """Erase every closed file whose retention period has run out (not those on legal hold)
    and every helpline request closed longer than its retention; remove rows whose key is gone
    (brought back by restoring a backup older than their erasure) and keys that nothing names
    (left by a failed creation). Files and helpline requests share the key store."""
    today = today or timezone.localdate()
    report = PurgeReport()
    for pk in ExileFile.objects.due_for_erasure(today).values_list("pk", flat=True):
        erase(pk)
        report.erased.append(pk)
    report.held = list(
        ExileFile.objects.filter(
            state="closed", legal_hold=True, erase_after__lte=today
        ).values_list("pk", flat=True)
    )
    cutoff = timezone.now() - datetime.timedelta(days=settings.CIVWATCH_HELPLINE_RETENTION_DAYS)
    for request in HelpRequest.objects.filter(state=RequestState.CLOSED, closed_at__lte=cutoff):
        key_ref = request.key_ref
        report.requests_erased.append(request.pk)
        request.delete()
        keystore.destroy(key_ref)
    present = keystore.references()
    if not present and (ExileFile.objects.exists() or HelpRequest.objects.exists()):
        # No key at all while files exist: the key store is missing (not mounted, wrong
        # CIVWATCH_EXILE_KEYS), not a set of erasures. Deleting every file would be a disaster.
        raise UserError(
            f"The exile key store {keystore.folder()} holds no keys while files or helpline "
            f"requests exist: check CIVWATCH_EXILE_KEYS. Nothing was purged beyond the files "
            f"and requests due."
        )
    with transaction.atomic():
        for model, found in ((ExileFile, report.keyless), (HelpRequest, report.requests_keyless)):
            for pk, key_ref in model.objects.values_list("pk", "key_ref"):
                if key_ref not in present:
                    model.objects.filter(pk=pk).delete()
                    found.append(pk)
    named = set(ExileFile.objects.values_list("key_ref", flat=True))
    named |= set(HelpRequest.objects.values_list("key_ref", flat=True))
    day_ago = timezone.now().timestamp() - 86400
    for key_ref in present - named:
        path = keystore.folder() / f"{key_ref}.key"
        # A day's grace: a file being created right now has its key before its row commits.
        if path.stat().st_mtime < day_ago:
            keystore.destroy(key_ref)
            report.orphan_keys += 1
    return report


def subject_export(record: ExileFile, user: Any = None) -> dict[str, Any]:
    """Everything the file holds about its person, for that person (a subject-access request).

    Caseworkers' user names are left out: the person gets their data, not the staff list."""
    audit.record_export(user, "exile-subject", {"file": record.pk})
    return {
        "format": "civwatch-exile-subject/1",
        "file": record.pk,
        "exported_on": timezone.localdate().isoformat(),
        "name": record.name,
        "contact": record.contact,
        "country": record.country,
        "city": record.city,
        "status_of_stay": record.stay_status,
        "needs": record.needs,
        "notes": record.notes,
        "state": record.state,
        "opened_on": record.opened_on.isoformat(),
        "closed_on": record.closed_on.isoformat() if record.closed_on else None,
        "erase_after": record.erase_after.isoformat() if record.erase_after else None,
        "review_on": record.review_on.isoformat() if record.review_on else None,
        "legal_hold": record.legal_hold,
        "support": [
            {
                "kind": a.kind,
                "amount": str(a.amount) if a.amount is not None else None,
                "currency": a.currency or None,
                "decided_on": a.decided_on.isoformat(),
                "provided_on": a.provided_on.isoformat() if a.provided_on else None,
                "description": a.description,
                "outcome": a.outcome,
            }
            for a in record.supportactions.all()
        ],
        "consents": [
            {
                "scope": c.scope,
                "purposes": c.purposes,
                "method": c.method,
                "given_on": c.given_on.isoformat(),
                "expires_on": c.expires_on.isoformat() if c.expires_on else None,
            }
            for c in record.consents.all()
        ],
    }


def subject_pdf(data: dict[str, Any]) -> bytes:
    """The subject export as a PDF (one template, WeasyPrint, as accountability dossiers)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML  # imported here: loading Pango is slow and only PDFs need it

    return HTML(string=render_to_string("exiles/subject.html", {"d": data})).write_pdf()
