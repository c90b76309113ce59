"""`civwatch dossier ENTRY --jurisdiction J --format F --output FILE`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civwatch.accountability import dossier
from civwatch.accountability.models import Entry
from civwatch.core import audit
from civwatch.core.errors import UserError
from civwatch.sanctions.models import Jurisdiction


class Command(BaseCommand):
    help = "Write the sanctions dossier of an accountability entry for one jurisdiction."

    def add_arguments(self, parser):
        parser.add_argument("entry", help="the entry's number (as on its staff page)")
        parser.add_argument("--jurisdiction", required=True, choices=Jurisdiction.values)
        parser.add_argument("--format", required=True, choices=dossier.FORMATS)
        parser.add_argument("--output", required=True, type=Path, metavar="FILE")

    def handle(self, *args, entry: str, jurisdiction: str, format: str, output: Path, **options):
        record = Entry.objects.select_related("entity").filter(
            pk=entry if entry.isdigit() else None
        )
        if not record:
            raise CommandError(f"No accountability entry {entry}.")
        try:
            size = dossier.write(record.get(), jurisdiction, format, output)
        except UserError as error:
            raise CommandError(str(error)) from None
        params = {"entry": entry, "jurisdiction": jurisdiction, "format": format, "output": output}
        audit.record_export(None, "dossier", params)
        self.stdout.write(f"{output}: {format} dossier, {size} bytes")
