"""Reading the Anti-Corruption Foundation's list ("bribetakers and warmongers", 2022).

Columns `Name rus, Name eng, DOB, Gender, Description, Tag` (the English name's header has
a leading space). `Tag` holds several tags, one per line inside a quoted cell. The list has
no ids: an entry is identified by its Russian name and birth date (see `entry_key`); rows
that repeat the same person (same name and birth date) are merged, their tags united.
"""

import csv
import datetime
import hashlib
from pathlib import Path

from civwatch.core.errors import InputError
from civwatch.sanctions.sources import (
    YEAR,
    ParsedDataset,
    ParsedEntry,
    file_sha256,
    parse_birth_dates,
    unique,
)

COLUMNS = ("Name rus", "Name eng", "DOB", "Gender", "Description", "Tag")
REPRESSIONS_TAG = "Organizers of political repressions"
EXCEL_EPOCH = datetime.date(1899, 12, 30)
GENDERS = {"male": "male", "female": "female", "femail": "female"}


def clean_tags(cell: str) -> list[str]:
    # Stray ASCII quotes and full stops are left over from the site's markup.
    return unique(
        " ".join(line.split()).strip('"').rstrip(".").strip() for line in cell.splitlines()
    )


def excel_year(date: str) -> str | None:
    """The year behind a date a spreadsheet made of it: the cell held "1969", the program
    read it as day 1969 since its epoch (1899-12-30) and wrote 22.05.1905. No one on this
    list of serving officials was born in 1900-1909, so such dates are read back as years."""
    if len(date) != 10 or not date.startswith("190"):
        return None
    serial = (datetime.date.fromisoformat(date) - EXCEL_EPOCH).days
    return str(serial) if 1900 <= serial <= 2010 else None


def entry_key(name_rus: str, birth_dates: list[str]) -> str:
    """A stable id: the Russian name (case and spacing folded) and the birth dates."""
    key = " ".join(name_rus.casefold().split()) + "|" + ",".join(birth_dates)
    return "acf-" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:12]


def read_acf_list(path: Path) -> ParsedDataset:
    notes: list[str] = []
    entries: dict[str, ParsedEntry] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise InputError(
                    path, "column missing from the header", row=1, field=missing[0], unit="line"
                )
            position = {c: header.index(c) for c in COLUMNS}
            row_number = 1
            for row in reader:
                row_number = reader.line_num  # the line where the row ends (cells span lines)
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise InputError(
                        path,
                        f"{len(row)} fields, expected {len(header)}",
                        row=row_number,
                        unit="line",
                    )
                cell = {c: row[i].strip() for c, i in position.items()}
                name_rus, name_eng = (
                    " ".join(cell["Name rus"].split()),
                    " ".join(cell["Name eng"].split()),
                )
                if not name_rus and not name_eng:
                    raise InputError(
                        path,
                        "no name in either script",
                        row=row_number,
                        field="Name rus",
                        unit="line",
                    )
                dates = parse_birth_dates(cell["DOB"])
                details = {}
                if dates is None:
                    notes.append(
                        f"line {row_number}: DOB {cell['DOB']!r} is not a date; kept as text"
                    )
                    # The year alone still rules out links to other birth years.
                    details["birth_date_text"] = cell["DOB"]
                    dates = unique(YEAR.findall(cell["DOB"]))
                years = {d: excel_year(d) for d in dates if excel_year(d)}
                if years:
                    notes.append(
                        f"line {row_number}: DOB {cell['DOB']!r} is a year a spreadsheet turned "
                        f"into a date; read as {', '.join(years.values())}"
                    )
                    dates = [years.get(d, d) for d in dates]
                gender = GENDERS.get(cell["Gender"].replace("\xa0", " ").strip().casefold())
                if gender:
                    details["gender"] = [gender]
                key = entry_key(name_rus or name_eng, dates)
                tags = clean_tags(cell["Tag"])
                if key in entries:
                    entry = entries[key]
                    entry.tags = unique([*entry.tags, *tags])
                    # A repeated row may spell the person differently: keep every spelling.
                    spellings = [n for n in (name_rus, name_eng) if n != entry.name]
                    entry.aliases = unique([*entry.aliases, *spellings])
                    if cell["Description"] not in entry.description:
                        entry.description += "\n" + cell["Description"]
                    continue
                entries[key] = ParsedEntry(
                    source_id=key,
                    schema="Person",
                    name=name_rus or name_eng,
                    aliases=[name_eng] if name_rus and name_eng else [],
                    birth_dates=dates,
                    tags=tags,
                    description=cell["Description"],
                    details=details,
                )
    except UnicodeDecodeError as error:
        raise InputError(path, f"not UTF-8 text ({error.reason})") from None
    except csv.Error as error:
        raise InputError(path, f"not a readable CSV file ({error})") from None
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    return ParsedDataset(list(entries.values()), {path.name: file_sha256(path)}, notes)
