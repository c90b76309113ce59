"""Public pages of the open-data releases: the list, one release (with schema.org `Dataset`
JSON-LD for dataset search engines), its files, and an Atom feed."""

import datetime
import json
import mimetypes

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from civwatch.core.feeds import SiteFeed
from civwatch.registers.provenance import (
    DataSource,
    accountability_source,
    organisation,
    register_sources,
)
from civwatch.releases.reading import Release, release, releases
from civwatch.releases.writing import MEDIA_TYPES

# As Django's json_script: the JSON cannot close the <script> element it sits in.
SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def get_release_or_404(name: str) -> Release:
    found = release(name)
    if found is None:
        raise Http404(_("No such release."))
    return found


def dataset_ld(request: HttpRequest, found: Release) -> str:
    """The schema.org Dataset of one release; each file a DataDownload with its sha256."""
    absolute = request.build_absolute_uri
    index = found.index
    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": f"civwatch open data {found.name}",
        "description": _(
            "Russia's registers of 'foreign agents' and 'undesirable' organisations with "
            "their history of changes, and the published accountability list."
        ),
        "url": absolute(found.get_absolute_url()),
        "version": found.name,
        "datePublished": index["created"],
        "dateModified": index.get("last_change") or index["created"],
        "isAccessibleForFree": True,
        "distribution": [
            {
                "@type": "DataDownload",
                "name": r["path"],
                "contentUrl": absolute(found.file_url(r["path"])),
                "encodingFormat": r.get("mediatype", ""),
                "contentSize": str(r["bytes"]),
                "sha256": r["hash"].removeprefix("sha256:"),
            }
            for r in found.resources
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1).translate(SCRIPT_ESCAPES)


def release_list(request: HttpRequest) -> HttpResponse:
    found = releases()
    return render(
        request,
        "releases/release_list.html",
        {"releases": found, "data_sources": release_sources(found[0] if found else None)},
    )


def release_sources(newest: Release | None) -> list[DataSource]:
    """The releases as of the newest one's data (its last register change, else the day it was
    made), and what they are made from."""
    as_of = None
    if newest is not None:
        last = newest.index.get("last_change")
        as_of = datetime.date.fromisoformat(last) if last else newest.created.date()
    title = _("Open-data releases")
    return [DataSource(title, organisation(), reverse("releases:list"), as_of),
            *register_sources(), accountability_source()]  # fmt: skip


def release_detail(request: HttpRequest, name: str) -> HttpResponse:
    found = get_release_or_404(name)
    context = {"release": found, "dataset_ld": dataset_ld(request, found)}
    return render(request, "releases/release_detail.html", context)


def release_file(request: HttpRequest, name: str, path: str) -> FileResponse:
    file = get_release_or_404(name).file(path)
    if file is None or not file.is_file():
        raise Http404(_("No such file in this release."))
    suffix = file.suffix
    content_type = MEDIA_TYPES.get(suffix) or mimetypes.guess_type(file.name)[0]
    return FileResponse(
        file.open("rb"), as_attachment=True, filename=f"{name}-{file.name}",
        content_type=f"{content_type}; charset=utf-8",
    )  # fmt: skip


def feed_state() -> tuple[str, datetime.datetime | None]:
    """The feed changes when a release is added or removed."""
    found = releases()
    return " ".join(r.name for r in found), found[0].created if found else None


class ReleasesFeed(SiteFeed):
    """One entry per release, with what changed since the one before."""

    def title(self) -> str:
        return _("civwatch: open-data releases")

    def link(self) -> str:
        return reverse("releases:list")

    def items(self) -> list[Release]:
        return releases()[:50]

    def item_title(self, item: Release) -> str:
        return item.name

    def item_description(self, item: Release) -> str:
        delta = item.index.get("counts", {}).get("delta", {})
        return _("%(added)s entities added, %(modified)s modified, %(removed)s removed") % {
            k: delta.get(k, 0) for k in ("added", "modified", "removed")
        }

    def last_change(self) -> datetime.datetime | None:
        found = releases()
        return found[0].created if found else None

    def item_link(self, item: Release) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Release):
        return item.created

    def item_updateddate(self, item: Release):
        return item.created
