"""Staff pages: record incidents, add evidence and claims, review, and read the history."""

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civwatch.accounts import permissions
from civwatch.accounts.permissions import role_required
from civwatch.cases import public
from civwatch.cases.forms import (
    ClaimForm,
    EvidenceForm,
    IncidentForm,
    MoveForm,
    ParticipantEditForm,
    ParticipantForm,
    StaffListFilterForm,
)
from civwatch.cases.models import Case, Incident, Participant, Position
from civwatch.cases.participants import add_participant
from civwatch.cases.staff_review import waiting_records
from civwatch.cases.workflow import move, review_moves
from civwatch.core import namesearch
from civwatch.core.errors import UserError
from civwatch.core.records import ReviewStatus
from civwatch.entities.models import named_like
from civwatch.evidence.ingest import add_claim, add_evidence, read_original
from civwatch.evidence.models import Claim, CustodyEvent, EvidenceItem
from civwatch.evidence.previews import preview_response
from civwatch.evidence.storage import DamagedFile

LIST_PAGE_SIZE = 50


def incident_display(user, incident: Incident) -> dict:
    """What the staff pages show of an incident and its parts, as the policy allows."""
    view = permissions.Reader(user)
    participants = [
        {"record": p, "data": public.serialise(p, view)}
        for p in permissions.readable(
            user, incident.participants.select_related("entity", *public.STAFF_FIELDS)
        )
    ]
    evidence = [
        {"record": e, "data": public.serialise(e, view)}
        for e in permissions.readable(
            user, incident.evidence_items.select_related(*public.STAFF_FIELDS)
        )
    ]
    readable_items = {e["record"].pk: e["data"] for e in evidence}
    claims = []
    readable_claims = list(
        permissions.readable(
            user,
            incident.claims.select_related(*public.STAFF_FIELDS).prefetch_related(
                "citations__item", "evidence"
            ),
        )
    )
    histories = Claim.histories(readable_claims)
    for claim in readable_claims:
        claims.append(
            {
                "claim": claim,
                "data": public.serialise(claim, view),
                # A citation of an item the user may not read is left out, title and passage.
                "citations": [
                    {
                        "title": readable_items[c.item_id].get("title", f"#{c.item_id}"),
                        "passage": c.passage,
                    }
                    for c in claim.citations.all()
                    if c.item_id in readable_items
                ],
                "moves": review_moves(claim, user),
                "history": histories[claim.pk],
            }
        )
    return {"participants": participants, "evidence": evidence, "claims": claims}


def filtered_records(request: HttpRequest, records: QuerySet) -> tuple[Any, StaffListFilterForm]:
    """A staff list's page of readable records, filtered by review status and by the name of
    a person in them (a participant the user may read; a position's official), in either
    script; the name travels outside the URL (core.namesearch)."""
    form = StaffListFilterForm(namesearch.filter_data(request))
    records = permissions.readable(request.user, records)
    if form.is_valid():
        if form.cleaned_data["status"]:
            records = records.filter(status=form.cleaned_data["status"])
        name = form.cleaned_data["name"].strip()
        if name and records.model is Position:
            records = records.filter(named_like(name, "entity__"))
        elif name:
            people = permissions.readable(
                request.user, Participant.objects.filter(named_like(name, "entity__"))
            )
            incidents = Incident.objects.filter(participants__in=people)
            if records.model is Case:
                records = records.filter(incidents__in=incidents).distinct()
            else:
                records = records.filter(pk__in=incidents.values("pk"))
    page = Paginator(records.order_by("-updated_at", "pk"), LIST_PAGE_SIZE)
    return page.get_page(request.GET.get("page")), form


@role_required("contributor")
def home(request: HttpRequest) -> HttpResponse:
    searched = namesearch.posted_search(request)
    if searched:
        return searched
    page, form = filtered_records(request, Incident.objects.select_related("incident_type"))
    rows = [
        {"incident": i, "data": public.serialise(i, permissions.Reader(request.user))} for i in page
    ]
    context = {"rows": rows, "page": page, "form": form, "query": namesearch.page_query(request)}
    return render(request, "cases/staff_home.html", context, status=400 if form.errors else 200)


