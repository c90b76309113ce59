"""Reviewers' pages: the list of initiatives, one initiative with its attachments, questions
and answers, and the editors' decisions. Access is decided by civwatch.accounts.permissions
(researchers read, editors decide, the organisers' contact is for editors only)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civwatch.accounts import permissions
from civwatch.cases.models import Incident
from civwatch.core.errors import UserError
from civwatch.evidence.ingest import is_destroyed, read_original
from civwatch.evidence.models import CustodyEvent
from civwatch.evidence.storage import DamagedFile
from civwatch.initiatives import sanitise, workflow
from civwatch.initiatives.forms import (
    HoldForm,
    MoveForm,
    OutcomeForm,
    PublishForm,
    QuestionForm,
    SupportForm,
)
from civwatch.initiatives.models import Initiative


def readable_initiative(request: HttpRequest, pk: int) -> Initiative:
    """The initiative, or 404 for a missing one and for a user who may not read initiatives."""
    if not permissions.can_read_initiatives(request.user):
        raise Http404
    return get_object_or_404(Initiative, pk=pk)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not permissions.can_read_initiatives(request.user):
        raise PermissionDenied
    wanted = request.GET.get("status", "")
    initiatives = Initiative.objects.all()
    if wanted in Initiative.Status.values:
        initiatives = initiatives.filter(status=wanted)
    return render(
        request,
        "initiatives/staff_list.html",
        {
            "initiatives": initiatives[:500],
            "statuses": Initiative.Status.choices,
            "wanted": wanted,
        },
    )


def detail_context(request: HttpRequest, initiative: Initiative, **forms) -> dict:
    user = request.user
    fields = permissions.initiative_fields(user, initiative)
    may_change = permissions.can_change_initiatives(user)
    attachments = [
        {
            "attachment": a,
            "number": n,
            "labels": sanitise.labels(a.metadata_found),
            "original": may_change and permissions.can_view(user, a.original),
            "destroyed": is_destroyed(a.original),
        }
        for n, a in enumerate(initiative.attachments.select_related("original", "working"), 1)
    ]
    incident = initiative.incident
    if incident is not None and not permissions.can_view(user, incident):
        incident = None
    context = {
        "initiative": initiative,
        "show_contact": "organisers_contact" in fields,
        "may_change": may_change,
        "attachments": attachments,
        "supports": initiative.support_actions.all(),
        "messages_list": initiative.messages.all(),
        "incident": incident,
    }
    if may_change:
        context.update(
            move_form=forms.get("move") or MoveForm(),
            question_form=forms.get("question") or QuestionForm(),
            support_form=forms.get("support") or SupportForm(),
            outcome_form=forms.get("outcome")
            or OutcomeForm(
                initial={
                    "outcome": initiative.outcome,
                    "note": initiative.outcome_note,
                    "incident": incident.pk if incident else None,
                }
            ),
            publish_form=forms.get("publish")
            or PublishForm(initial={"published": initiative.published}),
            hold_form=forms.get("hold") or HoldForm(initial={"legal_hold": initiative.legal_hold}),
        )
    return context


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = readable_initiative(request, pk)
    return render(request, "initiatives/staff_detail.html", detail_context(request, initiative))


def _move(request, initiative, form) -> None:
    workflow.move(initiative, request.user, form.cleaned_data["to"], form.cleaned_data["reason"])


def _question(request, initiative, form) -> None:
    workflow.ask(initiative, request.user, form.cleaned_data["text"])


def _support(request, initiative, form) -> None:
    workflow.add_support(
        initiative, request.user, form.cleaned_data["kind"], form.cleaned_data["note"]
    )


def _outcome(request, initiative, form) -> None:
    incident = None
    if form.cleaned_data["incident"]:
        # Linking needs the right to read the incident: an unreadable one is a missing one.
        incident = permissions.get_readable_or_404(
            request.user, Incident, pk=form.cleaned_data["incident"]
        )
    workflow.record_outcome(
        initiative, form.cleaned_data["outcome"] or "", form.cleaned_data["note"], incident
    )


def _publish(request, initiative, form) -> None:
    workflow.publish(initiative, form.cleaned_data["published"])


def _hold(request, initiative, form) -> None:
    workflow.hold(initiative, form.cleaned_data["legal_hold"])


ACTIONS: dict[str, tuple[type, Callable]] = {
    "move": (MoveForm, _move),
    "question": (QuestionForm, _question),
    "support": (SupportForm, _support),
    "outcome": (OutcomeForm, _outcome),
    "publish": (PublishForm, _publish),
    "hold": (HoldForm, _hold),
}


@require_POST
@login_required
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    initiative = readable_initiative(request, pk)
    if action not in ACTIONS:
        raise Http404
    if not permissions.can_change_initiatives(request.user):
        raise PermissionDenied
    form_class, apply = ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            apply(request, initiative, form)
        except UserError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect("initiatives:staff_detail", pk=initiative.pk)
    initiative.refresh_from_db()
    context = detail_context(request, initiative, **{action: form})
    return render(request, "initiatives/staff_detail.html", context, status=400)


@login_required
def attachment_file(request: HttpRequest, pk: int, number: int, which: str) -> HttpResponse:
    """An attachment's working copy (readers of initiatives) or original (editors only)."""
    initiative = readable_initiative(request, pk)
    attachments = list(initiative.attachments.select_related("original", "working"))
    if not 1 <= number <= len(attachments) or which not in ("working", "original"):
        raise Http404
    attachment = attachments[number - 1]
    item = attachment.working if which == "working" else attachment.original
    if which == "original" and not permissions.can_change_initiatives(request.user):
        raise Http404
    item = permissions.get_readable_or_404(request.user, type(item), pk=item.pk)
    if which == "original":
        permissions.note_confidential_read(request.user, item, ["file"])
    if is_destroyed(item):
        return HttpResponse(
            _("This original was destroyed when the initiative's retention period ended."),
            status=410,
        )
    try:
        data = read_original(item)
    except DamagedFile:
        return HttpResponse(
            _("This file is damaged or missing; an administrator has been told."), status=410
        )
    item.log(CustodyEvent.Action.VIEWED, request.user, f"initiative #{initiative.pk}")
    suffix = workflow.SUFFIXES.get(item.media_type, "")
    response = HttpResponse(data, content_type=item.media_type)
    response["Content-Disposition"] = (
        f'attachment; filename="initiative-{initiative.pk}-{number}-{which}{suffix}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
