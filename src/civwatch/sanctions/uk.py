"""Reading the UK consolidated list of financial sanctions targets (OFSI, "2022 format").

OFSI publishes the same 36 columns as `ConList.xlsx` (sheet `Data`) and `ConList.csv`. Row 1
is `Last Updated | dd/mm/yyyy`, row 2 the header, then one row per name variant and per date
of birth; the rows of one target share a `Group ID`, which becomes the entry's id. Every cell
is text; cells may hold line breaks. Birth dates are `dd/mm/yyyy` with `00` for an unknown
day or month, `mm/yyyy` or a bare year. A few groups are listed under two regimes, each with
its own listing date. The UK Sanctions List reference (`RUS0753`, `GHR0011`) is only found
inside `Other Information`, as `(UK Sanctions List Ref):...`.
"""

import datetime
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from civwatch.core.dates import partial_date
from civwatch.core.errors import InputError
from civwatch.sanctions.sources import (
    ParsedDataset,
    ParsedEntry,
    csv_rows,
    file_sha256,
    unique,
)

COLUMNS = (
    "Name 6", "Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Title",
    "Name Non-Latin Script", "Non-Latin Script Type", "Non-Latin Script Language", "DOB",
    "Town of Birth", "Country of Birth", "Nationality", "Passport Number", "Passport Details",
    "National Identification Number", "National Identification Details", "Position",
    "Address 1", "Address 2", "Address 3", "Address 4", "Address 5", "Address 6",
    "Post/Zip Code", "Country", "Other Information", "Group Type", "Alias Type",
    "Alias Quality", "Regime", "Listed On", "UK Sanctions List Date Designated",
    "Last Updated", "Group ID",
)  # fmt: skip
SCHEMAS = {"Individual": "Person", "Entity": "LegalEntity", "Ship": "Vessel"}
PRIMARY = "Primary name"
UK_REF = re.compile(r"\(UK Sanctions List Ref\):\s*([A-Za-z]+\.?\d+)")
GENDER = re.compile(r"\(Gender\):\s*(Male|Female)", re.IGNORECASE)
DMY = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
MY = re.compile(r"^(\d{2})/(\d{4})$")


def clean(cell) -> str:
    """Text of a cell with line breaks and runs of spaces folded (OFSI wraps long cells)."""
    return " ".join(str(cell).split()) if cell is not None else ""


def read_date(path: Path, number: int, column: str, text: str) -> datetime.date | None:
    if not text:
        return None
    match = DMY.match(text)
    try:
        if not match:
            raise ValueError
        day, month, year = (int(p) for p in match.groups())
        return datetime.date(year, month, day)
    except ValueError:
        raise InputError(
            path, f"{text!r} is not a dd/mm/yyyy date", row=number, field=column
        ) from None


def read_birth_date(path: Path, number: int, text: str) -> str | None:
    """An ISO date at the precision given: `00` marks an unknown day or month."""
    if not text:
        return None
    if text.isdigit() and len(text) == 4:
        return text
    if match := DMY.match(text):
        day, month, year = (int(p) for p in match.groups())
    elif match := MY.match(text):
        day, (month, year) = 0, (int(p) for p in match.groups())
    else:
        day = month = year = 0
    date = partial_date(year, month or None, day or None) if year and (month or not day) else None
    if date is None:
        raise InputError(path, f"{text!r} is not a date", row=number, field="DOB")
    return date


def xlsx_rows(path: Path) -> Iterator[list]:
    import openpyxl  # only needed for this format

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise InputError(path, f"not a readable XLSX file ({error})") from None
    try:
        sheet = book["Data"] if "Data" in book.sheetnames else book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def person_name(row: dict) -> str:
    """Given names (`Name 1`..`Name 5`) then the surname or entity name (`Name 6`)."""
    return " ".join(
        row[c] for c in ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6") if row[c]
    )


