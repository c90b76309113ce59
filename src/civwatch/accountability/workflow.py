"""Moving an entry along the list: who may make which move, the publication gate, submissions.

candidate -> documented -> verified -> published are moves made by staff (buttons); after
publication the status follows the submissions to governments and their outcomes:
submitted, designated, rejected, delisted. Every change is a line in the entry's history.
"""

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from civwatch.accountability.models import Act, Entry, EntryStatus, Submission
from civwatch.accounts import permissions
from civwatch.accounts.models import has_role
from civwatch.cases.workflow import Move, offered_moves
from civwatch.core.errors import UserError

S = EntryStatus
# (from, to) -> the least role that may make the move.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.CANDIDATE, S.DOCUMENTED): "researcher",
    (S.DOCUMENTED, S.CANDIDATE): "researcher",
    (S.DOCUMENTED, S.VERIFIED): "editor",
    (S.VERIFIED, S.DOCUMENTED): "editor",
    (S.VERIFIED, S.PUBLISHED): "editor",
}
GATED = {S.VERIFIED, S.PUBLISHED}
# Entries whose next move is an editor's (verify, publish): the review queue lists them.
WAITING_FOR_EDITOR = (S.DOCUMENTED, S.VERIFIED)
AFTER_PUBLICATION = {S.PUBLISHED, S.SUBMITTED, S.DESIGNATED, S.REJECTED, S.DELISTED}


def review_moves(entry: Entry, user: Any) -> list[Move]:
    return offered_moves(TRANSITIONS, entry, user, move_refusals)


def move_refusals(entry: Entry, to: str, user: Any, note: str | None = None) -> list[str]:
    """Why the user may not move the entry to `to` now (empty: they may; the gate names each
    weak act)."""
    role = TRANSITIONS.get((entry.status, to))
    if role is None:
        return [
            _("An entry cannot go from “%(from)s” to “%(to)s”.") % {"from": entry.status, "to": to}
        ]
    if not has_role(user, role):
        return [_("Only a %(role)s may do this.") % {"role": role}]
    if not permissions.can_move(user, entry, to):  # the cases' rule (pages answer 403 first)
        return [_("Only the record's author, an assignee or an editor may do this.")]
    if to == S.DOCUMENTED and not entry.acts.exists():
        return [_("No act is attributed to this person yet.")]
    if to in GATED:
        return list(dict.fromkeys(entry.publication_problems(user)))
    return []


def move(entry: Entry, to: str, user: Any, note: str = "") -> None:
    """Change the status, or raise UserError saying why not (the gate names each weak act)."""
    refusals = move_refusals(entry, to, user, note)
    if refusals:
        raise UserError(" ".join(refusals))
    with transaction.atomic():
        entry.refresh_from_db()  # a move writes the workflow's fields only, never content
        if to in GATED:
            entry.approved_by = user
            # The gate checked this editor against every unapproved act's author: the move's
            # history line records the approval of those acts.
            entry.acts.filter(approved_by=None).update(approved_by=user)
        entry.status = to
        entry.write_with_history(user, action=to, note=note)


@transaction.atomic
def approve_act(act: Act, user: Any) -> None:
    """An act attributed after the entry passed the gate: an editor other than its author
    approves it on its own (two independent verified sources), and only then is it public."""
    if not has_role(user, "editor"):
        raise UserError(_("Only a %(role)s may do this.") % {"role": "editor"})
    if act.approved_by_id is not None:
        raise UserError(_("This act has already been approved."))
    problems = act.approval_problems(user)
    if problems:
        raise UserError(" ".join(problems))
    act.approved_by = user
    act.save(update_fields=["approved_by"])
    act.entry.log(user, "act approved", act.label())


def status_from_submissions(entry: Entry) -> str:
    """Designated if any government designated; else delisted, rejected or still submitted."""
    outcomes = set(entry.submissions.values_list("outcome", flat=True))
    if not outcomes:
        return S.PUBLISHED
    for outcome in (Submission.Outcome.DESIGNATED, Submission.Outcome.DELISTED):
        if outcome in outcomes:
            return outcome
    if outcomes == {Submission.Outcome.REJECTED}:
        return S.REJECTED
    return S.SUBMITTED


@transaction.atomic
def record_submission(
    entry: Entry, user: Any, *, jurisdiction: str, authority: str,
    submitted_on: datetime.date, reference: str = "",
) -> Submission:  # fmt: skip
    if entry.status not in AFTER_PUBLICATION:
        raise UserError(_("Only a published entry can be submitted to a government."))
    if not has_role(user, "researcher"):
        raise UserError(_("Only a %(role)s may do this.") % {"role": "researcher"})
    submission = Submission.objects.create(
        entry=entry, jurisdiction=jurisdiction, authority=authority,
        submitted_on=submitted_on, reference=reference, created_by=user,
    )  # fmt: skip
    entry.log(user, "submission", f"{jurisdiction}: {authority}, {submitted_on:%Y-%m-%d}")
    _follow_submissions(entry, user)
    return submission


@transaction.atomic
def record_outcome(
    submission: Submission, user: Any, *, outcome: str, decided_by: str,
    decided_on: datetime.date,
) -> None:  # fmt: skip
    if not has_role(user, "editor"):
        raise UserError(_("Only a %(role)s may do this.") % {"role": "editor"})
    submission.outcome, submission.decided_by, submission.decided_on = (
        outcome, decided_by, decided_on
    )  # fmt: skip
    submission.save()
    entry = submission.entry
    entry.log(
        user, "outcome", f"{submission.jurisdiction}: {outcome} by {decided_by}, {decided_on}"
    )
    _follow_submissions(entry, user)


def _follow_submissions(entry: Entry, user: Any) -> None:
    status = status_from_submissions(entry)
    if status != entry.status:
        entry.refresh_from_db()
        entry.status = status
        entry.write_with_history(user, action=status)
