from django.core.management.base import BaseCommand

from civwatch.core.importers import IMPORTERS


class Command(BaseCommand):
    help = "Import data: civwatch import SOURCE FILE... (see civwatch import SOURCE --help)."

    def add_arguments(self, parser):
        sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        for importer in IMPORTERS.values():
            sub = sources.add_parser(importer.name, help=importer.help, description=importer.help)
            importer.add_arguments(sub)

    def handle(self, *args, source: str, **options):
        IMPORTERS[source].run(options, self)
