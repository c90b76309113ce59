import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civwatch.accounts import permissions
from civwatch.core.errors import UserError
from civwatch.exiles import records
from civwatch.exiles.alerts import alert_escalations
from civwatch.exiles.models import ExileFile


class Command(BaseCommand):
    help = (
        "Files of people forced abroad (docs/exiles.md): erase ID destroys a file's key and "
        "rows; purge erases closed files and helpline requests past their retention; alert "
        "mails staff about helpline requests that reached an escalation level; "
        "export-subject ID writes everything a file holds about its person as JSON."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        erase = sub.add_parser("erase", help="erase one file (refused while on legal hold)")
        erase.add_argument("id")
        sub.add_parser(
            "purge",
            help="erase every closed file and helpline request whose retention has run out",
        )
        sub.add_parser("alert", help="mail staff about helpline requests that escalated")
        export = sub.add_parser("export-subject", help="a file's data for its person (JSON or PDF)")
        export.add_argument("id")
        export.add_argument("--output", type=Path, required=True, metavar="FILE")
        export.add_argument("--format", choices=["json", "pdf"], default="json")

    def handle(self, *args, **options):
        try:
            getattr(self, options["action"].replace("-", "_"))(options)
        except UserError as error:
            raise CommandError(str(error)) from None

    def erase(self, options) -> None:
        records.erase(options["id"])
        self.stdout.write(f"Exile file #{options['id']} erased: its key and its rows are gone.")

    def purge(self, options) -> None:
        report = records.purge()
        self.stdout.write(
            f"{len(report.erased)} files erased, {len(report.keyless)} rows without a key "
            f"removed, {report.orphan_keys} unused keys destroyed; "
            f"{len(report.held)} due files kept on legal hold; "
            f"{len(report.requests_erased)} closed helpline requests erased, "
            f"{len(report.requests_keyless)} without a key removed."
        )

    def alert(self, options) -> None:
        alerted = alert_escalations()
        self.stdout.write(f"{len(alerted)} helpline requests escalated; staff were mailed.")

    def export_subject(self, options) -> None:
        pk = records.file_number(options["id"])
        record = ExileFile.objects.filter(pk=pk).first()
        if record is None:
            raise UserError(f"There is no exile file #{pk}.")
        if record.is_erased():
            raise UserError(f"Exile file #{pk} was erased: its key no longer exists.")
        permissions.note_exile_read(None, record)
        data = records.subject_export(record)
        if options["format"] == "pdf":
            options["output"].write_bytes(records.subject_pdf(data))
        else:
            text = json.dumps(data, ensure_ascii=False, indent=2)
            options["output"].write_text(text + "\n", encoding="utf-8")
        self.stdout.write(f"Exile file #{pk} written to {options['output']}.")
