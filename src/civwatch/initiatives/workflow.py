"""What happens to an initiative: submission, review, support, outcome, publication.

Every function here writes through the models' save(), so the audit log records each write
like any other (civwatch.core.audit); who may call which is decided by the views through
civwatch.accounts.permissions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civwatch.core.errors import UserError
from civwatch.core.uploads import IMAGE_TYPES, sniff_media_type
from civwatch.evidence.ingest import add_evidence
from civwatch.evidence.models import CustodyEvent, EvidenceItem
from civwatch.initiatives import receipts, sanitise
from civwatch.initiatives.models import DECIDED, Attachment, Initiative, Message, SupportAction

ATTACHMENT_TYPES = ("application/pdf", *IMAGE_TYPES)
MAX_ATTACHMENTS = 5
Status = Initiative.Status
# The review moves: (from, to). A declined initiative may be looked at again.
TRANSITIONS = {
    (Status.RECEIVED, Status.UNDER_REVIEW),
    (Status.UNDER_REVIEW, Status.SUPPORTED),
    (Status.UNDER_REVIEW, Status.DECLINED),
    (Status.DECLINED, Status.UNDER_REVIEW),
}
SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


@dataclass
class Submitted:
    initiative: Initiative
    code: str  # shown once to the submitter, never stored
    attachments: list[Attachment]


def check_attachment(name: str, data: bytes) -> str:
    """The media type of an attachment (images and PDFs only), by the one upload validator."""
    return sniff_media_type(name, data, ATTACHMENT_TYPES)


def submit(*, uploads: list[tuple[str, bytes]] = (), **fields: Any) -> Submitted:
    """Store a citizen's initiative and its attachments; the receipt code to give them."""
    uploads = list(uploads)
    if len(uploads) > MAX_ATTACHMENTS:
        raise UserError(_("At most %(count)s files may be attached.") % {"count": MAX_ATTACHMENTS})
    types = [check_attachment(name, data) for name, data in uploads]
    today = timezone.localdate()
    created_files: list = []
    try:
        with transaction.atomic():
            initiative = Initiative(submitted_on=today, **fields)
            code = _save_with_new_code(initiative)
            attachments = [
                _attach(initiative, n, name, data, media_type, today, created_files)
                for n, ((name, data), media_type) in enumerate(zip(uploads, types, strict=True), 1)
            ]
    except BaseException:
        from civwatch.evidence.storage import storage

        for path in created_files:
            storage().remove(path)
        raise
    return Submitted(initiative, code, attachments)


def _save_with_new_code(initiative: Initiative) -> str:
    for _attempt in range(3):  # a collision of 160-bit codes will not happen; be exact anyway
        code = receipts.new_code()
        initiative.receipt_hash = receipts.code_hash(code)
        try:
            with transaction.atomic():
                initiative.save()
        except IntegrityError:
            initiative.pk = None
            continue
        return code
    raise RuntimeError("no unique receipt code")


def _attach(
    initiative: Initiative,
    number: int,
    name: str,
    data: bytes,
    media_type: str,
    today: Any,
    created_files: list,
) -> Attachment:
    common = {
        "kind": EvidenceItem.Kind.FILE,
        "source": "citizens' initiative form",
        "obtained_on": today,
        "created_files": created_files,
        "media_type": media_type,
    }
    # Neither copy keeps the submitter's file name: it may name them, or date the photo.
    neutral = f"initiative-{initiative.pk}-{number}"
    original = add_evidence(
        user=None,
        name=f"{neutral}-original{SUFFIXES[media_type]}",
        data=data,
        title=f"Initiative #{initiative.pk}, attachment {number} (original)",
        obtained_how=f"uploaded with initiative #{initiative.pk}",
        visibility="confidential",
        **common,
    )
    cleaned = sanitise.clean(name, media_type, data)
    working = add_evidence(
        user=None,
        name=f"{neutral}{SUFFIXES[media_type]}",
        data=cleaned.data,
        title=f"Initiative #{initiative.pk}, attachment {number} (working copy)",
        obtained_how=f"metadata removed from evidence item #{original.pk}",
        visibility="internal",
        **common,
    )
    original.log(CustodyEvent.Action.DERIVED, None, f"copy without metadata: item #{working.pk}")
    return Attachment.objects.create(
        initiative=initiative, original=original, working=working, metadata_found=cleaned.found
    )


