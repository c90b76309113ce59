"""Staff pages for cases and officials' positions: lists, forms, review moves and history.

The same rules as incidents: contributors record drafts and see their own records,
researchers and editors see what their role clears them for, authors see their own record in
full, and only the review workflow (cases.workflow) changes a status.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from civwatch.accounts.models import has_role
from civwatch.cases import public
from civwatch.cases.access import reading_level
from civwatch.cases.forms import CaseForm, PositionForm
from civwatch.cases.models import Case, Position
from civwatch.cases.staff import readable, role_required, staff_level
from civwatch.cases.staff_review import tell_if_held
from civwatch.cases.workflow import allowed_moves


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


def visible_records(user, model):
    if has_role(user, "researcher"):
        return public.public_queryset(model.objects.all(), reading_level(user))
    return model.objects.filter(created_by=user)


@role_required("contributor")
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    spec = KINDS[kind]
    records = visible_records(request.user, spec.model).order_by("-updated_at")[:500]
    rows = [{"record": r, "cells": [getattr(r, c) or "" for c in spec.columns]} for r in records]
    context = {"kind": kind, "spec": spec, "rows": rows}
    return render(request, "cases/staff_records.html", context)


@role_required("contributor")
def record_form(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    spec = KINDS[kind]
    record = None
    if pk is not None:
        record = get_object_or_404(spec.model, pk=pk)
        if record.created_by_id != request.user.pk and not has_role(request.user, "editor"):
            raise PermissionDenied
    form = spec.form(request.POST or None, instance=record and record.with_pending_values())
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if record is None:
            saved.created_by = request.user
        saved.save_with_history(request.user)  # held for review once approved
        tell_if_held(request, saved)
        return redirect(f"cases:staff_{kind}", pk=saved.pk)
    context = {"kind": kind, "spec": spec, "form": form, "record": record}
    return render(
        request, "cases/staff_record_form.html", context, status=400 if form.errors else 200
    )


@role_required("contributor")
def record_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = KINDS[kind]
    record = get_object_or_404(spec.model, pk=pk)
    if not readable(request.user, record):
        raise Http404
    context = {
        "kind": kind,
        "spec": spec,
        "record": record,
        "data": public.serialise(record, staff_level(request.user, record)),
        "moves": allowed_moves(record, request.user),
        "history": record.history(),
        "may_edit": record.created_by_id == request.user.pk or has_role(request.user, "editor"),
    }
    return render(request, "cases/staff_record.html", context)
