"""JSON API of the open-data releases: each release's index (time, counts, files, sha256)."""

from typing import Any

from django.http import Http404
from ninja import Router

from civwatch.releases.reading import release, releases

router = Router(tags=["releases"])


@router.get("/releases", response=list[dict[str, Any]])
def list_releases(request):
    """Every release, newest first, as its `index.json` says."""
    return [r.index for r in releases()]


@router.get("/releases/{name}", response=dict[str, Any])
def get_release(request, name: str):
    found = release(name)
    if found is None:
        raise Http404("No such release.")
    return found.index
