"""Staff decisions on changes waiting for review (core.records.PendingChange).

Kept apart from the other staff pages: every record kind (incidents and their participants,
claims, evidence items, cases, positions, accountability entries) shows its pending changes
through the `pending_changes` template tag and posts its decision here.
"""

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civwatch.accountability.models import Entry, EntryStatus
from civwatch.accountability.workflow import WAITING_FOR_EDITOR
from civwatch.accounts import permissions
from civwatch.accounts.models import has_role
from civwatch.accounts.permissions import role_required
from civwatch.cases.history import history_row
from civwatch.cases.models import Case, Incident, Participant, Position
from civwatch.cases.workflow import approve_change, reject_change, remove_record
from civwatch.core.errors import UserError
from civwatch.core.records import DocumentedRecord, PendingChange, ReviewStatus, Revision
from civwatch.evidence.models import Claim, EvidenceItem

# What waits for an editor's next move (verify, publish), per kind of record.
WAITING = (ReviewStatus.IN_REVIEW, ReviewStatus.VERIFIED)


def waiting_records(user: Any) -> dict[str, QuerySet]:
    """Every kind of record an editor verifies or publishes, waiting for that move, as far as
    the user may read them: the review queue, and the count on the staff home."""
    return {
        "cases": permissions.readable(
            user, Case.objects.filter(status__in=WAITING).select_related("created_by")
        ),
        "incidents": permissions.readable(
            user, Incident.objects.filter(status__in=WAITING).select_related("created_by")
        ),
        "claims": permissions.readable(
            user, Claim.objects.filter(status__in=WAITING).select_related("incident", "created_by")
        ),
        "positions": permissions.readable(
            user, Position.objects.filter(status__in=WAITING).select_related("entity", "created_by")
        ),
        "entries": permissions.readable(
            user,
            Entry.objects.filter(status__in=WAITING_FOR_EDITOR).select_related(
                "entity", "created_by"
            ),
        ),
    }


# How a record is named on the staff home: the field naming it; an entry, a position or a
# participant also by its person.
RECORD_NAMES = {Case: "title", Incident: "title", Claim: "statement", Position: "post",
                EvidenceItem: "title"}  # fmt: skip
DRAFT_KINDS = (Case, Incident, Claim, Position)

# The records whose changes the staff home lists (the kinds `staff_url` knows), with the
# related rows their names need (for the drafts as well).
ACTIVITY = {Case: (), Incident: (), Claim: (), EvidenceItem: (), Position: ("entity",),
            Participant: ("entity",), Entry: ("entity",)}  # fmt: skip


def record_name(user: Any, record: DocumentedRecord) -> str:
    """The record's name as far as the access policy shows it to the user: a confidential
    title or person shown is a confidential read, logged like any other."""
    fields = permissions.Reader(user).fields(record)
    field = RECORD_NAMES.get(type(record))
    name = str(getattr(record, field)) if field in fields else ""
    # A position's person is the official holding it: shown with the post, as on its page.
    if isinstance(record, Position) or (
        isinstance(record, (Participant, Entry)) and "entity" in fields
    ):
        permissions.note_person_shown(user, record.entity)
        name = f"{record.entity.name}: {name}" if name else record.entity.name
    return name


def own_drafts(user: Any, per_kind: int = 20) -> list[dict[str, str]]:
    """The user's own records not yet sent for review (entries: still candidates), each with
    its kind, its staff page and its name as far as the access policy shows it."""
    mine = {"created_by": user}
    drafts = [
        model.objects.filter(status=ReviewStatus.DRAFT, **mine).select_related(*ACTIVITY[model])
        for model in DRAFT_KINDS
    ]
    candidates = Entry.objects.filter(status=EntryStatus.CANDIDATE, **mine).select_related("entity")
    return [
        {
            "kind": record._meta.verbose_name,
            "url": staff_url(record),
            "name": record_name(user, record),
        }
        for records in [*drafts, candidates]
        for record in records[:per_kind]
    ]


def recent_activity(user: Any, limit: int = 15, window: int = 300) -> list[dict[str, Any]]:
    """The latest changes (of the newest `window` revisions) to records the user may read,
    newest first: who did what, in words, with the record's kind, name and staff page."""
    types = {ContentType.objects.get_for_model(model).pk: model for model in ACTIVITY}
    # The changes themselves are encrypted: read only for the lines shown.
    latest = list(
        Revision.objects.filter(content_type__in=types)
        .defer("changes", "note")
        .order_by("-at", "-id")[:window]
    )
    wanted: dict[int, set[str]] = {}
    for revision in latest:
        wanted.setdefault(revision.content_type_id, set()).add(revision.object_id)
    readable = {}
    for type_id, ids in wanted.items():
        model = types[type_id]
        records = model.objects.filter(pk__in=ids).select_related(*ACTIVITY[model])
        for record in permissions.readable(user, records):
            readable[(type_id, str(record.pk))] = record
    shown = [r for r in latest if (r.content_type_id, r.object_id) in readable][:limit]
    full = Revision.objects.select_related("user").in_bulk([r.pk for r in shown])
    rows = []
    for revision in shown:
        record = readable[(revision.content_type_id, revision.object_id)]
        rows.append({
            "kind": record._meta.verbose_name, "url": staff_url(record),
            "name": record_name(user, record), "line": history_row(full[revision.pk]),
        })  # fmt: skip
    return rows


