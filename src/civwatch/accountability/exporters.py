"""`civwatch export accountability`: the published list as FollowTheMoney JSON lines."""

from civwatch.accountability.exports import ftm_entries
from civwatch.core.exporters import add_output_arguments, write_export
from civwatch.core.subcommands import EXPORTERS, Subcommand


def export_accountability(options: dict, command) -> None:
    write_export(command, "accountability", ftm_entries(), options)


EXPORTERS["accountability"] = Subcommand(
    name="accountability",
    help="Published accountability entries (Person) and their acts (Event) as FtM JSON lines.",
    add_arguments=lambda parser: add_output_arguments(parser, formats=("jsonl",)),
    run=export_accountability,
)
