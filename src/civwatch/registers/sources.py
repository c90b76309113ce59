"""Reading a register snapshot file (JSON or CSV) into clean, typed rows.

The files are scraped from the Ministry of Justice's web table. What can be repaired with
certainty is repaired here and reported; anything else stops the import with a message
naming the file, the row and the field.
"""

import csv
import datetime
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from civwatch.core.dates import dotted_date
from civwatch.core.errors import InputError

SNAPSHOT_DATE = re.compile(r"registry-(\d{4}-\d{2}-\d{2})[a-z]?\.(json|csv)$")
# A row whose cells all start with the table's header text: "No п/п\n262".
HEADER_GLUED_ID = re.compile(r"^\D+\n\s*(\d+)\s*$")
LAW = re.compile(
    r"Стать[яи]\s+(?P<article>\d+(?:\.\d+)?)\s+(?:Федерального\s+закона|Закона\s+Российской"
    r"\s+Федерации)\s+от\s+\d{2}\.\d{2}\.\d{4}\s*(?:№|No|N)\s*(?P<law>\d+-(?:ФЗ|\d+))"
)
# Items of the `resources` cell are separated by ";" or "," (row 571 uses commas only).
URL_SEPARATOR = re.compile(r"[;,]")
# Where one web address starts: a scheme (also the mistyped "https:/"), "www." or a host
# name with a dot ("truerussia.org", "t.me/s/owglobal").
URL_START = re.compile(r"^(?:https?:/|www\.|[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?:/|$))", re.I)
# A scheme glued to the end of the previous address ("…/lev-shlosberghttps://vk.com/…").
GLUED_URL = re.compile(r"(?<=\S)(?=https?://)")
# Labels typed between the addresses (row 514: «Telegram» https://t.me/…).
URL_LABEL = re.compile(r"^«[^»]*»$")
# FollowTheMoney refuses names longer than this; no single person's name comes near it.
MAX_NAME_LENGTH = 384


@dataclass(frozen=True)
class Column:
    source: str
    field: str
    kind: str = "text"  # text | date | digits | list | members | law
    required: bool = True


@dataclass(frozen=True)
class SourceFormat:
    columns: tuple[Column, ...]
    fixed: dict = field(default_factory=dict)

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)


FORMATS = {
    "foreign-agents": SourceFormat(
        columns=(
            Column("id", "row_id"),
            Column("fullName", "name"),
            Column("dob", "birth_date", "date"),
            Column("ogrn", "ogrn", "digits"),
            Column("inn", "inn", "digits"),
            Column("regNum", "reg_num"),
            Column("snils", "snils", "digits"),
            Column("address", "address"),
            Column("resources", "resources", "list"),
            Column("members", "members", "members"),
            Column("law", "legal_basis", "law"),
            Column("dateIn", "listed_on", "date"),
            # The register gained this column on 2024-07-06; older files lack it.
            Column("datePubl", "published_on", "date", required=False),
            Column("dateOut", "removed_on", "date"),
        )
    ),
    "undesirable": SourceFormat(
        columns=(
            Column("id", "row_id"),
            Column("fullName", "name"),
            Column("decisionInMinjust", "decision_in_minjust"),
            Column("decisionInGenproc", "decision_in_genproc"),
            Column("decisionOutMinjust", "decision_out_minjust"),
            Column("decisionOutGenproc", "decision_out_genproc"),
            Column("dateIn", "listed_on", "date"),
            Column("dateOut", "removed_on", "date"),
        ),
        fixed={"legal_basis": ("272-ФЗ", "3.1")},
    ),
}


@dataclass
class SnapshotFile:
    path: Path
    as_of: datetime.date
    sha256: str
    columns: list[str]  # our field names this file observed
    rows: list[tuple[int, dict]]  # (row number in the file, cleaned fields)
    notes: list[str]


def snapshot_date(
    path: Path,
    as_of: datetime.date | None,
    pattern: re.Pattern = SNAPSHOT_DATE,
    naming: str = "name the file registry-YYYY-MM-DD.json",
) -> datetime.date:
    """The snapshot's date: `as_of`, or the date `pattern` finds in the file name."""
    if as_of:
        return as_of
    found = pattern.search(path.name)
    if not found:
        raise InputError(
            path, f"cannot tell the snapshot date: {naming} or pass --as-of YYYY-MM-DD"
        )
    try:
        return datetime.date.fromisoformat(found.group(1))
    except ValueError as error:
        raise InputError(path, f"impossible date in the file name ({error})") from None


def file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror}") from None


