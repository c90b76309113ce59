"""Reading the OFAC SDN list in its legacy CSV form: sdn.csv, alt.csv (aliases), add.csv
(addresses).

The files have no header in OFAC's own distribution; a copy re-saved with a header row
(mislabelled: `Country` holds the programmes, `Col_F`..`Col_K` the vessel fields) is
accepted as well. The real columns are those of OFAC's published data specification.
`-0- ` stands for an empty cell, and a line holding only `^Z` (the DOS end-of-file mark)
ends each file.
"""

import csv
import re
from collections import defaultdict
from pathlib import Path

from civwatch.core.errors import InputError
from civwatch.sanctions.sources import (
    ParsedDataset,
    ParsedEntry,
    file_sha256,
    parse_birth_dates,
    unique,
)

SDN_COLUMNS = (
    "ent_num", "sdn_name", "sdn_type", "program", "title", "call_sign",
    "vess_type", "tonnage", "grt", "vess_flag", "vess_owner", "remarks",
)  # fmt: skip
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
ADD_COLUMNS = ("ent_num", "add_num", "address", "city_state_postal", "country", "add_remarks")
SCHEMAS = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane", "": "LegalEntity"}
END_OF_FILE = "\x1a"
# An "a.k.a." item holds one name between single quotes; the name itself may hold
# apostrophes ('O'NINNO', 'ABU 'AZZAM', ''ALI AL-KHAL'), so it runs from the first quote to
# the last one of the item, not to the next apostrophe. A name cut off by the end of a
# truncated remarks cell has no closing quote and is not taken.
QUOTED = re.compile(r"^'(.+)'$")
REMARK_FIELDS = [
    # (prefix of a remark item, the detail it fills); "alt. " forms are read alike.
    ("DOB ", "birth_dates"),
    ("POB ", "birth_places"),
    ("nationality ", "nationalities"),
    ("citizen ", "nationalities"),
    ("Gender ", "gender"),
    ("Passport ", "passports"),
    ("National ID No. ", "id_numbers"),
    ("Tax ID No. ", "id_numbers"),
    ("Identification Number ", "id_numbers"),
    ("Linked To: ", "linked_to"),
]


def empty(cell: str) -> str:
    cell = cell.strip()
    return "" if cell == "-0-" else cell


