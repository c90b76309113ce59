"""`civwatch export accountability`: the published list as FollowTheMoney JSON lines."""

from civwatch.accountability.exports import ftm_entries
from civwatch.core.exporters import add_output_arguments, output_stream, write_rows
from civwatch.core.subcommands import EXPORTERS, Subcommand


def export_accountability(options: dict, command) -> None:
    with output_stream(options["output"], command) as stream:
        write_rows(ftm_entries(), [], "jsonl", stream)


EXPORTERS["accountability"] = Subcommand(
    name="accountability",
    help="Published accountability entries (Person) and their acts (Event) as FtM JSON lines.",
    add_arguments=lambda parser: add_output_arguments(parser, formats=("jsonl",)),
    run=export_accountability,
)
