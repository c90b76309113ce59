"""Refusing input that no part of civwatch can store or search: NUL bytes, huge ids.

PostgreSQL text cannot hold U+0000, so a NUL byte that reaches a query raises a database
error (a 500) wherever it travels: path, query string, form fields or JSON bodies. No real
name, date or identifier contains one, so the request is refused at the door with a 400
instead of each view guarding against it.

Likewise an `<int:...>` in a URL beyond 64 bits is no row of any table, but looking it up
through a foreign key fails in the database driver; such a URL is a 404 for every view.
"""

import json
from collections.abc import Callable, Iterable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

from civwatch.core.params import MAX_DB_INT

MESSAGE = "NUL bytes are not allowed in requests."
JSON_NUL = b"\\u0000"


def contains_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def json_contains_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(json_contains_nul(k) or json_contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(json_contains_nul(v) for v in value)
    return False


class RefuseNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.has_nul(request):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE}, status=400)
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not -MAX_DB_INT <= value <= MAX_DB_INT:
                raise Http404("No such record.")

    @staticmethod
    def has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if contains_nul(request.GET.keys()) or contains_nul(
            v for values in request.GET.lists() for v in values[1]
        ):
            return True
        content_type = request.content_type or ""
        if request.method == "POST" and content_type in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            # Parsing the form here leaves request.POST and FILES cached for the view.
            return contains_nul(request.POST.keys()) or contains_nul(
                v for values in request.POST.lists() for v in values[1]
            )
        if content_type == "application/json" and JSON_NUL in request.body:
            # Only a body that spells out \u0000 can decode to a NUL: parse those alone.
            try:
                return json_contains_nul(json.loads(request.body))
            except ValueError:
                return False  # malformed JSON: the API answers it with its own 4xx
        return False
