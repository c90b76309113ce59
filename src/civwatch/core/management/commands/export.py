from civwatch.core import audit
from civwatch.core.subcommands import EXPORTERS, UmbrellaCommand


class Command(UmbrellaCommand):
    help = "Export open data: civwatch export WHAT ... (see civwatch export WHAT --help)."
    subcommands = EXPORTERS
    metavar = "WHAT"

    def handle(self, *args, subcommand: str, **options):
        super().handle(*args, subcommand=subcommand, **options)
        # Every export sub-command is logged here, after it succeeded (docs/audit.md).
        audit.record_export(None, subcommand, options)
