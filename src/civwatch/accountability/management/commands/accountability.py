"""`civwatch accountability candidates --dataset SLUG [--tag TAG] --as USER`."""

from django.core.management.base import BaseCommand, CommandError

from civwatch.accountability.candidates import load_candidates
from civwatch.accounts.acting import acting_user, add_as_argument
from civwatch.core.errors import UserError
from civwatch.sanctions.acf import REPRESSIONS_TAG


class Command(BaseCommand):
    help = "The accountability list's tools."

    def add_arguments(self, parser):
        tools = parser.add_subparsers(dest="tool", required=True, metavar="candidates")
        candidates = tools.add_parser(
            "candidates",
            help="Load the persons an imported list tags as organisers of repressions as "
            "candidate entries (never published automatically); re-running adds nothing.",
        )
        candidates.add_argument("--dataset", default="acf-list", help="default: acf-list")
        candidates.add_argument(
            "--tag", default=REPRESSIONS_TAG, help=f"default: {REPRESSIONS_TAG}"
        )
        add_as_argument(candidates)

    def handle(self, *args, tool: str, dataset: str, tag: str, **options):
        user = acting_user(options.get("as_user"), "researcher")
        try:
            added, already = load_candidates(dataset, tag, user=user)
        except UserError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{added} candidate entries added, {already} already on the list")
