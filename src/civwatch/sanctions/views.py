"""Public pages (datasets, entries, versions) and the staff page that decides links."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civwatch.accounts.models import has_role
from civwatch.accounts.permissions import role_required
from civwatch.sanctions.forms import DecisionForm, EntrySearchForm, LinkFilterForm
from civwatch.sanctions.models import Dataset, DatasetVersion, Link, ListEntry
from civwatch.sanctions.queries import links_of, search_entries, shown_links, visible_links
from civwatch.sanctions.status import sanctions_status

PAGE_SIZE = 50


def dataset_list(request: HttpRequest) -> HttpResponse:
    datasets = Dataset.objects.prefetch_related("versions")
    return render(request, "sanctions/dataset_list.html", {"datasets": datasets})


def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = get_object_or_404(Dataset, slug=slug)
    form = EntrySearchForm(request.GET or None)
    entries = dataset.entries.filter(present=True)
    if form.is_valid():
        entries = search_entries(entries, **form.cleaned_data)
    page = Paginator(entries.order_by("name", "source_id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sanctions/dataset_detail.html",
        {"dataset": dataset, "form": form, "page": page, "query": query.urlencode()},
    )


def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(DatasetVersion.objects.select_related("dataset"), pk=pk)
    changes = version.changes.select_related("entry").order_by("kind", "entry__name")
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sanctions/version_detail.html", {"version": version, "page": page})


def entry_detail(request: HttpRequest, slug: str, source_id: str) -> HttpResponse:
    entry = get_object_or_404(
        ListEntry.objects.select_related("dataset", "first_version", "last_version"),
        dataset=slug,
        source_id=source_id,
    )
    internal = has_role(request.user, "researcher")
    status = sanctions_status(entry.entity, public_only=not internal, with_possible=internal)
    # The person's merged view: every entry joined to this one by confirmed links.
    merged = (
        ListEntry.objects.filter(entity_id__in=status.entity_ids)
        .exclude(pk=entry.pk)
        .select_related("dataset")
    )
    links = shown_links(request.user, links_of([entry.entity_id], request.user).order_by("-score"))
    return render(
        request,
        "sanctions/entry_detail.html",
        {
            "entry": entry,
            "status": status,
            "merged": merged,
            "links": links,
            "changes": entry.changes.select_related("version").order_by("-version__imported_at"),
            "decision_statuses": Link.Status.choices,
            "can_decide": has_role(request.user, "editor"),
            # Staff identities are never public: only researchers see who decided a link.
            "show_deciders": internal,
        },
    )


@role_required("researcher")
def link_list(request: HttpRequest) -> HttpResponse:
    form = LinkFilterForm(request.GET or None)
    links = visible_links(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            links = links.filter(status=data["status"])
        if data["dataset"]:
            links = links.filter(Q(left_dataset=data["dataset"]) | Q(right_dataset=data["dataset"]))
        if data["q"]:
            links = links.filter(
                Q(left_name__icontains=data["q"]) | Q(right_name__icontains=data["q"])
            )
    page = Paginator(
        links.select_related("decided_by").order_by("status", "-score", "pk"), PAGE_SIZE
    )
    shown_page = page.get_page(request.GET.get("page"))
    shown_page.object_list = shown_links(request.user, shown_page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sanctions/link_list.html",
        {
            "form": form,
            "page": shown_page,
            "query": query.urlencode(),
            "can_decide": has_role(request.user, "editor"),
            "decision_statuses": Link.Status.choices,
            "show_deciders": True,  # a researchers' page
        },
    )


@require_POST
@role_required("editor")
def link_decide(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(visible_links(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose proposed, confirmed or rejected."))
    link.decide(request.user, form.cleaned_data["status"])
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("sanctions:links")
