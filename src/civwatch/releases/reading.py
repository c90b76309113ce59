"""The releases the site serves: complete release folders in `settings.CIVWATCH_RELEASES`.

A release is known by its `index.json`; only the files that index lists are ever served, so
nothing else put in the folder (a partial release, a stray file) reaches the public.
"""

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse

from civwatch.releases.writing import INDEX, parse_name, release_folders


@dataclass(frozen=True)
class Release:
    name: str
    folder: Path
    index: dict[str, Any]

    @property
    def created(self) -> datetime.datetime:
        return datetime.datetime.fromisoformat(self.index["created"])

    @property
    def resources(self) -> list[dict[str, Any]]:
        return self.index.get("resources", [])

    def get_absolute_url(self) -> str:
        return reverse("releases:detail", args=[self.name])

    def file_url(self, path: str) -> str:
        return reverse("releases:file", args=[self.name, path])

    def file(self, path: str) -> Path | None:
        """The file `path` of this release if its index lists it, else None."""
        if path not in {r["path"] for r in self.resources} | {INDEX}:
            return None
        return self.folder / path


def load(folder: Path) -> Release | None:
    try:
        index = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # not a release the site can describe: not served
    if not isinstance(index, dict) or index.get("release") != folder.name:
        return None
    return Release(folder.name, folder, index)


def releases() -> list[Release]:
    """Every complete release, newest first."""
    found = [load(folder) for folder in release_folders(Path(settings.CIVWATCH_RELEASES))]
    return [r for r in reversed(found) if r is not None]


def release(name: str) -> Release | None:
    if not parse_name(name):
        return None
    return load(Path(settings.CIVWATCH_RELEASES) / name)