def find(code: str) -> Initiative | None:
    """The initiative a receipt code belongs to, or None."""
    hashes = receipts.candidate_hashes(code)
    return Initiative.objects.filter(receipt_hash__in=hashes).first() if hashes else None


@dataclass(frozen=True)
class SubmitterView:
    """What the submitter sees with their code, on the status page and in the API: the
    decision only once there is one, the support given, the questions, what was removed from
    their files."""

    initiative: Initiative
    decided_on: datetime.date | None
    decision_reason: str
    supports: list[SupportAction]
    exchange: list[Message]
    can_answer: bool
    attachments: list[list[str]]


def submitter_view(initiative: Initiative) -> SubmitterView:
    decided = initiative.is_decided()
    exchange = list(initiative.messages.all())
    return SubmitterView(
        initiative=initiative,
        decided_on=initiative.decided_on if decided else None,
        decision_reason=initiative.decision_reason if decided else "",
        supports=list(initiative.support_actions.all()),
        exchange=exchange,
        can_answer=any(m.sender == Message.Sender.STAFF for m in exchange),
        attachments=[sanitise.labels(a.metadata_found) for a in initiative.attachments.all()],
    )


def move(initiative: Initiative, user: Any, to: str, reason: str = "") -> None:
    if (initiative.status, to) not in TRANSITIONS:
        raise UserError(
            _("An initiative that is “%(status)s” cannot become “%(to)s”.")
            % {"status": initiative.get_status_display(), "to": Status(to).label}
        )
    if to == Status.DECLINED and not reason.strip():
        raise UserError(_("Say why the initiative is declined: the submitter will read it."))
    initiative.status = to
    if to in DECIDED:
        initiative.decided_on = timezone.localdate()
        initiative.decided_by = user
        initiative.decision_reason = reason.strip()
    if to != Status.SUPPORTED:
        initiative.published = False
    initiative.save()


def ask(initiative: Initiative, user: Any, text: str) -> Message:
    return Message.objects.create(
        initiative=initiative,
        sender=Message.Sender.STAFF,
        text=text.strip(),
        sent_on=timezone.localdate(),
        author=user,
    )


def answer(initiative: Initiative, text: str) -> Message:
    if not initiative.messages.filter(sender=Message.Sender.STAFF).exists():
        raise UserError(_("There is no question to answer yet."))
    return Message.objects.create(
        initiative=initiative,
        sender=Message.Sender.SUBMITTER,
        text=text.strip(),
        sent_on=timezone.localdate(),
    )


def _require_supported(initiative: Initiative) -> None:
    if initiative.status != Status.SUPPORTED:
        raise UserError(_("Only a supported initiative has support, an outcome or a public page."))


def add_support(initiative: Initiative, user: Any, kind: str, note: str = "") -> SupportAction:
    _require_supported(initiative)
    return SupportAction.objects.create(
        initiative=initiative,
        kind=kind,
        note=note.strip(),
        decided_on=timezone.localdate(),
        created_by=user,
    )


def record_outcome(
    initiative: Initiative, outcome: str, note: str = "", incident: Any = None
) -> None:
    _require_supported(initiative)
    initiative.outcome, initiative.outcome_note, initiative.incident = outcome, note, incident
    initiative.save()


def publish(initiative: Initiative, published: bool) -> None:
    if published:
        _require_supported(initiative)
    initiative.published = published
    initiative.save()


def hold(initiative: Initiative, held: bool) -> None:
    """Put the initiative on legal hold (its submitter's traces outlive the retention period:
    initiatives.retention) or lift the hold."""
    initiative.legal_hold = held
    initiative.save()
