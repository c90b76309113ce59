"""`civwatch letters export SLUG [--format csv|jsonl] [--output FILE]`: a letter's public
signatures (verified and named), the same rows as the page's CSV and the API."""

from django.core.management.base import BaseCommand, CommandError

from civwatch.core import audit
from civwatch.core.exporters import add_output_arguments, write_export
from civwatch.letters import public


class Command(BaseCommand):
    help = "Open letters: export SLUG writes the letter's public signatures (CSV or JSON lines)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        export = actions.add_parser("export", help="a letter's public signatures")
        export.add_argument("slug")
        add_output_arguments(export, formats=("csv", "jsonl"))

    def handle(self, *args, action: str, slug: str, **options):
        letter = public.letters().filter(slug=slug).first()
        if letter is None:
            raise CommandError(f"No public letter {slug!r}.")
        count = write_export(
            self, f"letter-signatures:{slug}", public.signature_rows(letter, "en"), options,
            public.SIGNATURE_COLUMNS,
        )  # fmt: skip
        # Logged like every CLI export, after it succeeded (docs/audit.md).
        audit.record_export(None, "letter-signatures", {"letter": slug, **options})
        if options["output"] is not None:
            self.stderr.write(f"Wrote {count} signatures to {options['output']}.")
