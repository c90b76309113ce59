from django.core.management.base import BaseCommand

from civwatch.initiatives import retention


class Command(BaseCommand):
    help = (
        "Citizens' initiatives (docs/initiatives.md): purge erases the traces of their "
        "submitters (contact, questions and answers, receipt code, original files) from "
        "decided initiatives past CIVWATCH_INITIATIVE_RETENTION_DAYS, except those on legal hold."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("purge", help="erase the submitters' traces of initiatives past retention")

    def handle(self, *args, **options):
        report = retention.purge()
        self.stdout.write(
            f"{len(report.erased)} initiatives: the submitter's traces erased; "
            f"{len(report.held)} due initiatives kept on legal hold."
        )
