"""Staff pages of exile files (need-to-know: accounts.permissions decides who reads a file,
and every page showing a file notes the read there) and the public figures page."""

from __future__ import annotations

import json
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civwatch.accounts import permissions
from civwatch.accounts.permissions import role_required
from civwatch.exiles import aggregates, records
from civwatch.exiles.forms import (
    AssignForm,
    ConsentForm,
    FileForm,
    HelpRequestForm,
    SupportActionForm,
)
from civwatch.exiles.keystore import KeyErased
from civwatch.exiles.models import (
    Consent,
    ExileFile,
    HelpRequest,
    RequestState,
    SupportAction,
    SupportKind,
)


def _shown(record: ExileFile) -> ExileFile | None:
    """The file with its values read, or None when its key is gone (erased)."""
    try:
        record.name  # noqa: B018 (reads and decrypts)
    except KeyErased:
        return None
    return record


@role_required("contributor")
def my_files(request: HttpRequest) -> HttpResponse:
    files = list(permissions.readable_exile_files(request.user).prefetch_related("assignees"))
    today = timezone.localdate()
    rows = []
    for record in files:
        permissions.note_exile_read(request.user, record, ["name", "city"])
        rows.append({"record": record, "shown": _shown(record)})
    form = FileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            record = form.apply(ExileFile(created_by=request.user))
            record.save()
            record.assignees.add(request.user)  # whoever opens a file works on it
            form.links(record, request.user)
        return redirect("exiles:file", pk=record.pk)
    status = 400 if request.method == "POST" else 200
    context = {"rows": rows, "form": form, "today": today}
    return render(request, "exiles/my_files.html", context, status=status)


def _file_context(request: HttpRequest, record: ExileFile, **forms) -> dict:
    erased = _shown(record) is None  # its parts cannot be read either: none is shown
    return {
        "record": record,
        "erased": erased,
        "actions": [] if erased else list(record.supportactions.select_related("decided_by")),
        "consents": [] if erased else list(record.consents.all()),
        "caseworkers": list(record.assignees.order_by("username")),
        # Only the cases and incidents this reader may read are named (by number).
        "cases": list(permissions.readable(request.user, record.cases.all())),
        "incidents": list(permissions.readable(request.user, record.incidents.all())),
        "may_assign": permissions.may_assign_caseworkers(request.user),
        "action_form": forms.get("action_form") or SupportActionForm(),
        "consent_form": forms.get("consent_form") or ConsentForm(),
        "assign_form": forms.get("assign_form") or AssignForm(),
        "today": timezone.localdate(),
    }


@role_required("contributor")
def file_page(request: HttpRequest, pk: int) -> HttpResponse:
    record = permissions.get_exile_file_or_404(request.user, pk)
    return render(request, "exiles/file.html", _file_context(request, record))


@role_required("contributor")
def file_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = permissions.get_exile_file_or_404(request.user, pk)
    if _shown(record) is None:
        return render(request, "exiles/file.html", _file_context(request, record), status=410)
    initial = {**FileForm.initial_of(record), **FileForm.initial_links(record, request.user)}
    form = FileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.apply(record).save()
            form.links(record, request.user)
        messages.success(request, _("The file was saved."))
        return redirect("exiles:file", pk=record.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "exiles/file_form.html", {"form": form, "record": record}, status=status)


def _add_to_file(
    request: HttpRequest,
    pk: int,
    part: str,
    form_class: type[forms.Form],
    form_name: str,
    build: Callable[[ExileFile, dict, object], models.Model],
    done: str,
) -> HttpResponse:
    """Add one record to a file's `part`: the caseworker's gate (the read of that part is
    noted), 410 once erased, the form shown again with its errors, else the record saved and
    the file shown with a message."""
    record = permissions.get_exile_file_or_404(request.user, pk, [part])
    if _shown(record) is None:
        return HttpResponse(_("This file was erased."), status=410)
    form = form_class(request.POST)
    if not form.is_valid():
        context = _file_context(request, record, **{form_name: form})
        return render(request, "exiles/file.html", context, status=400)
    build(record, form.cleaned_data, request.user).save()
    messages.success(request, done)
    return redirect("exiles:file", pk=record.pk)


def _support_action(record: ExileFile, data: dict, user: object) -> SupportAction:
    fields = ("kind", "amount", "currency", "decided_on", "provided_on")
    action = SupportAction(file=record, decided_by=user, **{name: data[name] for name in fields})
    action.description, action.outcome = data["description"], data["outcome"]
    return action


def _consent(record: ExileFile, data: dict, user: object) -> Consent:
    consent = Consent(file=record, method=data["method"], given_on=data["given_on"],
                      expires_on=data["expires_on"], recorded_by=user)  # fmt: skip
    consent.scope, consent.purposes = data["scope"], data["purposes"]
    return consent


@require_POST
@role_required("contributor")
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    done = _("The support action was added.")
    return _add_to_file(
        request, pk, "supportactions", SupportActionForm, "action_form", _support_action, done
    )


@require_POST
@role_required("contributor")
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    done = _("The consent was recorded.")
    return _add_to_file(request, pk, "consents", ConsentForm, "consent_form", _consent, done)