def read_rows(path: Path, columns: tuple[str, ...]):
    """(row number, {column: value}) for each data row; a header row is skipped."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), 1):
                if row and row[0].startswith(END_OF_FILE):
                    return
                if not any(cell.strip() for cell in row):
                    continue
                if number == 1 and not row[0].strip().isdigit():
                    continue  # a header row added by whoever re-saved the file
                if len(row) != len(columns):
                    raise InputError(
                        path, f"{len(row)} fields, expected {len(columns)}", row=number
                    )
                values = dict(zip(columns, (empty(c) for c in row), strict=True))
                if not values["ent_num"].isdigit():
                    raise InputError(
                        path, f"{values['ent_num']!r} is not a number", row=number, field="ent_num"
                    )
                yield number, values
    except UnicodeDecodeError as error:
        raise InputError(path, f"not UTF-8 text ({error.reason})") from None
    except csv.Error as error:
        raise InputError(path, f"not a readable CSV file ({error})") from None


def parse_remarks(path: Path, number: int, remarks: str) -> dict:
    """The structured facts in the free-text remarks; the rest stays in `remarks`."""
    details: dict[str, list[str]] = defaultdict(list)
    for item in remarks.rstrip(".").split(";"):
        item = item.strip().removeprefix("alt. ")
        if item.startswith(("a.k.a.", "f.k.a.", "n.k.a.")):
            # "'ABU-AL-KARKH', 'Yusuf'" (entry 11177) is one name in "SURNAME, Given" form
            # with stray quotes, like "'YUSEF, Hajj'" beside it.
            # "''FOOPIE''" (entry 6925) is a nickname quoted twice: one pair is dropped, but
            # a single leading apostrophe is the name's own ("''ABD AL-MUHSI'" = 'Abd).
            found = QUOTED.match(item[len("a.k.a.") :].strip())
            alias = found.group(1).replace("', '", ", ").strip() if found else ""
            if len(alias) > 2 and alias[0] == alias[-1] == "'":
                alias = alias[1:-1].strip()
            if alias:
                details["aliases"].append(alias)
            continue
        for prefix, detail in REMARK_FIELDS:
            if not item.startswith(prefix):
                continue
            value = item[len(prefix) :].strip()
            if detail == "birth_dates":
                dates = parse_birth_dates(value)
                if dates is None:
                    raise InputError(
                        path, f"unreadable birth date {value!r}", row=number, field="remarks"
                    )
                details[detail] += dates
            elif detail in {"passports", "id_numbers"}:
                details[detail].append(value.split(" ")[0])
                if prefix == "Tax ID No. ":
                    # Also apart: two tax numbers that differ contradict a link (xref).
                    details["tax_numbers"].append(value.split(" ")[0])
            else:
                details[detail].append(value)
            break
    return {key: unique(values) for key, values in details.items()}


def read_ofac_directory(directory: Path) -> ParsedDataset:
    """Read sdn.csv with its alt.csv and add.csv (both optional); nothing is written here."""
    paths = {name: directory / f"{name}.csv" for name in ("sdn", "alt", "add")}
    if not paths["sdn"].is_file():
        raise InputError(directory, "no sdn.csv in this directory")
    notes: list[str] = []
    entries: dict[str, ParsedEntry] = {}
    for number, row in read_rows(paths["sdn"], SDN_COLUMNS):
        if row["ent_num"] in entries:
            raise InputError(
                paths["sdn"], f"{row['ent_num']} appears twice", row=number, field="ent_num"
            )
        if row["sdn_type"] not in SCHEMAS:
            raise InputError(
                paths["sdn"], f"unknown type {row['sdn_type']!r}", row=number, field="sdn_type"
            )
        if not row["sdn_name"]:
            raise InputError(paths["sdn"], "empty name", row=number, field="sdn_name")
        details = parse_remarks(paths["sdn"], number, row["remarks"])
        programmes = unique(p.strip(" []") for p in row["program"].split("] ["))
        entries[row["ent_num"]] = ParsedEntry(
            source_id=row["ent_num"],
            schema=SCHEMAS[row["sdn_type"]],
            name=row["sdn_name"],
            aliases=details.pop("aliases", []),
            birth_dates=details.pop("birth_dates", []),
            programmes=programmes,
            description=row["title"],
            details={
                **details,
                "remarks": row["remarks"],
                **{k: row[k] for k in SDN_COLUMNS[5:11] if row[k]},
            },
        )
    orphans = 0
    if paths["alt"].is_file():
        for _, row in read_rows(paths["alt"], ALT_COLUMNS):
            entry = entries.get(row["ent_num"])
            if entry is None:
                orphans += 1
            elif row["alt_name"]:
                entry.aliases = unique([*entry.aliases, row["alt_name"]])
    if orphans:
        notes.append(f"alt.csv: {orphans} aliases of entries absent from sdn.csv ignored")
    orphans = 0
    if paths["add"].is_file():
        for _, row in read_rows(paths["add"], ADD_COLUMNS):
            entry = entries.get(row["ent_num"])
            address = ", ".join(
                v for v in (row["address"], row["city_state_postal"], row["country"]) if v
            )
            if entry is None:
                orphans += 1
            elif address:
                entry.details["addresses"] = unique([*entry.details.get("addresses", []), address])
    if orphans:
        notes.append(f"add.csv: {orphans} addresses of entries absent from sdn.csv ignored")
    files = {p.name: file_sha256(p) for p in paths.values() if p.is_file()}
    return ParsedDataset(list(entries.values()), files, notes)
