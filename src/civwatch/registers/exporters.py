"""`civwatch export designations|ftm` and `civwatch changes`."""

from civwatch.core.exporters import (
    add_output_arguments,
    check_output_arguments,
    output_stream,
    write_rows,
)
from civwatch.core.subcommands import EXPORTERS, Subcommand
from civwatch.registers.exports import (
    CHANGE_COLUMNS,
    DESIGNATION_COLUMNS,
    change_rows,
    designation_rows,
    ftm_entities,
)
from civwatch.registers.sources import FORMATS


def add_register_argument(parser) -> None:
    parser.add_argument("--register", required=True, choices=list(FORMATS))


def add_designation_arguments(parser) -> None:
    add_register_argument(parser)
    add_output_arguments(parser)


def export_designations(options: dict, command) -> None:
    check_output_arguments(options)
    with output_stream(options["output"], command) as stream:
        rows = designation_rows(options["register"])
        write_rows(rows, DESIGNATION_COLUMNS, options["format"], stream, excel=options["excel"])


def export_changes(options: dict, command) -> None:
    check_output_arguments(options)
    with output_stream(options["output"], command) as stream:
        rows = change_rows(options["register"], options["since"])
        write_rows(rows, CHANGE_COLUMNS, options["format"], stream, excel=options["excel"])


def export_ftm(options: dict, command) -> None:
    with output_stream(options["output"], command) as stream:
        write_rows(ftm_entities(), [], "jsonl", stream)


EXPORTERS["designations"] = Subcommand(
    name="designations",
    help="One row per designation of a register (JSON lines or CSV).",
    add_arguments=add_designation_arguments,
    run=export_designations,
)
EXPORTERS["ftm"] = Subcommand(
    name="ftm",
    help="Entities, memberships and designations as FollowTheMoney JSON lines.",
    add_arguments=lambda parser: add_output_arguments(parser, formats=("jsonl",)),
    run=export_ftm,
)
