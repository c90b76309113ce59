import json

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from tqdm import tqdm

from civwatch.accounts.acting import acting_user, add_as_argument
from civwatch.jobs.runner import enqueue_job
from civwatch.sanctions.models import Link
from civwatch.sanctions.queries import shown_links
from civwatch.sanctions.xref import XREF_THRESHOLD, pair_filter, run_xref, side_pairs


class Command(BaseCommand):
    help = (
        "Propose links between persons of different datasets (sanctions lists, external "
        "lists, `registers`, `cases`), then report them; --format jsonl lists every link "
        "between the compared datasets, one JSON object per line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dataset", metavar="A", help="left side (default: every dataset)")
        parser.add_argument("--against", metavar="B", help="right side (default: every other)")
        parser.add_argument("--threshold", type=float, default=XREF_THRESHOLD)
        parser.add_argument("--format", choices=["text", "jsonl"], default="text")
        parser.add_argument(
            "--list-only", action="store_true", help="list the stored links, propose nothing"
        )
        parser.add_argument("--status", choices=Link.Status.values, help="list only these")
        parser.add_argument(
            "--in-background",
            action="store_true",
            help="queue the comparison as a job for `civwatch db_worker` and return at once; "
            "its progress shows on the jobs page of the user given with --as",
        )
        add_as_argument(parser)

    def handle(self, *args, **options):
        if not 0 < options["threshold"] <= 1:
            raise CommandError("--threshold must be in (0, 1]")
        try:
            pairs = side_pairs(options["dataset"], options["against"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["in_background"]:
            if options["list_only"]:
                raise CommandError("--in-background proposes links; it cannot go with --list-only")
            user = acting_user(options.get("as_user"), "researcher")
            params = {"dataset": options["dataset"], "against": options["against"],
                      "threshold": options["threshold"]}  # fmt: skip
            job = enqueue_job("xref", "Cross-referencing the lists", params, user=user)
            self.stdout.write(f"queued as job {job.pk}: {reverse('jobs:detail', args=[job.pk])}")
            return
        if not options["list_only"]:
            progress = tqdm(desc="xref", unit="person", disable=None)
            try:
                report = run_xref(
                    options["dataset"],
                    options["against"],
                    options["threshold"],
                    on_start=lambda total: progress.reset(total),
                    progress=progress.update,
                )
            finally:
                progress.close()
            if options["format"] == "text":
                self.stdout.write(report.describe())
        links = Link.objects.filter(pair_filter(pairs))
        if options["status"]:
            links = links.filter(status=options["status"])
        links = links.order_by("left_dataset", "left_id", "right_dataset", "right_id")
        # The command line reads as the operator (no user): names of people known only from
        # case records are confidential reads, logged like any other.
        if options["format"] == "jsonl" or options["list_only"]:
            links = shown_links(None, links.iterator(chunk_size=2000))
        if options["format"] == "jsonl":
            for link in links:
                self.stdout.write(json.dumps(link.as_json_line(), ensure_ascii=False))
        elif options["list_only"]:
            for link in links:
                self.stdout.write(
                    f"{link.score:.3f} {link.status:9} {link.left_dataset}:{link.left_id} "
                    f"{link.left_name} = {link.right_dataset}:{link.right_id} {link.right_name}"
                )