def read_csv_records(path: Path, text: str) -> list[dict]:
    """CSV rows as dicts; a row with more or fewer cells than the header is refused."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise InputError(path, "empty CSV file: expected a header row")
    records = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            cells = [""] * len(header)  # a blank line is an empty row, skipped later
        if len(cells) != len(header):
            raise InputError(
                path,
                f"{len(cells)} cells where the header has {len(header)}: columns are shifted",
                # The header is line 1 of the file; data rows are counted from 1 as in JSON.
                row=len(records) + 1,
            )
        records.append(dict(zip(header, cells, strict=True)))
    return records


def read_records(path: Path, data: bytes) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            path, f"not UTF-8 text (byte {error.start}); convert it to UTF-8 first"
        ) from None
    if path.suffix.lower() == ".csv":
        return read_csv_records(path, text)
    try:
        records = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(path, f"malformed JSON: {error.msg}", row=error.lineno) from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError(path, "expected a JSON list of objects, one per register row")
    return records


def clean_text(value: object) -> str:
    # Blank cells arrive as "", " " or a no-break space; runs of spaces are typing noise.
    return " ".join(str(value or "").replace("\xa0", " ").split())


def parse_date(value: str) -> str | None:
    if not value:
        return None
    date = dotted_date(value)
    if date is None:
        raise ValueError(f"{value!r} is not a date DD.MM.YYYY")
    return date


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """Split on a separator outside parentheses: "A (alias, alias), B" -> two parts."""
    parts, depth, current = [], 0, []
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def parse_law(value: str) -> list[str] | None:
    if not value:
        return None
    found = LAW.search(value)
    if not found:
        raise ValueError(f"unknown legal basis {value[:120]!r}")
    return [found.group("law"), found.group("article")]


def split_urls(value: str) -> tuple[list[str], list[str]]:
    """The web addresses of a `resources` cell, and the pieces that are not addresses.

    Addresses are separated by ";", "," or spaces, or not at all (a scheme glued to the
    previous address). A space inside an address ("youtube.com/channel/ UC43…") is typing
    noise: the piece after it continues the address. Labels in «» are dropped, and so is a
    piece that is no address ("ID: -1001099350027" after a Telegram address), which is
    returned so the caller can report it. Repeated addresses are kept once, in order.
    """
    urls: list[str] = []
    other: list[str] = []
    for part in URL_SEPARATOR.split(value.replace("\xa0", " ")):
        current: list[str] = []  # the address being built from this part's tokens
        for token in (t for word in part.split() for t in GLUED_URL.split(word) if t):
            if URL_LABEL.match(token):
                continue
            if URL_START.match(token) or not current:
                current.append(token)
            else:
                current[-1] += token
        for item in current:
            if URL_START.match(item):
                urls.append(item.rstrip("."))  # "…/@comingoutspb/.https://t.me/…"
            elif " ".join(part.split()) not in other:
                other.append(" ".join(part.split()))
    return list(dict.fromkeys(urls)), other


def split_members(value: str) -> list[str]:
    """Members separated by "," or ";" (both occur), pseudonyms in parentheses kept whole."""
    return [member for part in split_top_level(value, ";") for member in split_top_level(part, ",")]


def convert(column: Column, raw: str):
    value = clean_text(raw) if column.kind != "list" else str(raw or "").replace("\xa0", " ")
    if column.kind == "date":
        return parse_date(value)
    if column.kind == "digits":
        # "115-239-885 59" and "11523988559" are the same SNILS.
        return re.sub(r"\D", "", value) or None
    if column.kind == "list":
        return split_urls(value)[0] or None
    if column.kind == "members":
        members = split_members(value)
        for member in members:
            if len(member) > MAX_NAME_LENGTH:
                raise ValueError(
                    f"a member name of {len(member)} characters ({member[:60]!r}...) is not "
                    "one person's name: members are separated by ',' or ';'"
                )
        return members or None
    if column.kind == "law":
        return parse_law(value)
    return value or None


def unglue_header(record: dict) -> dict:
    """Drop the table header the scraper glued in front of every cell of one row."""
    return {key: str(v).split("\n", 1)[1] if "\n" in str(v) else "" for key, v in record.items()}


def read_snapshot(path: Path, register: str, as_of: datetime.date | None = None) -> SnapshotFile:
    source_format = FORMATS[register]
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror}") from None
    records = read_records(path, data)
    present = set().union(*(r.keys() for r in records)) if records else set()
    missing = [c.source for c in source_format.columns if c.required and c.source not in present]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}")
    known = {c.source for c in source_format.columns}
    notes = [
        f"column {name!r} is not known to civwatch and was ignored"
        for name in sorted(present - known)
    ]
    columns = [c for c in source_format.columns if c.source in present]
    rows, row_ids = [], {}
    # JSON rows are counted from 1; CSV rows too, the header being row 0.
    for number, record in enumerate(records, start=1):
        if not any(clean_text(v) for v in record.values()):
            notes.append(f"row {number}: empty row skipped")
            continue
        if HEADER_GLUED_ID.match(str(record.get("id", ""))):
            record = unglue_header(record)
            notes.append(f"row {number}: table header glued into the cells removed")
        fields = {}
        for column in columns:
            try:
                fields[column.field] = convert(column, record.get(column.source, ""))
            except ValueError as error:
                raise InputError(path, str(error), row=number, field=column.source) from None
        for name, value in source_format.fixed.items():
            fields[name] = list(value)
        if "resources" in fields:
            not_urls = split_urls(str(record.get("resources") or ""))[1]
            notes += [
                f"row {number}: {piece!r} in resources is not a web address; left out"
                for piece in not_urls
            ]
        if not fields["row_id"]:
            raise InputError(path, "row without a register number", row=number, field="id")
        if not fields["name"]:
            raise InputError(path, "row without a name", row=number, field="fullName")
        if fields["row_id"] in row_ids:
            raise InputError(
                path,
                f"register number {fields['row_id']} already used in row "
                f"{row_ids[fields['row_id']]}",
                row=number,
                field="id",
            )
        row_ids[fields["row_id"]] = number
        rows.append((number, fields))
    return SnapshotFile(
        path=path,
        as_of=snapshot_date(path, as_of),
        sha256=hashlib.sha256(data).hexdigest(),
        columns=[c.field for c in columns] + list(source_format.fixed),
        rows=rows,
        notes=notes,
    )
