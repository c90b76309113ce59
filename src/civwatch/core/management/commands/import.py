from civwatch.core.subcommands import IMPORTERS, UmbrellaCommand


class Command(UmbrellaCommand):
    help = "Import data: civwatch import SOURCE FILE... (see civwatch import SOURCE --help)."
    subcommands = IMPORTERS
    metavar = "SOURCE"
