"""`civwatch watch [REGISTER...]`: fetch the registers now (cron's alternative to a worker)."""

from django.core.management.base import BaseCommand, CommandError

from civwatch.core.errors import UserError
from civwatch.registers.models import Fetch
from civwatch.registers.watching import describe, watch


class Command(BaseCommand):
    help = (
        "Fetch each register from its CIVWATCH_WATCH_<REGISTER>_URL (conditional GET) and apply "
        "what changed; a suspect snapshot is held for a decision on the staff page. Exit 1 when "
        "a fetch failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "registers", nargs="*", metavar="REGISTER", help="default: every configured register"
        )

    def handle(self, *args, registers: list[str], **options) -> None:
        try:
            fetches = watch(registers or None, on_register=self.report)
        except UserError as error:
            raise CommandError(str(error)) from None
        failed = [f for f in fetches if f.status == Fetch.Status.FAILED]
        if failed:
            raise CommandError(f"{len(failed)} fetch(es) failed; see the lines above")

    def report(self, fetches: list[Fetch]) -> None:
        for fetch in fetches:
            self.stdout.write(describe(fetch))
