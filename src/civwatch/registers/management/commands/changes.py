import datetime

from django.core.management.base import BaseCommand

from civwatch.core import audit
from civwatch.registers.exporters import add_designation_arguments, export_changes


class Command(BaseCommand):
    help = "The change log of a register: one row per change, oldest first."

    def add_arguments(self, parser):
        add_designation_arguments(parser)
        parser.add_argument(
            "--since",
            type=datetime.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="only changes in snapshots taken on or after this date",
        )

    def handle(self, *args, **options):
        export_changes(options, self)
        audit.record_export(None, "changes", options)
