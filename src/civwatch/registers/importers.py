"""`civwatch import foreign-agents|undesirable FILE...`."""

import datetime
from pathlib import Path

from django.core.management.base import CommandError
from tqdm import tqdm

from civwatch.core.importers import Importer, register_importer
from civwatch.registers.importing import SUSPECT_POLICIES, SnapshotApplier, SuspectSnapshot
from civwatch.registers.models import Register
from civwatch.registers.sources import SourceError, file_sha256, read_snapshot


def add_arguments(parser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument(
        "--as-of",
        type=datetime.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="date of the snapshot (one file only); default: from the file name",
    )
    parser.add_argument(
        "--suspect",
        choices=SUSPECT_POLICIES,
        default="stop",
        help="what to do with a snapshot whose changes look like a scraping accident: "
        "stop (default, nothing written), skip it, confirm it as fact, or keep-previous "
        "(record it, but keep the previous values of the suspect fields)",
    )


def import_snapshots(register_slug: str, options: dict, command) -> None:
    files: list[Path] = options["files"]
    if options["as_of"] and len(files) > 1:
        raise CommandError("--as-of applies to a single file")
    register = Register.objects.get(slug=register_slug)
    applied = set(register.snapshots.values_list("sha256", flat=True))
    try:
        pending = [path for path in files if file_sha256(path) not in applied]
        sources = [read_snapshot(path, register_slug, options["as_of"]) for path in pending]
    except SourceError as error:
        raise CommandError(str(error)) from None
    for path in sorted(set(files) - set(pending)):
        command.stdout.write(f"{path.name}: already applied, nothing to do")
    sources.sort(key=lambda s: (s.as_of, s.path.name))
    applier = SnapshotApplier(register)
    progress = tqdm(sources, desc=register_slug, unit="snapshot", disable=None)
    for source in progress:
        progress.set_postfix_str(source.path.name)
        try:
            report = applier.apply(source, options["suspect"])
        except SuspectSnapshot as suspect:
            raise CommandError(
                f"{suspect.report.describe()}\nThis looks like a scraping accident, not a "
                "change in the register. Nothing from this file was written. Re-run with "
                "--suspect skip, --suspect keep-previous or --suspect confirm."
            ) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        with tqdm.external_write_mode():
            command.stdout.write(report.describe())


for slug, label in (("foreign-agents", "foreign agents"), ("undesirable", "undesirable")):
    register_importer(
        Importer(
            name=slug,
            help=f"Apply snapshots (JSON or CSV) of the register of {label}, in date order.",
            add_arguments=add_arguments,
            run=lambda options, command, slug=slug: import_snapshots(slug, options, command),
        )
    )
