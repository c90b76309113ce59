"""`civwatch backup --output FILE`: the database and media folder in one encrypted archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civwatch.core.backup import new_key as make_key
from civwatch.core.backup import write_backup
from civwatch.core.errors import UserError


class Command(BaseCommand):
    help = "Write one encrypted archive of the database and the media folder (docs/operations.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", type=Path, metavar="FILE")
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="print a new backup key (for CIVWATCH_BACKUP_KEY) and stop",
        )

    def handle(self, *args, output: Path | None, new_key: bool, **options) -> None:
        if new_key:
            self.stdout.write(make_key())
            return
        if output is None:
            raise CommandError("--output FILE is required")
        try:
            manifest = write_backup(output)
        except UserError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{output}: {manifest['database']['engine']} database and "
            f"{len(manifest['media'])} media files, encrypted"
        )
