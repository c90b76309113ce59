"""`civwatch export designations|ftm` and `civwatch changes`."""

from civwatch.core.exporters import add_output_arguments, write_export
from civwatch.core.subcommands import EXPORTERS, Subcommand
from civwatch.registers.exports import (
    CHANGE_COLUMNS,
    DESIGNATION_COLUMNS,
    change_rows,
    designation_rows,
    ftm_entities,
)
from civwatch.registers.models import RegisterSlug


def add_register_argument(parser) -> None:
    parser.add_argument("--register", required=True, choices=RegisterSlug.values)


def add_designation_arguments(parser) -> None:
    add_register_argument(parser)
    add_output_arguments(parser)


def export_designations(options: dict, command) -> None:
    rows = designation_rows(options["register"])
    write_export(command, "designations", rows, options, DESIGNATION_COLUMNS)


def export_changes(options: dict, command) -> None:
    rows = change_rows(options["register"], options["since"])
    write_export(command, "changes", rows, options, CHANGE_COLUMNS)


def export_ftm(options: dict, command) -> None:
    flagged: list[str] = []
    write_export(command, "ftm", ftm_entities(flagged), options)
    if flagged:
        # Said on stderr (stdout may be the export itself); entity ids, never names.
        command.stderr.write(
            f"{len(flagged)} INN(s) fail the INN checksum and are exported as taxNumber with "
            f"a note, not as innCode: {', '.join(flagged)}"
        )


EXPORTERS["designations"] = Subcommand(
    name="designations",
    help="One row per designation of a register (JSON lines or CSV).",
    add_arguments=add_designation_arguments,
    run=export_designations,
)
EXPORTERS["ftm"] = Subcommand(
    name="ftm",
    help="Listed entities (in a register or members of a listed organisation), their "
    "memberships and designations as FollowTheMoney JSON lines; never case-only people.",
    add_arguments=lambda parser: add_output_arguments(parser, formats=("jsonl",)),
    run=export_ftm,
)
