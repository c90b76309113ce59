"""Review before publication: who may move a record from which status to which."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from civwatch.accounts import permissions
from civwatch.accounts.models import has_role
from civwatch.cases.records import DocumentedRecord, ReviewStatus
from civwatch.core.errors import UserError

S = ReviewStatus
# (from, to) -> the least role that may make the move.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.IN_REVIEW): "contributor",
    (S.IN_REVIEW, S.DRAFT): "contributor",
    (S.IN_REVIEW, S.VERIFIED): "editor",
    (S.VERIFIED, S.PUBLISHED): "editor",
    (S.PUBLISHED, S.WITHDRAWN): "editor",
    (S.PUBLISHED, S.CORRECTED): "editor",
    (S.CORRECTED, S.CORRECTED): "editor",
    (S.CORRECTED, S.WITHDRAWN): "editor",
}
NEEDS_NOTE = {S.WITHDRAWN, S.CORRECTED}


def allowed_moves(record: DocumentedRecord, user: Any) -> list[str]:
    moves = moves_for(TRANSITIONS, record.status, user)
    return [to for to in moves if permissions.can_move(user, record, to)]


def moves_for(transitions: dict[tuple[str, str], str], status: str, user: Any) -> list[str]:
    """The statuses the user may move a record to from `status`, given each move's least role
    (the cases' review workflow and the accountability list share this)."""
    return [to for (frm, to), role in transitions.items() if frm == status and has_role(user, role)]


def move(record: DocumentedRecord, to: str, user: Any, note: str = "") -> None:
    """Change the review status, or raise UserError saying why not; the move is in the history."""
    role = TRANSITIONS.get((record.status, to))
    if role is None:
        raise UserError(_("A record cannot go from “%(from)s” to “%(to)s”.") % {
            "from": record.status, "to": to})  # fmt: skip
    if not has_role(user, role):
        raise UserError(_("Only a %(role)s may do this.") % {"role": role})
    if not permissions.can_move(user, record, to):
        # The role suffices but the record is not theirs (pages and the API answer 403 or 404
        # before getting here; this holds for every other caller too).
        raise UserError(_("Only the record's author, an assignee or an editor may do this."))
    if to in NEEDS_NOTE and not note.strip():
        raise UserError(_("Withdrawing or correcting needs a public correction note."))
    if to in (S.VERIFIED, S.PUBLISHED):
        problems = record.publication_problems(user)
        if problems:
            raise UserError(" ".join(problems))
        record.approved_by = user
    if to in NEEDS_NOTE:
        record.correction_note = note.strip()
    record.status = to
    with transaction.atomic():
        record.save_with_history(user, action=to, note=note)
        after_move = getattr(record, "after_review_move", None)
        if after_move:
            after_move(user, to)
