"""`civwatch export initiatives`: published initiatives, the same rows as the page and the API
(civwatch.initiatives.public)."""

from civwatch.core.exporters import add_output_arguments, write_export
from civwatch.core.subcommands import EXPORTERS, Subcommand
from civwatch.initiatives import public


def export_initiatives(options: dict, command) -> None:
    write_export(command, "initiatives", public.rows(), options, public.COLUMNS)


EXPORTERS["initiatives"] = Subcommand(
    name="initiatives",
    help="Published citizens' initiatives: kind, city, date, address if public, support given.",
    add_arguments=lambda parser: add_output_arguments(parser, formats=("jsonl", "csv")),
    run=export_initiatives,
)
