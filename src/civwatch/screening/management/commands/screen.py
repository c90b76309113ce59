import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from civwatch.core.errors import UserError
from civwatch.matching import DEFAULT_THRESHOLD, record_from_ftm
from civwatch.matching.batch import load_index, screen_file
from civwatch.screening.lists import DEFAULT, Listing, UnknownDataset, database_index
from civwatch.screening.lists_csv import screen_csv


class Command(BaseCommand):
    help = (
        "Screen names. Against a file of entities: --entities E.ftm.jsonl --queries Q.jsonl "
        "--output R.jsonl. Against the lists in the database: --query NAME [--birth-date D], "
        "or --input names.csv --output hits.csv (docs/matching.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--entities", type=Path, metavar="ENTITIES.ftm.jsonl")
        parser.add_argument("--queries", type=Path, metavar="QUERIES.jsonl")
        parser.add_argument("--query", metavar="NAME", help="one name, against the database")
        parser.add_argument("--birth-date", metavar="YYYY-MM-DD", help="with --query")
        parser.add_argument(
            "--dataset", default=DEFAULT, metavar="NAME",
            help="with --query or --input: a list's slug, or default, sanctions, registers, "
            "accountability (default: every public list)",
        )  # fmt: skip
        parser.add_argument("--input", type=Path, metavar="NAMES.csv", help="against the database")
        parser.add_argument("--output", type=Path, metavar="FILE")
        parser.add_argument(
            "--excel", action="store_true",
            help="with --input: results as CSV for Excel (UTF-8 with a byte-order mark)",
        )  # fmt: skip
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
        parser.add_argument("--index-cache", type=Path, metavar="DIR")
        parser.add_argument(
            "--engine", choices=("local", "spark"), default="local",
            help="with --entities: screen in this process, or on Apache Spark (needs "
            "civwatch[spark]; docs/matching.md)",
        )  # fmt: skip
        parser.add_argument(
            "--master", default="local[*]", metavar="URL",
            help="with --engine spark: the Spark master (local[2], spark://host:7077, ...)",
        )  # fmt: skip
        parser.add_argument(
            "--partitions", type=int, metavar="N",
            help="with --engine spark: how many tasks to split the queries into "
            "(default: 4 per core of the cluster)",
        )  # fmt: skip

    def handle(self, *args, **options):
        if not 0 <= options["threshold"] <= 1 or options["limit"] < 1:
            raise CommandError("--threshold is between 0 and 1, --limit at least 1")
        if options["engine"] == "spark" and (options["query"] or options["input"]):
            raise CommandError("--engine spark screens --entities with --queries only")
        if options["partitions"] is not None and options["partitions"] < 1:
            raise CommandError("--partitions is at least 1")
        if options["query"]:
            return self.one_name(options)
        if options["input"]:
            return self.csv_file(options)
        if options["entities"] and options["queries"]:
            return self.entity_file(options)
        raise CommandError("say what to screen: --query, --input, or --entities with --queries")

    def one_name(self, options) -> None:
        properties = {"name": [options["query"]]}
        if options["birth_date"]:
            properties["birthDate"] = [options["birth_date"]]
        query = record_from_ftm({"schema": "Person", "properties": properties})
        try:
            hits = database_index().search(
                query, options["dataset"], limit=options["limit"], threshold=options["threshold"]
            )
        except UnknownDataset as error:
            raise CommandError(str(error)) from None
        for hit in hits:
            flag = "MATCH" if hit.match else "     "
            self.stdout.write(
                f"{flag} {hit.score:.3f}  {hit.id:<16} {hit.explanation['name'].get('name', '')}"
            )
            if hit.listed.referents:
                self.stdout.write(f"{'':24}same person as {', '.join(hit.listed.referents)}")
            for listing in hit.listed.listings:
                self.stdout.write(f"{'':24}{describe(listing)}")
        if not hits:
            self.stdout.write("no candidates")

    def csv_file(self, options) -> None:
        if not options["input"].is_file():
            raise CommandError(f"{options['input']}: no such file")
        if not options["output"]:
            raise CommandError("--input needs --output FILE for the results")
        progress = tqdm(desc="screening", unit=" names", file=sys.stderr)
        try:
            matched = screen_csv(
                options["input"], options["output"], threshold=options["threshold"],
                dataset=options["dataset"],
                on_start=progress.reset, on_row=progress.update, excel=options["excel"],
            )  # fmt: skip
        except (UserError, UnknownDataset) as error:
            raise CommandError(str(error)) from None
        finally:
            progress.close()
        sys.stderr.write(
            f"{matched} of {progress.n} names matched; results in {options['output']}\n"
        )

    def entity_file(self, options) -> None:
        for name in ("entities", "queries"):
            if not options[name].is_file():
                raise CommandError(f"{options[name]}: no such file")
        engine = None
        if options["engine"] == "spark":
            from civwatch.matching import spark as engine

            # Before the index is built: at 1M entities that takes a minute.
            try:
                engine.require_pyspark()
            except engine.SparkMissing as error:
                raise CommandError(str(error)) from None
        index = load_index(options["entities"], options["index_cache"], sys.stderr)
        output = options["output"].open("w", encoding="utf-8") if options["output"] else sys.stdout
        settings = {
            "limit": options["limit"],
            "threshold": options["threshold"],
            "warn": sys.stderr,
        }
        try:
            if engine:
                try:
                    counts = engine.screen_file(
                        index, options["queries"], output, master=options["master"],
                        partitions=options["partitions"], **settings,
                    )  # fmt: skip
                except engine.SparkMissing as error:  # no Java
                    raise CommandError(str(error)) from None
            else:
                counts = screen_file(index, options["queries"], output, **settings)
        finally:
            if options["output"]:
                output.close()
        sys.stderr.write(
            f"{counts['queries']} queries, {counts['matches']} with a match, "
            f"{counts['errors']} bad lines reported\n"
        )


def describe(listing: Listing) -> str:
    """ "us-ofac-sdn 2008-… RUSSIA-EO14024 [#12345]": the list, programme, date and row."""
    parts = [listing.dataset, listing.programme, listing.date.isoformat() if listing.date else "",
             f"[{listing.reference}]" if listing.reference else "",
             f"(via {listing.via})" if listing.via else ""]  # fmt: skip
    return " ".join(part for part in parts if part)
