"""Umbrella commands (`civwatch import SOURCE`, `civwatch export WHAT`) whose sub-commands
are contributed by the domain apps from their AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    add_arguments: Callable[[Any], None]
    run: Callable[[dict, Any], None]  # (options, command) -> None; raises CommandError


IMPORTERS: dict[str, Subcommand] = {}
EXPORTERS: dict[str, Subcommand] = {}


class UmbrellaCommand(BaseCommand):
    subcommands: dict[str, Subcommand]
    metavar: str

    def add_arguments(self, parser):
        choices = parser.add_subparsers(dest="subcommand", required=True, metavar=self.metavar)
        for sub in self.subcommands.values():
            sub.add_arguments(choices.add_parser(sub.name, help=sub.help, description=sub.help))

    def handle(self, *args, subcommand: str, **options):
        self.subcommands[subcommand].run(options, self)
