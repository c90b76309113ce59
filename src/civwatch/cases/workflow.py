"""Review before publication: who may move a record from which status to which, and the
decisions on changes waiting for review (`PendingChange`, see core.records)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy

from civwatch.accounts import permissions
from civwatch.accounts.models import has_role
from civwatch.cases.models import Participant, Position
from civwatch.core.errors import UserError
from civwatch.core.records import CHANGE_APPROVED, DocumentedRecord, PendingChange, ReviewStatus

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


@dataclass(frozen=True)
class MoveWords:
    """A review move for people: the button, what pressing it will do, the history's line."""

    label: Promise
    explanation: Promise
    done: Promise


_SEND = MoveWords(
    _lazy("Send for review"),
    _lazy("An editor other than its author checks it before it can be published."),
    pgettext_lazy("history", "sent for review"),
)
_VERIFY = MoveWords(
    _lazy("Verify"),
    _lazy("You confirm the content and its sources were checked; it can then be published."),
    pgettext_lazy("history", "verified"),
)
_PUBLISH = MoveWords(
    _lazy("Publish"),
    _lazy("It appears on the public site and in the open-data export."),
    pgettext_lazy("history", "published"),
)
_WITHDRAW = MoveWords(
    _lazy("Withdraw"),
    _lazy("It is taken off the public site and the open-data export; your note says why."),
    pgettext_lazy("history", "withdrawn"),
)
_CORRECT = MoveWords(
    _lazy("Publish a correction"),
    _lazy(
        "The changes waiting for review are published with your correction note, which the "
        "public page shows."
    ),
    pgettext_lazy("history", "correction published"),
)
# Every review move in words, for the cases' workflow (above) and the accountability list's
# (accountability.workflow.TRANSITIONS, whose statuses are named here as strings: that module
# imports this one). A test checks that every move of both has its words.
MOVE_WORDS: dict[tuple[str, str], MoveWords] = {
    (S.DRAFT, S.IN_REVIEW): _SEND,
    (S.IN_REVIEW, S.DRAFT): MoveWords(
        _lazy("Back to draft"),
        _lazy("It leaves the review queue so that it can be worked on further."),
        pgettext_lazy("history", "back to draft"),
    ),
    (S.IN_REVIEW, S.VERIFIED): _VERIFY,
    (S.VERIFIED, S.PUBLISHED): _PUBLISH,
    (S.PUBLISHED, S.WITHDRAWN): _WITHDRAW,
    (S.PUBLISHED, S.CORRECTED): _CORRECT,
    (S.CORRECTED, S.CORRECTED): _CORRECT,
    (S.CORRECTED, S.WITHDRAWN): _WITHDRAW,
    ("candidate", "documented"): MoveWords(
        _lazy("Mark as documented"),
        _lazy("The attributed acts are ready for an editor to verify the entry."),
        pgettext_lazy("history", "marked as documented"),
    ),
    ("documented", "candidate"): MoveWords(
        _lazy("Back to candidates"),
        _lazy("The entry returns to the candidates until its acts are documented."),
        pgettext_lazy("history", "back to candidates"),
    ),
    ("documented", "verified"): MoveWords(
        _lazy("Verify"),
        _lazy(
            "You confirm the identification and that every act rests on two independent "
            "verified sources; it can then be published."
        ),
        pgettext_lazy("history", "verified"),
    ),
    ("verified", "documented"): MoveWords(
        _lazy("Back to documented"),
        _lazy("The verification is taken back: an editor must verify the entry again."),
        pgettext_lazy("history", "back to documented"),
    ),
}


@dataclass(frozen=True)
class Move:
    """A move offered on a record's page, with the reasons it would be refused now (none: it
    may be made)."""

    to: str
    words: MoveWords
    refusals: tuple[str, ...] = ()
    needs_note: bool = False


def moves_for(transitions: dict[tuple[str, str], str], status: str, user: Any) -> list[str]:
    """The statuses the user may move a record to from `status`, given each move's least role
    (the cases' review workflow and the accountability list share this)."""
    return [to for (frm, to), role in transitions.items() if frm == status and has_role(user, role)]


def offered_moves(
    transitions: dict[tuple[str, str], str],
    record: DocumentedRecord,
    user: Any,
    refusals: Callable[[Any, str, Any], list[str]],
    needs_note: frozenset[str] | set[str] = frozenset(),
) -> list[Move]:
    """The moves the user's role allows from the record's status, each with the reasons the
    workflow would refuse it now (`refusals`: the function its `move` raises with), so that a
    page shows them before the user tries."""
    return [
        Move(to, MOVE_WORDS[record.status, to], tuple(refusals(record, to, user)), to in needs_note)
        for to in moves_for(transitions, record.status, user)
    ]


def review_moves(record: DocumentedRecord, user: Any) -> list[Move]:
    return offered_moves(TRANSITIONS, record, user, move_refusals, NEEDS_NOTE)


def move_refusals(
    record: DocumentedRecord, to: str, user: Any, note: str | None = None
) -> list[str]:
    """Why the user may not move the record to `to` now (empty: they may). `note` None: the
    correction note is not asked yet (a page asks for it with the move)."""
    role = TRANSITIONS.get((record.status, to))
    if role is None:
        return [_("A record cannot go from “%(from)s” to “%(to)s”.") % {
            "from": record.status, "to": to}]  # fmt: skip
    if not has_role(user, role):
        return [_("Only a %(role)s may do this.") % {"role": role}]
    if not permissions.can_move(user, record, to):
        # The role suffices but the record is not theirs (pages and the API answer 403 or 404
        # before a move; this holds for every other caller too).
        return [_("Only the record's author, an assignee or an editor may do this.")]
    if note is not None and to in NEEDS_NOTE and not note.strip():
        return [_("Withdrawing or correcting needs a public correction note.")]
    # A correction publishes the changes waiting for review with its note: the same check.
    pending = record.pending_changes() if to == S.CORRECTED else []
    problems: list[str] = []
    if to in (S.VERIFIED, S.PUBLISHED) or pending:
        problems = record.publication_problems(user)
        if any(user.pk in change.author_ids() for change in pending):
            problems.append(str(NOT_AN_AUTHOR))
    return list(dict.fromkeys(problems))


