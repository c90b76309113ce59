"""The `civwatch import SOURCE ...` sub-commands, contributed by each domain app."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Importer:
    name: str
    help: str
    add_arguments: Callable[[Any], None]
    run: Callable[[dict, Any], None]  # (options, command) -> None; raises CommandError


IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    IMPORTERS[importer.name] = importer
