"""Staff pages for cases and officials' positions: lists, forms, review moves and history.

The same rules as incidents, all from the access policy (civwatch.accounts.permissions):
contributors record drafts and see the public record, their own and assigned records;
researchers and editors see what their role clears them for; authors and assignees see their
record in full; only the review workflow (cases.workflow) changes a status. Editors assign
staff to a case here.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from civwatch.accounts import permissions
from civwatch.accounts.permissions import role_required
from civwatch.cases import public
from civwatch.cases.forms import AssignForm, CaseForm, PositionForm
from civwatch.cases.models import Case, Position
from civwatch.cases.staff import filtered_records
from civwatch.cases.staff_review import tell_if_held
from civwatch.cases.workflow import review_moves
from civwatch.core import namesearch


@dataclass(frozen=True)
class RecordKind:
    model: type[Model]
    form: type
    plural: Promise
    new: Promise
    edit: Promise
    columns: tuple[str, ...]


KINDS = {
    "case": RecordKind(
        Case, CaseForm, _("Cases (staff)"), _("Record a case"), _("Edit case"),
        ("title", "kind", "opened_on"),
    ),
    "position": RecordKind(
        Position, PositionForm, _("Positions of officials (staff)"), _("Record a position"),
        _("Edit position"), ("entity", "post", "agency"),
    ),
}  # fmt: skip


def label(record: Model, data: dict, kind: str) -> str:
    """A record's name from the fields the reader may see (never str(record), which may use
    hidden ones)."""
    spec = KINDS[kind]
    parts = [data.get(c) for c in spec.columns if data.get(c)]
    text = ", ".join(p["name"] if isinstance(p, dict) else str(p) for p in parts[:3])
    return text or f"#{record.pk}"


@role_required("contributor")
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    searched = namesearch.posted_search(request)
    if searched:
        return searched
    spec = KINDS[kind]
    reader = permissions.Reader(request.user)
    page, form = filtered_records(request, spec.model.objects.all())
    rows = []
    for record in page:
        data = public.serialise(record, reader)
        cells = [data.get(c) or "" for c in spec.columns]
        cells = [c["name"] if isinstance(c, dict) else c for c in cells]
        rows.append({"record": record, "cells": cells, "label": cells[0] or f"#{record.pk}"})
    context = {"kind": kind, "spec": spec, "rows": rows, "page": page, "form": form,
               "query": namesearch.page_query(request)}  # fmt: skip
    return render(request, "cases/staff_records.html", context, status=400 if form.errors else 200)


@role_required("contributor")
def record_form(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    spec = KINDS[kind]
    record = None
    if pk is not None:
        record = permissions.get_readable_or_404(request.user, spec.model, pk=pk)
        if not permissions.can_change(request.user, record):
            raise PermissionDenied
        # The form shows every field of the record: asking the policy for them notes the
        # confidential ones as read.
        permissions.visible_fields(request.user, record)
    extra = {"user": request.user} if kind == "position" else {}
    instance = record and record.with_pending_values()
    form = spec.form(request.POST or None, instance=instance, **extra)
    # "Find" posts the picker's search with the form: the candidates are shown, nothing saved.
    if request.method == "POST" and not getattr(form, "finding", False) and form.is_valid():
        saved = form.save(commit=False)
        if record is None:
            saved.created_by = request.user
        saved.save_with_history(request.user)  # held for review once approved
        tell_if_held(request, saved)
        return redirect(f"cases:staff_{kind}", pk=saved.pk)
    context = {"kind": kind, "spec": spec, "form": form, "record": record}
    failed = not getattr(form, "finding", False) and form.errors
    return render(request, "cases/staff_record_form.html", context, status=400 if failed else 200)


@role_required("contributor")
def record_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = KINDS[kind]
    user = request.user
    record = permissions.get_readable_or_404(user, spec.model, pk=pk)
    reader = permissions.Reader(user)
    data = public.serialise(record, reader)
    context = {
        "kind": kind,
        "spec": spec,
        "record": record,
        "title": label(record, data, kind),
        "data": data,
        "moves": review_moves(record, user),
        "history": record.history(),
        "may_edit": permissions.can_change(user, record),
    }
    if kind == "case":
        incidents = permissions.readable(user, record.incidents.all()).order_by("date", "id")
        context["incidents"] = [(i, public.serialise(i, reader)) for i in incidents]
        context["assignees"] = record.assignees.order_by("username")
        context["may_assign"] = permissions.may_assign(user)
        context["assign_form"] = AssignForm()
    return render(request, "cases/staff_record.html", context)


@require_POST
@role_required("editor")
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a staff member a case (and its incidents) to work on, or take it back."""
    case = permissions.get_readable_or_404(request.user, Case, pk=pk)
    if not permissions.may_assign(request.user):
        raise PermissionDenied
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("cases:staff_case", pk=pk)
    user = get_user_model().objects.get(username=form.cleaned_data["username"])
    if form.cleaned_data["remove"]:
        case.assignees.remove(user)
        action = "unassigned"
    else:
        case.assignees.add(user)
        action = "assigned"
    # The history names the change, not the person's name: user ids are kept with it.
    case.save_with_history(request.user, action=action, note=f"user #{user.pk}")
    messages.success(request, gettext("Assignment saved."))
    return redirect("cases:staff_case", pk=pk)
