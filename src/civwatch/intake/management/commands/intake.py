import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from civwatch.core.errors import UserError
from civwatch.core.uploads import check_size
from civwatch.intake.analysis import analyse_file
from civwatch.intake.known import database_gazetteer


class Command(BaseCommand):
    help = (
        "Read articles (HTML, PDF, plain text; Russian or English) and print one JSON line per "
        "file: its language, the known people and organisations it mentions, and suggested new "
        "ones. A file that cannot be read gets an error line; the exit status is then 1 "
        "(docs/intake.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--format", choices=["jsonl"], default="jsonl")
        parser.add_argument("--output", type=Path, metavar="FILE", help="default: stdout")

    def handle(self, *args, **options):
        files: list[Path] = options["files"]
        output = options["output"].open("w", encoding="utf-8") if options["output"] else None
        out = output or self.stdout
        gazetteer = database_gazetteer()
        failed = 0
        progress = tqdm(
            files, desc="intake", unit=" files", file=sys.stderr, disable=len(files) < 2
        )
        try:
            for path in progress:
                try:
                    line = analyse_file(path.name, read(path), gazetteer).as_line(str(path))
                except UserError as error:
                    failed += 1
                    progress.write(f"{path}: {error}", file=sys.stderr)
                    line = {"file": str(path), "error": str(error)}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        finally:
            progress.close()
            if output:
                output.close()
        if failed:
            raise CommandError(f"{failed} of {len(files)} files could not be read")


def read(path: Path) -> bytes:
    if not path.is_file():
        raise UserError(f"“{path.name}”: no such file")
    check_size(path.name, path.stat().st_size)
    return path.read_bytes()
