"""`civwatch restore FILE`: bring a backup back into an empty home."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civwatch.core.backup import restore_backup
from civwatch.core.errors import UserError


class Command(BaseCommand):
    help = "Restore an archive written by `civwatch backup` into an empty home."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options) -> None:
        try:
            manifest = restore_backup(archive)
        except UserError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"restored the {manifest['database']['engine']} database and "
            f"{len(manifest['media'])} media files of {manifest['created']}"
        )
