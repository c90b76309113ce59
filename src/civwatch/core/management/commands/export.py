from civwatch.core.subcommands import EXPORTERS, UmbrellaCommand


class Command(UmbrellaCommand):
    help = "Export open data: civwatch export WHAT ... (see civwatch export WHAT --help)."
    subcommands = EXPORTERS
    metavar = "WHAT"
