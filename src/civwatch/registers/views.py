from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from civwatch.entities.models import Entity
from civwatch.registers.charts import stacked_monthly_chart
from civwatch.registers.forms import ChangeFilterForm, DesignationFilterForm
from civwatch.registers.models import Change, Designation, LegalBasis, Register, Snapshot
from civwatch.registers.queries import designations_per_month, filter_designations

PAGE_SIZE = 50


def query_without_page(request) -> str:
    """The current filters, to carry over in pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def register_list(request):
    form = DesignationFilterForm(request.GET or None)
    designations = filter_designations(
        Designation.objects.select_related("entity", "legal_basis", "register"), **form.filters()
    ).order_by("-listed_on", "register", "id")
    page = Paginator(designations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registers/register_list.html",
        {"form": form, "page": page, "query": query_without_page(request)},
    )


def entity_detail(request, entity_id: str):
    designations = Designation.objects.select_related(
        "register", "legal_basis", "first_seen", "last_seen"
    ).prefetch_related(
        Prefetch("changes", Change.objects.select_related("snapshot").order_by("snapshot__as_of")),
        Prefetch("snapshots", Snapshot.objects.order_by("as_of", "file_name")),
    )
    entity = get_object_or_404(
        Entity.objects.prefetch_related(
            "names", "identifiers", "websites", "members", "member_of",
            Prefetch("designations", designations),
        ),
        pk=entity_id,
    )  # fmt: skip
    return render(request, "registers/entity_detail.html", {"entity": entity})


def change_list(request):
    form = ChangeFilterForm(request.GET or None)
    snapshots = Snapshot.objects.select_related("register").order_by("-as_of", "-file_name")
    counted = Change.objects.all()
    if form.is_valid():
        if form.cleaned_data["register"]:
            snapshots = snapshots.filter(register=form.cleaned_data["register"])
        if form.cleaned_data["kind"]:
            counted = counted.filter(kind=form.cleaned_data["kind"])
            snapshots = snapshots.filter(changes__kind=form.cleaned_data["kind"]).distinct()
    snapshots = snapshots.annotate(
        **{
            f"n_{kind}": Count("changes", filter=Q(changes__kind=kind), distinct=True)
            for kind in Change.Kind.values
        }
    )
    page = Paginator(snapshots, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registers/change_list.html",
        {"form": form, "page": page, "kinds": Change.Kind, "query": query_without_page(request)},
    )


def snapshot_detail(request, pk: int):
    snapshot = get_object_or_404(Snapshot.objects.select_related("register"), pk=pk)
    changes = snapshot.changes.select_related("designation__entity").order_by("kind", "id")
    kind = request.GET.get("kind")
    if kind in Change.Kind.values:
        changes = changes.filter(kind=kind)
    page = Paginator(changes, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "registers/snapshot_detail.html",
        {
            "snapshot": snapshot,
            "page": page,
            "kinds": Change.Kind,
            "kind": kind,
            "query": query_without_page(request),
        },
    )


def statistics(request):
    register = request.GET.get("register")
    if not Register.objects.filter(slug=register).exists():
        register = None
    rows = designations_per_month(register)
    labels = {b.code: b.short for b in LegalBasis.objects.all()}
    by_basis = (
        filter_designations(Designation.objects.all(), register=register)
        .values("legal_basis")
        .annotate(n=Count("id"), removed=Count("id", filter=Q(status="removed")))
        .order_by("-n")
    )
    return render(
        request,
        "registers/statistics.html",
        {
            "chart": stacked_monthly_chart(rows, labels),
            "rows": rows,
            "labels": labels,
            "by_basis": [{**row, "label": labels.get(row["legal_basis"], "")} for row in by_basis],
            "registers": Register.objects.all(),
            "register": register,
            "title": _("Designations per month, by legal basis"),
        },
    )