@role_required("contributor")
def incident_new(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        incident = form.save(commit=False)
        incident.created_by = request.user
        incident.save_with_history(request.user)
        return redirect("cases:staff_incident", pk=incident.pk)
    return render(request, "cases/staff_incident_form.html", {"form": form})


@role_required("contributor")
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = permissions.get_readable_or_404(request.user, Incident, pk=pk)
    if not permissions.can_change(request.user, incident):
        raise PermissionDenied
    form = IncidentForm(
        request.POST or None, instance=incident.with_pending_values(), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.instance.save_with_history(request.user)  # held for review once approved
        from civwatch.cases.staff_review import tell_if_held

        tell_if_held(request, form.instance)
        return redirect("cases:staff_incident", pk=incident.pk)
    return render(request, "cases/staff_incident_form.html", {"form": form, "incident": incident})


@role_required("contributor")
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    incident = permissions.get_readable_or_404(
        user, Incident.objects.select_related("incident_type", *public.STAFF_FIELDS), pk=pk
    )
    data = public.serialise(incident, permissions.Reader(user))
    may_add = permissions.can_add_to(user, incident)
    context = {
        "incident": incident,
        "title": data.get("title") or f"#{incident.pk}",
        "data": data,
        **incident_display(user, incident),
        "moves": review_moves(incident, user),
        "may_edit": permissions.can_change(user, incident),
        "may_add": may_add,
        "history": incident.history(),
        "participant_form": ParticipantForm(user=user),
        "evidence_form": EvidenceForm(),
        "claim_form": ClaimForm(incident=incident, user=user),
    }
    return render(request, "cases/staff_incident.html", context)


def incident_to_add_to(request: HttpRequest, pk: int) -> Incident:
    """The incident a participant, item or claim is added to: 404 unreadable, 403 not allowed."""
    incident = permissions.get_readable_or_404(request.user, Incident, pk=pk)
    if not permissions.can_add_to(request.user, incident):
        raise PermissionDenied
    return incident


@role_required("contributor")
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person or organisation found with the entity picker (or a new one when none
    fits). "Find" posts the search with the form and shows the candidates; nothing is saved
    until one is chosen and the form is saved."""
    incident = incident_to_add_to(request, pk)
    form = ParticipantForm(request.POST or None, user=request.user)
    heading = _("Add a participant")
    if request.method != "POST" or form.finding:
        return participant_form_page(request, incident, form, heading)
    if not form.is_valid():
        return participant_form_page(request, incident, form, heading, status=400)
    data = form.cleaned_data
    with transaction.atomic():
        add_participant(
            incident=incident,
            user=request.user,
            entity=form.chosen_entity(),
            role=data["role"],
            involvement=data["involvement"],
            visibility=data["visibility"],
        )
    return redirect("cases:staff_incident", pk=incident.pk)


@role_required("contributor")
def participant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change who a participant is, its role, degree or visibility: at once while the incident
    is unreviewed, else held for review (core.records) like every other edit."""
    participant = permissions.get_readable_or_404(
        request.user, Participant.objects.select_related("incident"), pk=pk
    )
    incident = participant.incident
    if not permissions.can_view(request.user, incident):
        raise Http404
    if (
        not permissions.can_change(request.user, incident)
        or participant.status == ReviewStatus.WITHDRAWN
    ):
        raise PermissionDenied
    permissions.visible_fields(request.user, participant)  # the form shows every field
    form = ParticipantEditForm(
        request.POST or None, instance=participant.with_pending_values(), user=request.user
    )
    heading = _("Edit a participant")
    if request.method != "POST" or form.finding:
        return participant_form_page(request, incident, form, heading)
    if not form.is_valid():
        return participant_form_page(request, incident, form, heading, status=400)
    with transaction.atomic():
        saved = form.save(commit=False)
        saved.save_with_history(request.user)  # held for review once approved
    from civwatch.cases.staff_review import tell_if_held

    tell_if_held(request, saved)
    return redirect("cases:staff_incident", pk=incident.pk)


def participant_form_page(
    request: HttpRequest, incident: Incident, form, heading: str, status: int = 200
) -> HttpResponse:
    context = {"incident": incident, "form": form, "heading": heading, "action": request.path}
    return render(request, "cases/staff_participant_form.html", context, status=status)


@require_POST
@role_required("contributor")
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_to_add_to(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_form_errors(request, incident, form)
    fields = dict(form.cleaned_data)
    upload = fields.pop("upload")
    try:
        add_evidence(
            user=request.user,
            incident=incident,
            name=upload.name if upload else "",
            data=upload.read() if upload else None,
            url=fields.pop("url") or "",
            **fields,
        )
    except UserError as error:
        form.add_error("upload", str(error))
        return render_form_errors(request, incident, form)
    messages.success(request, _("Evidence item added."))
    return redirect("cases:staff_incident", pk=incident.pk)


@require_POST
@role_required("contributor")
def claim_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_to_add_to(request, pk)
    # Every record the body names must be readable: an unreadable one is a 404, like a
    # missing one, whatever else the form would say.
    cited = [k.removeprefix("passage_") for k, v in request.POST.items()
             if k.startswith("passage_") and v.strip()]  # fmt: skip
    permissions.require_readable(request.user, incident.evidence_items.all(), cited)
    permissions.require_readable(
        request.user, incident.participants.all(), [request.POST.get("participant", "")]
    )
    form = ClaimForm(request.POST, incident=incident, user=request.user)
    if not form.is_valid():
        return render_form_errors(request, incident, form)
    try:
        add_claim(
            incident=incident,
            statement=form.cleaned_data["statement"],
            participant=form.cleaned_data["participant"],
            author=request.user,
            citations=form.citations(),
            visibility=form.cleaned_data["visibility"],
        )
    except UserError as error:
        form.add_error(None, str(error))
        return render_form_errors(request, incident, form)
    return redirect("cases:staff_incident", pk=incident.pk)


def render_form_errors(request: HttpRequest, incident: Incident, form) -> HttpResponse:
    return render(
        request, "cases/staff_form_errors.html", {"incident": incident, "form": form}, status=400
    )


MOVABLE = {"incident": Incident, "claim": Claim, "case": Case, "position": Position}


@require_POST
@role_required("contributor")
def move_record(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    if model not in MOVABLE:
        raise Http404
    record = permissions.get_readable_or_404(request.user, MOVABLE[model], pk=pk)
    form = MoveForm(request.POST)
    to = form.cleaned_data["to"] if form.is_valid() else ""
    if to and not permissions.may_try_move(request.user, record, to):
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, _("Unknown review status."))
    else:
        try:
            move(record, form.cleaned_data["to"], request.user, form.cleaned_data["note"])
            messages.success(request, _("Review status changed."))
        except UserError as error:
            messages.error(request, str(error))
    if model in {"case", "position"}:
        return redirect(f"cases:staff_{model}", pk=record.pk)
    incident_id = record.pk if model == "incident" else record.incident_id
    return redirect("cases:staff_incident", pk=incident_id)


@role_required("editor")
def review_queue(request: HttpRequest) -> HttpResponse:
    context = waiting_records(request.user)
    return render(request, "cases/staff_review.html", context)


@role_required("contributor")
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.get_readable_or_404(request.user, EvidenceItem, pk=pk)
    item.log(CustodyEvent.Action.VIEWED, request.user)
    shown = permissions.visible_fields(request.user, item)
    reader = permissions.Reader(request.user)
    citing = Claim.objects.filter(pk__in=item.citations.values("claim"))
    citations = [
        {
            "claim": claim,
            "data": public.serialise(claim, reader),
            "passages": [c.passage for c in claim.citations.all() if c.item_id == item.pk],
        }
        for claim in permissions.readable(request.user, citing).prefetch_related("citations")
    ]
    context = {
        "item": item,
        "title": item.title if "title" in shown else f"#{item.pk}",
        "data": public.serialise(item, reader),
        "citations": citations,
        "incident_readable": permissions.can_view(request.user, item.incident),
        "may_download": "file_path" in shown and bool(item.file_path),
        "derived_text": item.derived_text if "derived_text" in shown else "",
        "custody": item.custody.select_related("user"),
    }
    return render(request, "cases/staff_evidence.html", context)


@role_required("contributor")
def evidence_original(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.get_readable_or_404(request.user, EvidenceItem, pk=pk)
    # The original is more than its public metadata: only who may see the file itself.
    if not item.file_path or "file_path" not in permissions.visible_fields(request.user, item):
        raise Http404
    try:
        # Verified bytes are what is sent: the file is not read a second time.
        data = read_original(item)
    except DamagedFile:
        return render(request, "cases/staff_evidence_damaged.html", {"item": item}, status=409)
    item.log(CustodyEvent.Action.EXPORTED, request.user, "original downloaded")
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=item.original_name or item.sha256,
        content_type=item.media_type,
    )


@role_required("contributor")
def evidence_preview(request: HttpRequest, pk: int) -> FileResponse:
    # Not logged in custody: it is shown inside the evidence page, whose view is logged.
    return preview_response(permissions.get_readable_or_404(request.user, EvidenceItem, pk=pk))
