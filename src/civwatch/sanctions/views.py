"""Public pages (datasets, entries, versions) and the staff page that decides links."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from civwatch.accounts import permissions
from civwatch.accounts.models import has_role
from civwatch.accounts.permissions import role_required
from civwatch.core import namesearch
from civwatch.registers.provenance import dataset_sources
from civwatch.sanctions import wording
from civwatch.sanctions.forms import BulkDecisionForm, DecisionForm, EntrySearchForm, LinkFilterForm
from civwatch.sanctions.models import Dataset, DatasetVersion, Link, ListEntry
from civwatch.sanctions.queries import (
    filter_links,
    links_of,
    search_entries,
    shown_links,
    visible_links,
)
from civwatch.sanctions.status import sanctions_status
from civwatch.screening import ranking

PAGE_SIZE = 50


def dataset_list(request: HttpRequest) -> HttpResponse:
    datasets = Dataset.objects.prefetch_related("versions")
    return render(
        request,
        "sanctions/dataset_list.html",
        {"datasets": datasets, "data_sources": dataset_sources()},
    )


def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = get_object_or_404(Dataset, slug=slug)
    form = EntrySearchForm(request.GET or None)
    entries = dataset.entries.filter(present=True)
    searched = form.cleaned_data["q"] if form.is_valid() else ""
    if form.is_valid():
        entries = search_entries(entries, **form.cleaned_data)
    entries = entries.order_by(*ranking.best_first(searched), "name", "source_id")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sanctions/dataset_detail.html",
        {
            "dataset": dataset,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "data_sources": dataset_sources([dataset.slug]),
        },
    )


def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(DatasetVersion.objects.select_related("dataset"), pk=pk)
    changes = version.changes.select_related("entry").order_by("kind", "entry__name")
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sanctions/version_detail.html",
        {
            "version": version,
            "page": page,
            "data_sources": dataset_sources([version.dataset_id]),
            "show_notes": permissions.may_read_import_notes(request.user),
        },
    )


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
            "facts": wording.facts(entry),
            "status": status,
            "merged": merged,
            "links": links,
            "changes": entry.changes.select_related("version").order_by("-version__imported_at"),
            "decision_statuses": Link.Status.choices,
            "can_decide": permissions.may_decide_links(request.user),
            # Staff identities are never public: only researchers see who decided a link.
            "show_deciders": internal,
        },
    )


def filtered_links(request: HttpRequest, query: QueryDict | None = None):
    """The links the user may see as the list's filters select them, and the bound form."""
    form = LinkFilterForm(namesearch.filter_data(request, query))
    links = filter_links(visible_links(request.user), **form.filters())
    return links.order_by(*form.ordering()), form


@role_required("researcher")
def link_list(request: HttpRequest) -> HttpResponse:
    searched = namesearch.posted_search(request)
    if searched:
        return searched
    links, form = filtered_links(request)
    shown_page = Paginator(links.select_related("decided_by"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown_page.object_list = shown_links(request.user, shown_page.object_list)
    query = namesearch.page_query(request)
    return render(
        request,
        "sanctions/link_list.html",
        {
            "form": form,
            "page": shown_page,
            "query": query,
            "can_decide": permissions.may_decide_links(request.user),
            "decision_statuses": Link.Status.choices,
            "show_deciders": True,  # a researchers' page
        },
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def links_decide(request: HttpRequest) -> HttpResponse:
    """Confirm or reject many links: the ticked ones, or all that the page's filter selects.
    Each is decided by Link.decide, as one at a time would be (its own audit event)."""
    if not permissions.may_decide_links(request.user):
        raise PermissionDenied
    form = BulkDecisionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(m for e in form.errors.values() for m in e))
    data = form.cleaned_data
    query = QueryDict(data["query"])
    if query.get(namesearch.SEARCH_PARAM) and not namesearch.recall(request, query):
        # Without its name the filter would select more than the page showed.
        return HttpResponseBadRequest(_("This search has expired: search again."))
    links, _form = filtered_links(request, query)
    if not data["everything"]:
        links = links.filter(pk__in=data["link"])
    elif data["count"] is not None and links.count() != data["count"]:
        return HttpResponseBadRequest(
            _("The links this filter selects have changed since the page was shown: look again.")
        )
    with transaction.atomic():
        decided = 0
        for link in links.select_for_update(of=("self",)):
            link.decide(request.user, data["status"])
            decided += 1
    messages.success(
        request,
        ngettext("%(count)d link decided.", "%(count)d links decided.", decided)
        % {"count": decided},
    )
    return redirect(f"{reverse('sanctions:links')}?{query.urlencode()}")


@require_POST
@login_required
def link_decide(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.may_decide_links(request.user):
        raise PermissionDenied
    link = get_object_or_404(visible_links(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose proposed, confirmed or rejected."))
    link.decide(request.user, form.cleaned_data["status"])
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("sanctions:links")
