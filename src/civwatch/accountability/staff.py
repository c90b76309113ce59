"""Staff pages of the accountability list (researchers and editors; no JavaScript needed).

What each page shows and accepts is decided by the access policy
(civwatch.accounts.permissions): an entry, an act's incident and participation, a submission
the user may not read are answered like missing ones.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civwatch.accountability import public, workflow
from civwatch.accountability.forms import (
    ActForm,
    CorrectionForm,
    DossierForm,
    EntryFilterForm,
    EntryForm,
    ExculpatoryForm,
    MoveForm,
    NewEntryForm,
    OutcomeForm,
    ReplyForm,
    SubmissionForm,
)
from civwatch.accountability.models import Act, Entry, Submission
from civwatch.accountability.queries import ENTRY_ORDERS, entry_roles, filter_entries
from civwatch.accountability.sanctions import sanctions_summary
from civwatch.accounts import permissions
from civwatch.accounts.models import has_role
from civwatch.accounts.permissions import role_required
from civwatch.cases import public as cases_public
from civwatch.cases.models import Participant
from civwatch.cases.staff_review import tell_if_held
from civwatch.core import namesearch
from civwatch.core.errors import UserError
from civwatch.core.records import Visibility
from civwatch.jobs.runner import enqueue_job
from civwatch.sanctions.status import linked_to_official_lists, possible_listings


def entry_to_change(request: HttpRequest, pk: int) -> Entry:
    """The entry a form writes to: 404 when unreadable, 403 when the user may not change it."""
    entry = permissions.get_readable_or_404(request.user, Entry, pk=pk)
    if not permissions.can_change(request.user, entry):
        raise PermissionDenied
    return entry


@role_required("researcher")
def entry_list(request: HttpRequest) -> HttpResponse:
    searched = namesearch.posted_search(request)
    if searched:
        return searched
    form = NewEntryForm(request.POST or None, user=request.user)
    if request.method == "POST" and not form.finding and form.is_valid():
        with transaction.atomic():
            entry = Entry(entity=form.chosen_entity(), created_by=request.user)
            entry.save_with_history(request.user)
        return redirect("accountability:staff_entry", pk=entry.pk)
    filters = EntryFilterForm(namesearch.filter_data(request))
    entries = permissions.readable(request.user, Entry.objects.select_related("entity"))
    listed = (
        linked_to_official_lists()
        if filters.is_valid() and filters.cleaned_data["listed"]
        else None
    )
    entries = filter_entries(entries, request.user, **filters.filters(), listed=listed)
    sort = (filters.cleaned_data.get("sort") if filters.is_valid() else "") or "status"
    page = Paginator(entries.order_by(*ENTRY_ORDERS[sort]), 50).get_page(request.GET.get("page"))
    for entry in page:  # each row names the person
        permissions.note_if_confidential(request.user, entry, ["entity"])
        permissions.note_person_shown(request.user, entry.entity)
    roles = entry_roles(request.user, list(page))
    # Who has sanctioned each person already, and possible matches an editor has not decided:
    # only for the page shown (a few queries per person).
    rows = [
        (
            entry,
            roles.get(entry.pk, []),
            [s for s in sanctions_summary(entry.entity, with_possible=True) if s["listed"]],
            possible_listings(entry.entity),
        )
        for entry in page
    ]
    context = {"page": page, "rows": rows, "form": form, "filters": filters,
               "query": namesearch.page_query(request)}  # fmt: skip
    failed = (form.errors and not form.finding) or filters.errors
    return render(request, "accountability/staff_list.html", context, status=400 if failed else 200)


def act_label(user, act: Act) -> str:
    """An act as the user may see it: the incident's title and date, the role, where shown."""
    reader = permissions.Reader(user)
    incident = cases_public.serialise(act.participant.incident, reader)
    participation = cases_public.serialise(act.participant, reader)
    title = incident.get("title") or f"#{act.participant.incident_id}"
    date = act.participant.incident.date_display if "date" in incident else ""
    role = participation.get("role_label", "")
    return f"{title}{f' ({date})' if date else ''}{f', {role}' if role else ''}"


def readable_acts(user, entry: Entry) -> list[tuple[Act, str]]:
    """The acts whose participation (and so incident) the user may read, with their labels."""
    participants = permissions.readable(
        user, Participant.objects.filter(pk__in=entry.acts.values("participant"))
    ).values_list("pk", flat=True)
    acts = entry.acts.select_related(*public.ACT_ROWS).filter(participant__in=participants)
    return [(act, act_label(user, act)) for act in acts]


def entry_context(request: HttpRequest, entry: Entry, **forms) -> dict:
    user = request.user
    moves = workflow.review_moves(entry, user)
    problems = [] if entry.is_public() else entry.publication_problems(user)
    # A refused move already lists them (the publish move): said once, where the move is.
    if any(problems and set(problems) <= set(move.refusals) for move in moves):
        problems = []
    return {
        "entry": entry,
        # Staff read the internal level: confidential victims and evidence stay out here too.
        "view": public.entry_view(entry, Visibility.INTERNAL),
        "acts": readable_acts(user, entry),
        "problems": problems,
        "moves": moves,
        "sanctions": sanctions_summary(entry.entity, with_possible=True),
        "possible": possible_listings(entry.entity),
        "history": entry.history(),
        "submissions": [
            (s, OutcomeForm(instance=s, prefix=f"s{s.pk}")) for s in entry.submissions.all()
        ],
        "entry_form": forms.get("entry_form") or EntryForm(instance=entry.with_pending_values()),
        "is_editor": has_role(user, "editor"),
        "may_approve_acts": has_role(user, "editor") and entry.content_is_reviewed(),
        "act_form": forms.get("act_form") or ActForm(entry=entry, user=user),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "exculpatory_form": forms.get("exculpatory_form") or ExculpatoryForm(),
        "correction_form": forms.get("correction_form") or CorrectionForm(),
        "submission_form": forms.get("submission_form") or SubmissionForm(),
        "dossier_form": DossierForm(),
    }


