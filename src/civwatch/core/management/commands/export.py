from django.core.management.base import BaseCommand

from civwatch.core.exporters import EXPORTERS


class Command(BaseCommand):
    help = "Export open data: civwatch export WHAT ... (see civwatch export WHAT --help)."

    def add_arguments(self, parser):
        what = parser.add_subparsers(dest="what", required=True, metavar="WHAT")
        for exporter in EXPORTERS.values():
            sub = what.add_parser(exporter.name, help=exporter.help, description=exporter.help)
            exporter.add_arguments(sub)

    def handle(self, *args, what: str, **options):
        EXPORTERS[what].run(options, self)
