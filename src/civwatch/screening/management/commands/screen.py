import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civwatch.matching import DEFAULT_THRESHOLD
from civwatch.matching.batch import load_index, screen_file


class Command(BaseCommand):
    help = (
        "Screen names: civwatch screen --entities ENTITIES.ftm.jsonl --queries QUERIES.jsonl "
        "--output RESULTS.jsonl (see docs/matching.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--entities", type=Path, required=True, metavar="ENTITIES.ftm.jsonl")
        parser.add_argument("--queries", type=Path, required=True, metavar="QUERIES.jsonl")
        parser.add_argument("--output", type=Path, metavar="RESULTS.jsonl")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
        parser.add_argument("--index-cache", type=Path, metavar="DIR")

    def handle(self, *args, **options):
        for name in ("entities", "queries"):
            if not options[name].is_file():
                raise CommandError(f"{options[name]}: no such file")
        if not 0 <= options["threshold"] <= 1 or options["limit"] < 1:
            raise CommandError("--threshold is between 0 and 1, --limit at least 1")
        index = load_index(options["entities"], options["index_cache"], sys.stderr)
        output = options["output"].open("w", encoding="utf-8") if options["output"] else sys.stdout
        try:
            counts = screen_file(
                index, options["queries"], output,
                limit=options["limit"], threshold=options["threshold"], warn=sys.stderr,
            )  # fmt: skip
        finally:
            if options["output"]:
                output.close()
        sys.stderr.write(
            f"{counts['queries']} queries, {counts['matches']} with a match, "
            f"{counts['errors']} bad lines reported\n"
        )
