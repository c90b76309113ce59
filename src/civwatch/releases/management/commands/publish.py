"""`civwatch publish --output DIR`: write the next versioned open-data release."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civwatch.core import audit
from civwatch.core.errors import UserError
from civwatch.releases.writing import publish


class Command(BaseCommand):
    help = (
        "Write the next open-data release into DIR (a folder named DATE.N: FollowTheMoney "
        "entities, designations, changes, targets.simple.csv, the accountability list, "
        "datapackage.json, index.json and the delta against the previous release in DIR)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, required=True, metavar="DIR")

    def handle(self, *args, output: Path, **options):
        try:
            folder = publish(output)
        except UserError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(
                f"{error.filename or output}: cannot write: {error.strerror}"
            ) from None
        # Logged like every export (docs/audit.md), after it succeeded.
        audit.record_export(None, "publish", {"output": output, "release": folder.name})
        self.stdout.write(str(folder))
