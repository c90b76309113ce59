"""`civwatch import foreign-agents|undesirable|rfm FILE...` and the same as a background job."""

import datetime
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import CommandError
from tqdm import tqdm

from civwatch.core.errors import UserError
from civwatch.core.subcommands import IMPORTERS, Subcommand
from civwatch.jobs.models import Job
from civwatch.jobs.runner import job_kind
from civwatch.registers.importing import SUSPECT_POLICIES, SnapshotApplier, SuspectSnapshot
from civwatch.registers.models import Register, RegisterSlug
from civwatch.registers.rfm import read_rfm_snapshot
from civwatch.registers.sources import SnapshotFile, file_sha256, read_snapshot

HELP = {
    RegisterSlug.RFM: "Apply snapshots of Rosfinmonitoring's list of \"terrorists and "
    'extremists" (NAME,DD.MM.YYYY lines in cp1251, alias lines after their person), '
    "in date order.",
}


def read_source(path: Path, register_slug: str, as_of: datetime.date | None) -> SnapshotFile:
    """A snapshot file read and checked in its register's format."""
    if register_slug == RegisterSlug.RFM:
        return read_rfm_snapshot(path, as_of)
    return read_snapshot(path, register_slug, as_of)


def import_files(
    register_slug: str,
    paths: list[Path],
    *,
    as_of: datetime.date | None = None,
    suspect: str = "stop",
    on_start: Callable[[int], None] = lambda total: None,
    on_snapshot: Callable[[str], None] = lambda line: None,
) -> None:
    """Apply snapshot files in date order; every file is read and checked before any is applied."""
    if as_of and len(paths) > 1:
        raise UserError("--as-of applies to a single file")
    register = Register.objects.get(slug=register_slug)
    applied = set(register.snapshots.values_list("sha256", flat=True))
    # A bad file raises InputError (a UserError) before anything is written.
    pending = [path for path in paths if file_sha256(path) not in applied]
    sources = [read_source(path, register_slug, as_of) for path in pending]
    on_start(len(paths))
    for path in sorted(set(paths) - set(pending)):
        on_snapshot(f"{path.name}: already applied, nothing to do")
    applier = SnapshotApplier(register)
    for source in sorted(sources, key=lambda s: (s.as_of, s.path.name)):
        on_snapshot(apply_one(applier, source, suspect))


def apply_one(applier: SnapshotApplier, source: SnapshotFile, suspect: str) -> str:
    try:
        return applier.apply(source, suspect).describe()
    except SuspectSnapshot as error:
        raise UserError(
            f"{error.report.describe()}\nThis looks like a scraping accident, not a change in "
            "the register. Nothing from this file was written. Choose to skip it, to "
            "keep the previous values of the suspect fields (keep-previous) or to confirm it."
        ) from None
    except ValueError as error:
        raise UserError(str(error)) from None


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


def run_from_command_line(register_slug: str, options: dict, command) -> None:
    progress = tqdm(desc=register_slug, unit="snapshot", disable=None)

    def report(line: str) -> None:
        with tqdm.external_write_mode():
            command.stdout.write(line)
        progress.update()

    try:
        import_files(
            register_slug,
            options["files"],
            as_of=options["as_of"],
            suspect=options["suspect"],
            on_start=lambda total: progress.reset(total),
            on_snapshot=report,
        )
    except UserError as error:
        raise CommandError(str(error)) from None
    finally:
        progress.close()


@job_kind("register-import", idempotent=True)
def import_job(job: Job, register: str, files: list[str], suspect: str) -> None:
    import_files(
        register,
        [Path(f) for f in files],
        suspect=suspect,
        on_start=job.start,
        on_snapshot=job.advance,
    )


for slug, label in RegisterSlug.choices:
    IMPORTERS[slug] = Subcommand(
        name=slug,
        help=HELP.get(
            slug, f"Apply snapshots (JSON or CSV) of the register of {label}, in date order."
        ),
        add_arguments=add_arguments,
        run=lambda options, command, slug=slug: run_from_command_line(slug, options, command),
    )
