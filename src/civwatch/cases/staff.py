"""Staff pages: record incidents, add evidence and claims, review, and read the history."""

import io
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civwatch.accounts.models import has_role
from civwatch.cases import public
from civwatch.cases.access import reading_level
from civwatch.cases.forms import ClaimForm, EvidenceForm, IncidentForm, MoveForm, ParticipantForm
from civwatch.cases.models import Case, Incident, Position
from civwatch.cases.participants import add_participant
from civwatch.cases.public import LEVELS
from civwatch.cases.records import ReviewStatus, Visibility
from civwatch.cases.workflow import allowed_moves, move
from civwatch.core.errors import UserError
from civwatch.entities.models import Entity
from civwatch.evidence.ingest import add_claim, add_evidence, read_original
from civwatch.evidence.models import Claim, CustodyEvent, EvidenceItem
from civwatch.evidence.previews import preview_response
from civwatch.evidence.storage import DamagedFile


def role_required(role: str) -> Callable:
    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not has_role(request.user, role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def staff_level(user, record) -> str:
    """Authors see all of their own record; others what their role clears them for."""
    if record.created_by_id == user.pk:
        return Visibility.CONFIDENTIAL
    return reading_level(user)


def readable(user, record) -> bool:
    level = staff_level(user, record)
    return LEVELS.index(record.visibility) <= LEVELS.index(level)


def staff_incidents(user):
    incidents = Incident.objects.select_related("incident_type")
    if has_role(user, "researcher"):
        return public.public_queryset(incidents, reading_level(user))
    return incidents.filter(created_by=user)


@role_required("contributor")
def home(request: HttpRequest) -> HttpResponse:
    incidents = staff_incidents(request.user).order_by("-updated_at")
    return render(request, "cases/staff_home.html", {"incidents": incidents[:200]})


@role_required("contributor")
def incident_new(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        incident = form.save(commit=False)
        incident.created_by = request.user
        incident.save_with_history(request.user)
        return redirect("cases:staff_incident", pk=incident.pk)
    return render(request, "cases/staff_incident_form.html", {"form": form})


@role_required("contributor")
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident, pk=pk)
    if incident.created_by_id != request.user.pk and not has_role(request.user, "editor"):
        raise PermissionDenied
    form = IncidentForm(request.POST or None, instance=incident.with_pending_values())
    if request.method == "POST" and form.is_valid():
        form.instance.save_with_history(request.user)  # held for review once approved
        from civwatch.cases.staff_review import tell_if_held

        tell_if_held(request, form.instance)
        return redirect("cases:staff_incident", pk=incident.pk)
    return render(request, "cases/staff_incident_form.html", {"form": form, "incident": incident})


@role_required("contributor")
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.select_related("incident_type"), pk=pk)
    if not readable(request.user, incident):
        raise Http404
    user = request.user
    claims = [
        {"claim": c, "moves": allowed_moves(c, user), "history": c.history()}
        for c in incident.claims.prefetch_related("citations__item")
        if readable(user, c)
    ]
    context = {
        "incident": incident,
        "data": public.serialise(incident, staff_level(user, incident)),
        "participants": [
            p for p in incident.participants.select_related("entity") if readable(user, p)
        ],
        "evidence": [e for e in incident.evidence_items.all() if readable(user, e)],
        "claims": claims,
        "moves": allowed_moves(incident, user),
        "history": incident.history(),
        "participant_form": ParticipantForm(),
        "evidence_form": EvidenceForm(),
        "claim_form": ClaimForm(incident=incident),
    }
    return render(request, "cases/staff_incident.html", context)


@require_POST
@role_required("contributor")
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident, pk=pk)
    form = ParticipantForm(request.POST)
    if not form.is_valid():
        return render_form_errors(request, incident, form)
    data = form.cleaned_data
    entity_id = data["entity_id"].strip()
    add_participant(
        incident=incident,
        user=request.user,
        entity=Entity.objects.get(pk=entity_id) if entity_id else None,
        name=data["new_name"],
        kind=data["new_kind"],
        role=data["role"],
        involvement=data["involvement"],
        visibility=data["visibility"],
    )
    return redirect("cases:staff_incident", pk=incident.pk)


@require_POST
@role_required("contributor")
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident, pk=pk)
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
    incident = get_object_or_404(Incident, pk=pk)
    form = ClaimForm(request.POST, incident=incident)
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
    record = get_object_or_404(MOVABLE[model], pk=pk)
    form = MoveForm(request.POST)
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
    waiting = [ReviewStatus.IN_REVIEW, ReviewStatus.VERIFIED]
    context = {
        "incidents": Incident.objects.filter(status__in=waiting).select_related("created_by"),
        "claims": Claim.objects.filter(status__in=waiting).select_related("incident", "created_by"),
    }
    return render(request, "cases/staff_review.html", context)


@role_required("contributor")
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(EvidenceItem, pk=pk)
    if not readable(request.user, item):
        raise Http404
    item.log(CustodyEvent.Action.VIEWED, request.user)
    context = {
        "item": item,
        "data": public.serialise(item, staff_level(request.user, item)),
        "custody": item.custody.select_related("user"),
    }
    return render(request, "cases/staff_evidence.html", context)


@role_required("contributor")
def evidence_original(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(EvidenceItem, pk=pk)
    if not item.file_path or not readable(request.user, item):
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
    item = get_object_or_404(EvidenceItem, pk=pk)
    if not readable(request.user, item):
        raise Http404
    return preview_response(item)
