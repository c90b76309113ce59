"""The public pages: thin views over the shared queries, rendered on the server."""

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from civwatch.accounts import permissions
from civwatch.entities.models import Entity
from civwatch.registers.charts import stacked_monthly_chart
from civwatch.registers.forms import (
    ChangeFilterForm,
    ChangeKindForm,
    DesignationFilterForm,
    RegisterForm,
)
from civwatch.registers.models import Change, Designation, LegalBasis, Register, Snapshot
from civwatch.registers.provenance import dataset_sources, register_sources
from civwatch.registers.queries import (
    designations_per_month,
    filter_designations,
    names_at_changes,
    snapshots_with_change_counts,
)
from civwatch.registers.timeline import entity_timeline
from civwatch.sanctions.status import sanctions_status
from civwatch.screening import ranking

PAGE_SIZE = 50
CHANGES_PAGE_SIZE = 100


def query_without_page(request: HttpRequest) -> str:
    """The current filters, to carry over in pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def register_list(request: HttpRequest) -> HttpResponse:
    form = DesignationFilterForm(request.GET or None)
    filters = form.filters()
    designations = filter_designations(
        Designation.objects.select_related("entity", "legal_basis", "register"), **filters
    ).order_by(
        *ranking.best_first(filters.get("q")),
        # Rosfinmonitoring's list has no listing dates: its rows come after the dated ones
        # on every database (PostgreSQL would otherwise put NULLs first).
        F("listed_on").desc(nulls_last=True),
        "register",
        "id",
    )
    page = Paginator(designations, PAGE_SIZE).get_page(request.GET.get("page"))
    # The caveat of every register whose rows the list can show (the selected one, or all).
    listed = Designation.objects.filter(register=OuterRef("pk"))
    caveats = Register.objects.exclude(caveat_en="").filter(Exists(listed))
    register = filters.get("register")
    if register:
        caveats = caveats.filter(slug=register)
    return render(
        request,
        "registers/register_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "caveats": caveats,
            "data_sources": register_sources([register] if register else None),
        },
    )


def entity_detail(request: HttpRequest, entity_id: str) -> HttpResponse:
    designations = Designation.objects.select_related(
        "register", "legal_basis", "first_seen", "last_seen"
    ).prefetch_related(
        Prefetch("changes", Change.objects.select_related("snapshot").order_by("snapshot__as_of")),
        Prefetch("snapshots", Snapshot.objects.order_by("as_of", "file_name")),
    )
    entity = get_object_or_404(
        Entity.objects.listed().prefetch_related(
            "names", "identifiers", "websites", "members", "member_of",
            Prefetch("designations", designations),
        ),
        pk=entity_id,
    )  # fmt: skip
    # The status table and the timeline share one public status (the table's own tag would
    # ask again).
    status = sanctions_status(entity, public_only=True)
    listings = [*(listing for found in status.by_jurisdiction.values() for listing in found),
                *status.external]  # fmt: skip
    return render(
        request,
        "registers/entity_detail.html",
        {
            "entity": entity,
            "sanctions": status if status.sanctioned or status.external else None,
            "timeline": entity_timeline(entity, status),
            # The footer: the registers and lists this page shows the entity in.
            "data_sources": [
                *register_sources({d.register_id for d in entity.designations.all()}),
                *(dataset_sources({listing.dataset for listing in listings}) if listings else []),
            ],
        },
    )


def change_list(request: HttpRequest) -> HttpResponse:
    form = ChangeFilterForm(request.GET or None)
    snapshots = snapshots_with_change_counts(form.register_or_none(), form.kind_or_none())
    page = Paginator(snapshots, PAGE_SIZE).get_page(request.GET.get("page"))
    register = form.register_or_none()
    return render(
        request,
        "registers/change_list.html",
        {
            "form": form,
            "page": page,
            "kinds": Change.Kind,
            "query": query_without_page(request),
            "data_sources": register_sources([register] if register else None),
            "show_notes": permissions.may_read_import_notes(request.user),
        },
    )


def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = get_object_or_404(Snapshot.objects.select_related("register"), pk=pk)
    form = ChangeKindForm(request.GET or None)
    changes = snapshot.changes.select_related("designation__entity").order_by("kind", "id")
    if kind := form.kind_or_none():
        changes = changes.filter(kind=kind)
    page = Paginator(changes, CHANGES_PAGE_SIZE).get_page(request.GET.get("page"))
    # Each change shows the name its snapshot gave, not the entity's current name.
    names = names_at_changes(list(page))
    for change in page:
        change.name_then = names.get(change.pk, change.designation.entity.name)
    counts = dict(snapshot.changes.values_list("kind").annotate(n=Count("id")).order_by())
    return render(
        request,
        "registers/snapshot_detail.html",
        {
            "snapshot": snapshot,
            "page": page,
            "kinds": [(value, label, counts.get(value, 0)) for value, label in Change.Kind.choices],
            "kind": kind,
            "total": sum(counts.values()),
            "query": query_without_page(request),
            "data_sources": register_sources([snapshot.register_id]),
            "show_notes": permissions.may_read_import_notes(request.user),
        },
    )


def statistics(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.GET or None)
    register = form.register_or_none()
    rows = designations_per_month(register)
    labels = {basis.code: basis.short for basis in LegalBasis.objects.all()}
    by_basis = (
        filter_designations(Designation.objects.all(), register=register)
        .values("legal_basis")
        .annotate(n=Count("id"), removed=Count("id", filter=Q(status="removed")))
        .order_by("-n")
    )
    chart = stacked_monthly_chart(rows, labels)
    return render(
        request,
        "registers/statistics.html",
        {
            "form": form,
            "chart": chart,
            "by_basis": [{**row, "label": labels.get(row["legal_basis"], "")} for row in by_basis],
        },
    )