def staff_url(record: DocumentedRecord) -> str:
    """The staff page that shows this record (and so its pending change)."""
    model = record._meta.model_name
    if model == "incident":
        return reverse("cases:staff_incident", args=[record.pk])
    if model in {"participant", "claim"}:
        return reverse("cases:staff_incident", args=[record.incident_id])
    if model == "evidenceitem":
        return reverse("cases:staff_evidence", args=[record.pk])
    if model in {"case", "position"}:
        return reverse(f"cases:staff_{model}", args=[record.pk])
    if model == "entry":
        return reverse("accountability:staff_entry", args=[record.pk])
    raise Http404


def pending_rows(user: Any, record: DocumentedRecord) -> list[dict[str, Any]]:
    """The record's pending changes (an incident's include its participants'), each with the
    diff at the reader's level and whether the reader may decide."""
    rows = []
    for change in record.pending_changes():
        changed = change.record
        if not permissions.can_view(user, changed):
            continue
        shown = set(permissions.visible_fields(user, changed))
        diff = [
            {**row, "hidden": row["name"] not in shown and row["name"] != "field_visibility"}
            for row in change.diff()
        ]
        authors = change.author_ids()
        rows.append({
            "change": change, "record": changed, "diff": diff,
            "authors": ", ".join(change.authors.values_list("username", flat=True)),
            "may_approve": has_role(user, "editor") and user.pk not in authors,
            "may_reject": has_role(user, "editor") or user.pk in authors,
        })  # fmt: skip
    return rows


@require_POST
@role_required("contributor")
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(PendingChange, pk=pk)
    record = change.record
    if not permissions.can_view(request.user, record):
        raise Http404
    decision, note = request.POST.get("decision"), request.POST.get("note", "").strip()[:2000]
    try:
        if decision == "approve":
            approve_change(change, request.user, note)
            messages.success(request, _("Change approved: it is now the record's content."))
        elif decision == "reject":
            reject_change(change, request.user, note)
            messages.success(request, _("Change rejected: the record keeps its approved content."))
        else:
            messages.error(request, _("Unknown decision."))
    except UserError as error:
        messages.error(request, str(error))
    return redirect(staff_url(record))


@require_POST
@role_required("contributor")
def participant_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a participant: at once on an unreviewed incident, else proposed for review. The
    same people who may edit the incident may do it (its author, editors)."""
    participant = get_object_or_404(Participant.objects.select_related("incident"), pk=pk)
    incident = participant.incident
    if not (
        permissions.can_view(request.user, participant)
        and permissions.can_view(request.user, incident)
    ):
        raise Http404
    if not permissions.can_change(request.user, incident):
        raise PermissionDenied
    done = _("Participant removed.")
    return removed(request, participant, done, "cases:staff_incident", incident.pk)


@require_POST
@role_required("contributor")
def position_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an official's position: at once while unreviewed, else proposed for review.
    Whoever may edit the position may do it (its author, an assignee, editors)."""
    position = permissions.get_readable_or_404(request.user, Position, pk=pk)
    if not permissions.can_change(request.user, position):
        raise PermissionDenied
    return removed(request, position, _("Position removed."), "cases:staff_position", position.pk)


def removed(request: HttpRequest, record: Any, done: str, page: str, pk: int) -> HttpResponse:
    try:
        change = remove_record(record, request.user, request.POST.get("note", "")[:2000])
        messages.success(request, _("Removal waits for review.") if change else done)
    except UserError as error:
        messages.error(request, str(error))
    return redirect(page, pk=pk)


# Lazy: a module-level constant is built at import, before any request has chosen a language.
HELD_MESSAGE = gettext_lazy(
    "Your change waits for review: the record keeps its approved content (the public sees that) "
    "until an editor other than the change's authors approves it."
)


def tell_if_held(request: HttpRequest, record: DocumentedRecord) -> None:
    """After a save through save_with_history: say so when the change was held for review."""
    if getattr(record, "proposed_change", None) is not None:
        messages.info(request, HELD_MESSAGE)
