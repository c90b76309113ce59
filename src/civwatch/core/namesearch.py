"""Name search on staff lists without the name in any URL.

A staff list's filters (status, dataset, sorting, page) are GET parameters, so a filtered
list can be paged, bookmarked and shared. A name typed into its search box is personal
data and must not be in a URL (access logs, proxies, browser histories: docs/operations.md),
so the search form is a POST: the name waits in the user's session and the URL carries
only a random token (`?search=...`) that means nothing outside that session. Pagination
links keep the token like any other filter, and opening the list afresh (from the menu)
shows it unfiltered.
"""

import secrets

from django import forms
from django.http import HttpRequest, HttpResponseRedirect, QueryDict
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "civwatch_name_searches"
SEARCH_PARAM = "search"
NAME_FIELD = "name"
# The POST of a list's search form carries this field (the page may have other forms).
MARKER = "name_search"
KEPT = 20  # searches remembered per session: older tokens stop working
NOT_FILTERS = {"csrfmiddlewaretoken", MARKER, NAME_FIELD, SEARCH_PARAM, "page"}


def name_field() -> forms.CharField:
    """The search box of a list's filter form (its field is called NAME_FIELD)."""
    return forms.CharField(
        label=_("Name"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("Cyrillic or Latin"), "type": "search"}),
    )


def recall(request: HttpRequest, query: QueryDict | None = None) -> str:
    """The name behind the token of `query` (default: the request's GET), or ""."""
    token = (request.GET if query is None else query).get(SEARCH_PARAM, "")
    return request.session.get(SESSION_KEY, {}).get(token, "") if token else ""


def remember(request: HttpRequest, name: str) -> str:
    """Keep a typed name in the session; return the token that stands for it."""
    searches = dict(request.session.get(SESSION_KEY, {}))
    token = secrets.token_urlsafe(9)
    searches[token] = name
    request.session[SESSION_KEY] = dict(list(searches.items())[-KEPT:])
    return token


def filter_data(request: HttpRequest, query: QueryDict | None = None) -> QueryDict:
    """The list's filters with the remembered name: what its filter form is bound to."""
    data = (request.GET if query is None else query).copy()
    data[NAME_FIELD] = recall(request, query)
    return data


def posted_search(request: HttpRequest) -> HttpResponseRedirect | None:
    """For the POST of a list's search form: a redirect to the list's URL with the filters
    as GET parameters and the name (if any) behind a token; None for any other request."""
    if request.method != "POST" or MARKER not in request.POST:
        return None
    query = QueryDict(mutable=True)
    for key in request.POST:
        if key not in NOT_FILTERS:
            values = [v for v in request.POST.getlist(key) if v]
            if values:
                query.setlist(key, values)
    name = request.POST.get(NAME_FIELD, "").strip()
    if name:
        query[SEARCH_PARAM] = remember(request, name[:300])
    return HttpResponseRedirect(f"{request.path}?{query.urlencode()}" if query else request.path)


def page_query(request: HttpRequest) -> str:
    """The list's GET parameters without the page number, for pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
