"""Every CSV file civwatch writes goes through this module (docs/operations.md).

Spreadsheets read a cell that starts with `=`, `+`, `-` or `@` (and, in some of them, a tab
or carriage return) as a formula: a name or note crafted as `=HYPERLINK(...)` in an imported
register or an uploaded file would run when an analyst opens the export in Excel or
LibreOffice. Such cells are written with a leading apostrophe, which spreadsheets show as
text and do not evaluate (OWASP's advice for CSV injection). Plain numbers such as `-3` or
`+7.5` are left alone: a spreadsheet reads them as numbers, never as formulas.

`EXCEL_BOM` starts a file meant for Excel: without it, Excel on a Windows machine with a
Russian locale reads UTF-8 as Windows-1251 and shows Cyrillic as mojibake.
"""

import csv
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
EXCEL_BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_cell(value: Any) -> str:
    """The text of a cell, neutralised if a spreadsheet would read it as a formula."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeCsvWriter:
    """csv.DictWriter's interface (columns named once, rows as mappings), every cell safe."""

    def __init__(self, stream: IO[str], columns: Iterable[str], *, excel: bool = False) -> None:
        self.columns = list(columns)
        self.writer = csv.writer(stream)
        if excel:
            stream.write(EXCEL_BOM)

    def writeheader(self) -> None:
        self.writer.writerow([safe_cell(column) for column in self.columns])

    def writerow(self, row: Mapping[str, Any]) -> None:
        """Write the row's values for the columns (missing ones empty, others ignored)."""
        self.writer.writerow([safe_cell(row.get(column)) for column in self.columns])
