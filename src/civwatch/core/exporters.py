"""Writing exported rows as JSON lines or CSV, to a file or standard output.

Every export is public output: exporters take their rows from the public layer
(`civwatch.cases.public`, `accountability.public`, `Entity.objects.listed()`, the registers)
and hand them to `write_export`, the one door every CLI export goes through, so that whatever
must happen to each export (recording who exported what) happens in one place.
"""

import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.core.management.base import CommandError

from civwatch.core.csvfiles import SafeCsvWriter


def add_output_arguments(parser, formats: tuple[str, ...] = ("jsonl", "csv")) -> None:
    parser.add_argument("--format", choices=formats, default=formats[0])
    parser.add_argument("--output", type=Path, metavar="FILE", help="default: standard output")
    if "csv" in formats:
        parser.add_argument(
            "--excel", action="store_true",
            help="CSV for Excel: UTF-8 with a byte-order mark (Cyrillic shows correctly)",
        )  # fmt: skip


def check_output_arguments(options: dict) -> None:
    if options.get("excel") and options.get("format") != "csv":
        raise CommandError("--excel goes with --format csv")


@contextmanager
def output_stream(path: Path | None, command):
    if path is None:
        yield command.stdout
        return
    try:
        with path.open("w", encoding="utf-8", newline="") as stream:
            yield stream
    except OSError as error:
        raise CommandError(f"{path}: cannot write: {error.strerror}") from None


def write_rows(
    rows: Iterable[dict], columns: list[str], fmt: str, stream: IO[str], *, excel: bool = False
) -> int:
    """Write rows as JSON lines or CSV (non-text values JSON-encoded, cells spreadsheet-safe,
    with a byte-order mark for Excel if asked); return the count."""
    count = 0
    if fmt == "csv":
        writer = SafeCsvWriter(stream, columns, excel=excel)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                    for k, v in row.items()
                }
            )
            count += 1
    else:
        for row in rows:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def write_export(
    command: Any, what: str, rows: Iterable[dict], options: dict, columns: Sequence[str] = ()
) -> int:
    """Write one export (`what`: its name) to --output or standard output, in --format
    (JSON lines when the exporter has no choice); return the number of rows written."""
    check_output_arguments(options)
    fmt = options.get("format") or "jsonl"
    with output_stream(options["output"], command) as stream:
        return write_rows(rows, list(columns), fmt, stream, excel=bool(options.get("excel")))
