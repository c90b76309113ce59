"""Public pages: the published accountability list and one entry."""

import json

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

from civwatch.accountability import public
from civwatch.accountability.exports import ftm_entries
from civwatch.accountability.sanctions import sanctions_summary
from civwatch.registers.provenance import accountability_source, dataset_sources
from civwatch.sanctions.models import Dataset


def entry_list(request: HttpRequest) -> HttpResponse:
    entries = [
        {**public.entry_view(entry), "sanctions": sanctions_summary(entry.entity)}
        for entry in public.entries()
    ]
    # The list's own date, and those of the official lists its sanctions column reads.
    sources = [accountability_source(), *dataset_sources(kind=Dataset.Kind.OFFICIAL)]
    return render(
        request, "accountability/public_list.html", {"entries": entries, "data_sources": sources}
    )


def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(public.entries(), pk=pk)
    view = {**public.entry_view(entry), "sanctions": sanctions_summary(entry.entity)}
    return render(request, "accountability/public_entry.html", {"entry": view})


def export_ftm(request: HttpRequest) -> StreamingHttpResponse:
    lines = (json.dumps(row, ensure_ascii=False) + "\n" for row in ftm_entries())
    return StreamingHttpResponse(lines, content_type="application/x-ndjson; charset=utf-8")
