"""Public pages, feed and export: every one of them renders what civwatch.cases.public gives."""

import json

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from civwatch.cases import public
from civwatch.cases.models import IncidentType
from civwatch.evidence.previews import preview_response


def incident_list(request: HttpRequest) -> HttpResponse:
    incidents = public.incidents()
    type_code = request.GET.get("type", "")
    if type_code:
        incidents = incidents.filter(incident_type__code=type_code[:64])
    page = Paginator(incidents.order_by("-date", "id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/public_list.html",
        {
            "page": page,
            "incidents": [public.serialise(i) for i in page],
            "cases": [public.serialise(c) for c in public.cases()[:100]],
            "types": IncidentType.objects.all(),
            "type_code": type_code,
        },
    )


def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = public.incident_view(get_object_or_404(public.incidents(), pk=pk))
    return render(request, "cases/public_incident.html", {"incident": incident})


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = public.case_view(get_object_or_404(public.cases(), pk=pk))
    return render(request, "cases/public_case.html", {"case": case})


def evidence_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview of an item the public may see: marked public and cited by a published claim."""
    return preview_response(get_object_or_404(public.evidence(), pk=pk))


def export_incidents(request: HttpRequest) -> StreamingHttpResponse:
    """Every public incident with its public participants, claims and evidence, as JSON lines."""
    lines = (
        json.dumps(public.incident_view(i), ensure_ascii=False) + "\n"
        for i in public.incidents().order_by("date", "id").iterator(chunk_size=500)
    )
    response = StreamingHttpResponse(lines, content_type="application/x-ndjson; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="incidents.jsonl"'
    return response


class IncidentsFeed(Feed):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("civwatch: documented incidents")

    def link(self) -> str:
        return reverse("cases:list")

    def items(self) -> list[dict]:
        return [public.serialise(i) for i in public.incidents().order_by("-updated_at")[:50]]

    def item_title(self, item: dict) -> str:
        return item.get("title", "")

    def item_description(self, item: dict) -> str:
        return item.get("description", "")

    def item_link(self, item: dict) -> str:
        return reverse("cases:incident", args=[item["id"]])