def read_uk_list(path: Path) -> ParsedDataset:
    """Read ConList.xlsx or ConList.csv; nothing is written here."""
    if not path.is_file():
        raise InputError(path, "no such file")
    rows = xlsx_rows(path) if path.suffix.lower() == ".xlsx" else csv_rows(path)
    first = [clean(c) for c in next(rows, [])]
    if not first or first[0] != "Last Updated":
        raise InputError(path, "expected 'Last Updated' and the list's date", row=1)
    list_date = read_date(path, 1, "Last Updated", first[1] if len(first) > 1 else "")
    header = [clean(c) for c in next(rows, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(path, "column missing from the header", row=2, field=missing[0])
    position = {c: header.index(c) for c in COLUMNS}
    groups: dict[str, list[tuple[int, dict]]] = {}
    for number, cells in enumerate(rows, 3):
        if not any(clean(c) for c in cells):
            continue
        cells = list(cells) + [None] * (len(header) - len(cells))
        row = {c: clean(cells[i]) for c, i in position.items()}
        if not row["Group ID"].isdigit():
            raise InputError(
                path, f"{row['Group ID']!r} is not a number", row=number, field="Group ID"
            )
        if row["Group Type"] not in SCHEMAS:
            raise InputError(
                path, f"unknown type {row['Group Type']!r}", row=number, field="Group Type"
            )
        if not row["Name 6"] and not row["Name Non-Latin Script"]:
            raise InputError(path, "empty name", row=number, field="Name 6")
        groups.setdefault(row["Group ID"], []).append((number, row))
    entries = [group_entry(path, group_id, rows_) for group_id, rows_ in groups.items()]
    return ParsedDataset(entries, {path.name: file_sha256(path)}, [], source_date=list_date)


def group_entry(path: Path, group_id: str, rows: list[tuple[int, dict]]) -> ParsedEntry:
    """One entry from every row of a group: the primary name first, then every variant."""
    types = unique(row["Group Type"] for _, row in rows)
    if len(types) > 1:
        raise InputError(
            path, f"group {group_id} mixes {types}", row=rows[0][0], field="Group Type"
        )
    ordered = sorted(rows, key=lambda item: item[1]["Alias Type"] != PRIMARY)
    names = unique(person_name(row) for _, row in ordered)
    non_latin = unique(row["Name Non-Latin Script"] for _, row in ordered)
    weak = unique(person_name(row) for _, row in ordered if row["Alias Quality"] == "Low quality")
    regimes: dict[str, str] = {}
    birth_dates: list[str] = []
    for number, row in rows:
        listed = read_date(path, number, "Listed On", row["Listed On"])
        read_date(
            path,
            number,
            "UK Sanctions List Date Designated",
            row["UK Sanctions List Date Designated"],
        )
        if row["Regime"]:
            known = regimes.get(row["Regime"])
            since = listed.isoformat() if listed else ""
            regimes[row["Regime"]] = min(filter(None, (known, since)), default="")
        date = read_birth_date(path, number, row["DOB"])
        if date:
            birth_dates.append(date)
    if not regimes:
        raise InputError(path, f"group {group_id} has no regime", row=rows[0][0], field="Regime")
    since = min((d for d in regimes.values() if d), default="")

    def values(column: str) -> list[str]:
        return unique(row[column] for _, row in ordered)

    other = " ".join(values("Other Information"))
    details = {
        "uk_sanctions_list_ref": unique(UK_REF.findall(other)),
        "programme_since": regimes,
        "non_latin_names": non_latin,
        "nationalities": values("Nationality"),
        "birth_places": unique(
            ", ".join(p for p in (row["Town of Birth"], row["Country of Birth"]) if p)
            for _, row in ordered
        ),
        "gender": unique(g.capitalize() for g in GENDER.findall(other)),
        "titles": values("Title"),
        "passports": values("Passport Number"),
        "id_numbers": values("National Identification Number"),
        "addresses": unique(
            ", ".join(
                row[c]
                for c in (
                    "Address 1",
                    "Address 2",
                    "Address 3",
                    "Address 4",
                    "Address 5",
                    "Address 6",
                    "Post/Zip Code",
                    "Country",
                )
                if row[c]
            )
            for _, row in ordered
        ),
        "other_information": other,
        "group_type": types[0],
    }
    primary = names[0] if names else non_latin[0]
    return ParsedEntry(
        source_id=group_id,
        schema=SCHEMAS[types[0]],
        name=primary,
        aliases=[n for n in names[1:] + non_latin if n not in weak],
        weak_aliases=[n for n in weak if n != primary],
        birth_dates=unique(birth_dates),
        programmes=list(regimes),
        listed_since=datetime.date.fromisoformat(since) if since else None,
        description="; ".join(values("Position")),
        details={key: value for key, value in details.items() if value},
    )
