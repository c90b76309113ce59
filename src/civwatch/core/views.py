"""The audit log for administrators: /staff/audit/ (docs/audit.md)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civwatch.accounts.models import has_role
from civwatch.core import audit
from civwatch.core.models import AuditAction, AuditEvent

PAGE_SIZE = 50


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, "admin"):
        raise PermissionDenied
    filters = {
        "user": request.GET.get("user", "").strip(),
        "action": request.GET.get("action", "").strip(),
        "record": request.GET.get("record", "").strip(),
    }
    events = AuditEvent.objects.order_by("-seq")
    if filters["user"]:
        user = filters["user"]
        # An id too long for the column matches nothing (and must not reach the database).
        if user.isdigit():
            events = events.filter(user_id=int(user)) if len(user) < 18 else events.none()
        else:
            events = events.filter(actor=user)
    if filters["action"] in AuditAction.values:
        events = events.filter(action=filters["action"])
    if filters["record"]:
        # "cases.Incident" or "cases.Incident 12" (also "cases.Incident #12").
        label, _, pk = filters["record"].partition(" ")
        events = events.filter(model__iexact=label)
        if pk.strip().lstrip("#"):
            events = events.filter(object_id=pk.strip().lstrip("#"))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    verification = audit.verify() if request.GET.get("verify") == "1" else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "filters": filters,
            "actions": AuditAction.choices,
            "verification": verification,
            "query": query.urlencode(),
        },
    )