@require_POST
@role_required("contributor")
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    record = permissions.get_exile_file_or_404(request.user, pk, ["assignees"])
    if not permissions.may_assign_caseworkers(request.user):
        raise PermissionDenied
    form = AssignForm(request.POST)
    if not form.is_valid():
        context = _file_context(request, record, assign_form=form)
        return render(request, "exiles/file.html", context, status=400)
    if form.cleaned_data["remove"]:
        record.assignees.remove(form.cleaned_data["username"])
    else:
        record.assignees.add(form.cleaned_data["username"])
    return redirect("exiles:file", pk=record.pk)


@require_POST
@role_required("contributor")
def state(request: HttpRequest, pk: int) -> HttpResponse:
    """Close or reopen a file; admins also set and lift the legal hold."""
    record = permissions.get_exile_file_or_404(request.user, pk, ["state"])
    move = request.POST.get("move", "")
    if move in ("hold", "release") and not permissions.may_assign_caseworkers(request.user):
        raise PermissionDenied
    if move == "close" and record.state == "open":
        record.close()
    elif move == "reopen" and record.state == "closed":
        record.reopen()
    elif move in ("hold", "release"):
        record.legal_hold = move == "hold"
    else:
        return HttpResponse(_("Unknown or impossible change of state."), status=400)
    record.save()
    return redirect("exiles:file", pk=record.pk)


@role_required("contributor")
def subject_export(request: HttpRequest, pk: int, fmt: str = "json") -> HttpResponse:
    record = permissions.get_exile_file_or_404(request.user, pk)
    if _shown(record) is None:
        return HttpResponse(_("This file was erased."), status=410)
    data = records.subject_export(record, request.user)
    if fmt == "pdf":
        response = HttpResponse(records.subject_pdf(data), content_type="application/pdf")
    else:
        text = json.dumps(data, ensure_ascii=False, indent=2)
        response = HttpResponse(text, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="exile-file-{record.pk}.{fmt}"'
    return response


def public_figures(request: HttpRequest) -> HttpResponse:
    data = aggregates.figures()
    kinds = dict(SupportKind.choices)
    for row in data["people_per_kind_year"]:
        row["label"] = kinds.get(row["kind"], row["kind"])
    return render(request, "exiles/figures.html", {"data": data})


# The helpline queue ------------------------------------------------------------------------


def _request_shown(request_record: HelpRequest) -> bool:
    try:
        request_record.summary  # noqa: B018 (reads and decrypts)
    except KeyErased:
        return False
    return True


@role_required("contributor")
def helpline(request: HttpRequest) -> HttpResponse:
    """The queue: open requests the user reads, the most escalated first. A caseworker records
    a request taken on duty (it is assigned to them); admins see and assign every one."""
    form = HelpRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = HelpRequest(channel=form.cleaned_data["channel"], assigned_to=request.user)
        record.summary, record.contact = form.cleaned_data["summary"], form.cleaned_data["contact"]
        record.save()
        return redirect("exiles:help_request", pk=record.pk)
    now = timezone.now()
    rows = []
    queue = permissions.readable_help_requests(request.user).exclude(state=RequestState.CLOSED)
    for record in queue.select_related("assigned_to"):
        rows.append(
            {"record": record, "escalation": record.escalation(now),
             "late": record.acknowledgement_late(now), "minutes": record.minutes_waiting(now)}
        )  # fmt: skip
    rows.sort(key=lambda row: (-row["escalation"], row["record"].received_at))
    status = 400 if request.method == "POST" else 200
    return render(request, "exiles/helpline.html", {"rows": rows, "form": form}, status=status)


@role_required("contributor")
def help_request(request: HttpRequest, pk: int) -> HttpResponse:
    record = permissions.get_help_request_or_404(request.user, pk)
    now = timezone.now()
    if request.method == "POST":
        move = request.POST.get("move", "")
        if move == "assign":
            if not permissions.may_assign_caseworkers(request.user):
                raise PermissionDenied
            form = AssignForm(request.POST)
            if not form.is_valid():
                return HttpResponse(_("No active staff member has this user name."), status=400)
            record.assigned_to = form.cleaned_data["username"]
        elif move == "acknowledge" and record.state == RequestState.NEW:
            record.state, record.acknowledged_at = RequestState.ACKNOWLEDGED, now
        elif move == "answer" and record.state in (RequestState.NEW, RequestState.ACKNOWLEDGED):
            record.state, record.answered_at = RequestState.ANSWERED, now
            record.acknowledged_at = record.acknowledged_at or now
        elif move == "close" and record.state != RequestState.CLOSED:
            record.state, record.closed_at = RequestState.CLOSED, now
        else:
            return HttpResponse(_("Unknown or impossible change of state."), status=400)
        record.save()
        return redirect("exiles:help_request", pk=record.pk)
    context = {
        "record": record,
        "shown": _request_shown(record),
        "escalation": record.escalation(now),
        "late": record.acknowledgement_late(now),
        "minutes": record.minutes_waiting(now),
        "may_assign": permissions.may_assign_caseworkers(request.user),
    }
    return render(request, "exiles/help_request.html", context)