@role_required("researcher")
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = permissions.get_readable_or_404(
        request.user, Entry.objects.select_related("entity"), pk=pk
    )
    return render(request, "accountability/staff_entry.html", entry_context(request, entry))


def invalid(request: HttpRequest, entry: Entry, name: str, form) -> HttpResponse:
    context = entry_context(request, entry, **{name: form})
    return render(request, "accountability/staff_entry.html", context, status=400)


@require_POST
@role_required("researcher")
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = entry_to_change(request, pk)
    form = EntryForm(request.POST, instance=entry.with_pending_values())
    if not form.is_valid():
        return invalid(request, entry, "entry_form", form)
    form.instance.save_with_history(request.user)  # held for review once verified
    tell_if_held(request, form.instance)
    return redirect("accountability:staff_entry", pk=pk)


@require_POST
@role_required("editor")
def act_approve(request: HttpRequest, pk: int) -> HttpResponse:
    act = get_object_or_404(Act.objects.select_related("entry", "participant__incident"), pk=pk)
    permissions.get_readable_or_404(request.user, Entry, pk=act.entry_id)
    try:
        workflow.approve_act(act, request.user)
        messages.success(request, _("Act approved: it is on the public list."))
    except UserError as error:
        messages.error(request, str(error))
    return redirect("accountability:staff_entry", pk=act.entry_id)


@require_POST
@role_required("researcher")
def act_add(request: HttpRequest, pk: int) -> HttpResponse:
    entry = entry_to_change(request, pk)
    permissions.require_readable(
        request.user, Participant.objects.all(), [request.POST.get("participant", "")]
    )
    form = ActForm(request.POST, entry=entry, user=request.user)
    if not form.is_valid():
        return invalid(request, entry, "act_form", form)
    with transaction.atomic():
        act = form.save(commit=False)
        act.entry, act.created_by = entry, request.user
        act.save()
        entry.log(request.user, "act attributed", act.label())
    return redirect("accountability:staff_entry", pk=pk)


@require_POST
@role_required("researcher")
def entry_move(request: HttpRequest, pk: int) -> HttpResponse:
    entry = permissions.get_readable_or_404(request.user, Entry, pk=pk)
    form = MoveForm(request.POST)
    to = form.cleaned_data["to"] if form.is_valid() else ""
    if to and not permissions.may_try_move(request.user, entry, to):
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, _("Unknown status."))
    else:
        try:
            workflow.move(entry, form.cleaned_data["to"], request.user, form.cleaned_data["note"])
            messages.success(request, _("Status changed."))
        except UserError as error:
            messages.error(request, str(error))
    return redirect("accountability:staff_entry", pk=pk)


# Records added to an entry as they are: form, name in the context, history action.
ADDED_RECORDS = {
    "reply": (ReplyForm, "reply_form", "right of reply recorded"),
    "exculpatory": (ExculpatoryForm, "exculpatory_form", "exculpatory information added"),
    "correction": (CorrectionForm, "correction_form", "correction published"),
}
# A correction note is public at once: an editor publishes it, as in the cases' workflow.
EDITORS_ONLY = {"correction"}


@require_POST
@role_required("researcher")
def record_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in ADDED_RECORDS:
        raise Http404
    entry = entry_to_change(request, pk)
    if kind in EDITORS_ONLY and not has_role(request.user, "editor"):
        raise PermissionDenied
    form_class, name, action = ADDED_RECORDS[kind]
    form = form_class(request.POST)
    if not form.is_valid():
        return invalid(request, entry, name, form)
    with transaction.atomic():
        record = form.save(commit=False)
        record.entry, record.created_by = entry, request.user
        record.save()
        entry.log(request.user, action)
    return redirect("accountability:staff_entry", pk=pk)


@require_POST
@role_required("researcher")
def submission_add(request: HttpRequest, pk: int) -> HttpResponse:
    entry = entry_to_change(request, pk)
    form = SubmissionForm(request.POST)
    if not form.is_valid():
        return invalid(request, entry, "submission_form", form)
    try:
        workflow.record_submission(entry, request.user, **form.cleaned_data)
    except UserError as error:
        messages.error(request, str(error))
    return redirect("accountability:staff_entry", pk=pk)


@require_POST
@role_required("editor")
def outcome_set(request: HttpRequest, pk: int) -> HttpResponse:
    submission = Submission.objects.filter(
        pk=pk, entry__in=permissions.readable(request.user, Entry.objects.all())
    ).first()
    if submission is None:
        raise Http404
    form = OutcomeForm(request.POST, prefix=f"s{pk}")
    if form.is_valid():
        workflow.record_outcome(submission, request.user, **form.cleaned_data)
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("accountability:staff_entry", pk=submission.entry_id)


@require_POST
@role_required("researcher")
def dossier_request(request: HttpRequest, pk: int) -> HttpResponse:
    entry = permissions.get_readable_or_404(request.user, Entry, pk=pk)
    form = DossierForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a jurisdiction and a format."))
        return redirect("accountability:staff_entry", pk=pk)
    data = form.cleaned_data
    job = enqueue_job(
        "dossier",
        _("Dossier for entry %(entry)s (%(jurisdiction)s, %(fmt)s)") % {"entry": pk, **data},
        {"entry": entry.pk, "jurisdiction": data["jurisdiction"], "fmt": data["fmt"]},
        user=request.user,
    )
    return redirect(job)
