"""The files of people a user screens, as they come: CSV saved by any spreadsheet (UTF-8, or
cp1251 as Russian Excel writes it; `,`, `;` or tab between cells) and Excel workbooks (XLSX),
with headers in English or Russian, a whole name or its parts in separate columns.

`read_people` reads and checks the whole file before anything is screened, so the upload
page can show every problem at once (file, row and field) and a background job only ever
runs on a file that reads.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path
from zipfile import BadZipFile

from civwatch.core.dates import read_date
from civwatch.core.errors import InputError, UserError

# Header names, compared case- and space-insensitively ("Full name" = "full_name"). A column
# holding a whole name, or the parts of one; "Имя" alone is the given name in Russian.
HEADERS = {
    "name": ("name", "full name", "фио", "фамилия имя отчество", "ф.и.о.", "полное имя"),
    "surname": ("surname", "last name", "family name", "фамилия"),
    "given": ("given name", "first name", "forename", "имя"),
    "patronymic": ("patronymic", "middle name", "father's name", "отчество"),
    "birth_date": ("birth date", "birthdate", "date of birth", "dob", "дата рождения"),
    "country": ("country", "nationality", "citizenship", "страна", "гражданство"),
}
# The parts of a name as FollowTheMoney calls them (the matching library joins them).
NAME_PARTS = {"surname": "lastName", "given": "firstName", "patronymic": "fatherName"}
SEPARATORS = ",;\t"
MAX_PROBLEMS = 20  # shown at once; more would hide the first ones


def header_key(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


@dataclass
class PeopleFile:
    name: str
    header: list[str]
    rows: list[dict[str, str]]
    columns: dict[str, str] = field(default_factory=dict)  # role -> header as in the file

    def properties(self, row: dict[str, str]) -> dict[str, list[str]]:
        """A row as FtM Person properties, for the matching library."""
        values = {role: (row.get(column) or "").strip() for role, column in self.columns.items()}
        properties: dict[str, list[str]] = {}
        if values.get("name"):
            properties["name"] = [values["name"]]
        for role, prop in NAME_PARTS.items():
            if values.get(role):
                properties[prop] = [values[role]]
        if values.get("birth_date"):
            properties["birthDate"] = [read_date(values["birth_date"]) or values["birth_date"]]
        if values.get("country"):
            properties["country"] = [values["country"]]
        return properties


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else cp1251: the two encodings spreadsheets
    in our users' hands write. cp1251 assigns almost every byte, so it is the fallback."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace")


def separator(text: str) -> str:
    first = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=SEPARATORS).delimiter
    except csv.Error:
        # One column, or too few rows to tell: the separator the header uses most.
        return max(SEPARATORS, key=first.count) if any(s in first for s in SEPARATORS) else ","


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator(text)))


def xlsx_rows(data: bytes, name: str) -> list[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as error:
        raise InputError(name, f"not a readable Excel workbook ({error})") from None
    rows = []
    for values in book.worksheets[0].iter_rows(values_only=True):
        rows.append(
            [
                v.date().isoformat()
                if isinstance(v, datetime.datetime)
                else v.isoformat()
                if isinstance(v, datetime.date)
                else ""
                if v is None
                else str(v)
                for v in values
            ]
        )
    return rows


def read_people(data: bytes, name: str) -> PeopleFile:
    """The file's rows and which column holds what; UserError listing every problem found
    (each naming the file, the row and the field) when it cannot be screened as it is."""
    if Path(name).suffix.lower() == ".xlsx":
        table = xlsx_rows(data, name)
    else:
        table = csv_rows(decode(data))
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise InputError(name, "the file is empty: expected a header row, then one person a row")
    header = [cell.strip() for cell in table[0]]
    found = {header_key(h): h for h in header if h}
    columns = {
        role: next(found[key] for key in keys if key in found)
        for role, keys in HEADERS.items()
        if any(key in found for key in keys)
    }
    if "name" not in columns and not {"surname", "given"} <= set(columns):
        raise InputError(
            name,
            "no column with the name: call it “name” (or “ФИО”), or give the parts in "
            "“surname”, “given name” and “patronymic” (“Фамилия”, “Имя”, “Отчество”)",
            row=1,
        )
    people = PeopleFile(name, header, [], columns)
    problems = []
    for number, cells in enumerate(table[1:], start=2):
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            problems.append(
                InputError(
                    name, f"{len(cells)} cells where the header has {len(header)}", row=number
                )
            )
            continue
        row = dict(zip(header, [*cells, *[""] * (len(header) - len(cells))], strict=False))
        people.rows.append(row)
        date = (row.get(columns.get("birth_date", ""), "") or "").strip()
        if date and read_date(date) is None:
            problems.append(
                InputError(
                    name,
                    f"{date!r} is not a date (YYYY-MM-DD, DD.MM.YYYY or a year)",
                    row=number,
                    field=columns["birth_date"],
                )
            )
    if problems:
        shown = [str(p) for p in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"… and {len(problems) - MAX_PROBLEMS} more")
        raise UserError("\n".join(shown))
    return people