def move(record: DocumentedRecord, to: str, user: Any, note: str = "") -> None:
    """Change the review status, or raise UserError saying why not; the move is in the history."""
    refusals = move_refusals(record, to, user, note)
    if refusals:
        raise UserError(" ".join(refusals))
    pending = record.pending_changes() if to == S.CORRECTED else []
    with transaction.atomic():
        for change in pending:
            apply_change(change, user, note)
        # A move writes the workflow's fields only, never content held in memory.
        record.refresh_from_db()
        if to in (S.VERIFIED, S.PUBLISHED) or pending:
            record.approved_by = user
        if to in NEEDS_NOTE:
            record.correction_note = note.strip()
        record.status = to
        record.write_with_history(user, action=to, note=note)
        after_move = getattr(record, "after_review_move", None)
        if after_move:
            after_move(user, to)


NOT_AN_AUTHOR = _lazy(
    "An editor other than the author must approve it (you wrote or changed content of it that "
    "no other editor has approved yet)."
)


def approve_change(change: PendingChange, user: Any, note: str = "") -> DocumentedRecord:
    """An editor who wrote none of it approves a pending change: the live record takes the
    proposed content (an added record joins its parent's review status), with its history."""
    if change.state != PendingChange.State.PENDING:
        raise UserError(_("This change has already been decided."))
    if not has_role(user, "editor"):
        raise UserError(_("Only a %(role)s may do this.") % {"role": "editor"})
    record = change.record
    problems = record.publication_problems(user)
    if user.pk in change.author_ids():
        problems.append(str(NOT_AN_AUTHOR))
    if problems:
        raise UserError(" ".join(dict.fromkeys(problems)))
    with transaction.atomic():
        apply_change(change, user, note)
    return record


def apply_change(change: PendingChange, user: Any, note: str = "") -> None:
    record = change.record
    if change.kind == PendingChange.Kind.ADDITION:
        record.approve_addition(user)
    elif change.kind == PendingChange.Kind.REMOVAL:
        record.status = S.WITHDRAWN
        record.approved_by = user
        record.write_with_history(user, action=CHANGE_APPROVED, note=note or "removed")
    else:
        for attname, value in change.values.items():
            setattr(record, attname, record.field_by_attname(attname).to_python(value))
        record.approved_by = user
        record.write_with_history(
            user, action=CHANGE_APPROVED, note=note or f"pending change #{change.pk}"
        )
    change.close(PendingChange.State.APPROVED, user, note)


def reject_change(change: PendingChange, user: Any, note: str = "") -> None:
    """An editor (or one of its authors, taking it back) rejects a pending change: the live
    record stays as approved; a rejected addition is withdrawn (never public)."""
    if change.state != PendingChange.State.PENDING:
        raise UserError(_("This change has already been decided."))
    if not (has_role(user, "editor") or user.pk in change.author_ids()):
        raise UserError(_("Only a %(role)s may do this.") % {"role": "editor"})
    record = change.record
    with transaction.atomic():
        if change.kind == PendingChange.Kind.ADDITION:
            record.status = S.WITHDRAWN
            record.write_with_history(user, action="change rejected", note=note)
        else:
            record._revision(user, "change rejected", {}, note or f"pending change #{change.pk}")
        change.close(PendingChange.State.REJECTED, user, note)


def change_content(
    record: DocumentedRecord, user: Any, changes: dict[str, Any], note: str = ""
) -> PendingChange | None:
    """Change fields of a record through the review (for write APIs and tools): the change is
    written at once while the record is unreviewed, and held as the record's pending change
    (returned) once its content was approved. Workflow fields cannot be set this way."""
    allowed = {*record.content_fields(), *record.WORKING_FIELDS}
    fields = {field.name: field for field in record._meta.concrete_fields}
    for name in changes:
        if name not in fields or fields[name].attname not in allowed:
            raise UserError(_("“%(name)s” cannot be changed here.") % {"name": name})
    for name, value in changes.items():
        setattr(record, name, value)
    record.save_with_history(user, note=note)
    return getattr(record, "proposed_change", None)


def remove_record(
    record: Participant | Position, user: Any, note: str = ""
) -> PendingChange | None:
    """Take a participant off its incident, or an official's position off the record: at once
    (withdrawn) while neither it nor its incident was reviewed, else as a pending removal that
    an editor other than its proposer approves (the record stays as it is until then)."""
    if record.status == S.WITHDRAWN:
        raise UserError(_("This has already been removed."))
    if record.pending_change() is not None:
        raise UserError(_("A change of this is already waiting for review."))
    parent = getattr(record, "incident", None)
    if not record.content_is_reviewed() and not (parent and parent.content_is_reviewed()):
        record.status = S.WITHDRAWN
        record.write_with_history(user, action="removed", note=note)
        return None
    with transaction.atomic():
        change = PendingChange.objects.create(
            content_type=ContentType.objects.get_for_model(record),
            object_id=str(record.pk),
            kind=PendingChange.Kind.REMOVAL,
        )
        change.authors.add(user)
        record._revision(user, "proposed", {}, f"removal, pending change #{change.pk}")
    return change
