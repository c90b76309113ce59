"""What every list reader shares: the parsed entry, errors that name file/row/field, dates."""

import csv
import datetime
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from civwatch.core.dates import ISO_DATE, partial_date, read_date
from civwatch.core.errors import InputError

MONTHS_EN = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
# Genitive forms as written in "9 марта 1965".
MONTHS_RU = {
    m: i
    for i, m in enumerate(
        [
            "января", "февраля", "марта", "апреля", "мая", "июня",
            "июля", "августа", "сентября", "октября", "ноября", "декабря",
        ],
        1,
    )
}  # fmt: skip
NUMERIC_DATE = re.compile(r"\b(\d{1,2})\s*[./]\s*(\d{1,2})\s*[./]\s*(\d{4})\b")
WORD_DATE = re.compile(r"\b(?:(\d{1,2})\s+)?([A-Za-zА-Яа-яё]+)\.?\s+(\d{4})\b")
YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")


@dataclass
class ParsedEntry:
    """One entry as a reader understood it; `record` is what versions are compared on."""

    source_id: str
    schema: str
    name: str
    aliases: list[str] = field(default_factory=list)
    weak_aliases: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)  # ISO, possibly YYYY or YYYY-MM
    programmes: list[str] = field(default_factory=list)
    listed_since: datetime.date | None = None
    tags: list[str] = field(default_factory=list)
    description: str = ""
    details: dict = field(default_factory=dict)  # birth places, documents, addresses...

    @property
    def record(self) -> dict:
        """Everything the entry says, in a stable JSON form (empty values left out)."""
        data = {
            "schema": self.schema,
            "name": self.name,
            "aliases": self.aliases,
            "weak_aliases": self.weak_aliases,
            "birth_dates": self.birth_dates,
            "programmes": self.programmes,
            "listed_since": self.listed_since.isoformat() if self.listed_since else "",
            "tags": self.tags,
            "description": self.description,
            **self.details,
        }
        return {key: value for key, value in data.items() if value}


@dataclass
class ParsedDataset:
    """Everything read from the files of one version, before anything is written."""

    entries: list[ParsedEntry]
    files: dict[str, str]  # file name -> sha256
    notes: list[str] = field(default_factory=list)
    source_date: datetime.date | None = None  # the list's own date, when the file gives one


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def unique(values) -> list:
    """Non-empty values, first occurrence kept, order kept."""
    return list(dict.fromkeys(v for v in values if v))


def month_number(word: str) -> int | None:
    word = word.casefold()
    return MONTHS_RU.get(word) or (MONTHS_EN.get(word[:3]) if len(word) >= 3 else None)


DATE_RANGE = re.compile(r"^(?P<start>.*\d)\s+to\s+(?P<end>.*\d)$")


def date_range(start: str, end: str) -> list[str] | None:
    """The dates of a range "start to end" at a precision that holds everyone born in it.

    Every year when the range covers whole years ("01 Jan 1961 to 31 Dec 1962" -> 1961,
    1962), otherwise every month it touches ("Mar 1962 to Feb 1963" -> 1962-03 .. 1963-02):
    a person born inside the range then agrees with one of them at the precision they share,
    where two exact end dates would make everyone else in it a conflict. None when the end
    comes before the start.
    """
    if end < start:
        return None
    (y1, m1), (y2, m2) = ((int(d[:4]), int(d[5:7] or 0)) for d in (start, end))
    whole_years = start[5:] in ("", "01", "01-01") and end[5:] in ("", "12", "12-31")
    if whole_years:
        return [partial_date(y) for y in range(y1, y2 + 1)]
    months = range(y1 * 12 + (m1 or 1) - 1, y2 * 12 + (m2 or 12))
    return [partial_date(m // 12, m % 12 + 1) for m in months]


def parse_birth_dates(text: str) -> list[str] | None:
    """Dates in a free-text birth date cell: [] when the cell is empty, None when unreadable.

    Reads "28.06.1960", "09 Nov 1972", "Nov 1972", "9 марта 1965", "1965", "circa 1965",
    ranges ("1960 to 1962", "01 Jan 1961 to 31 Dec 1962", "Mar 1962 to Feb 1963": see
    date_range) and ISO dates.
    """
    text = text.strip().strip("-–—?").strip()
    if not text:
        return []
    ends = DATE_RANGE.match(text)
    if ends:
        start, end = parse_birth_dates(ends["start"]), parse_birth_dates(ends["end"])
        if start and end and len(start) == len(end) == 1:
            return date_range(start[0], end[0])
    if ISO_DATE.match(text):
        date = read_date(text)
        return [date] if date else None
    found = []
    for day, month, year in NUMERIC_DATE.findall(text):
        found.append(partial_date(int(year), int(month), int(day)))
    rest = NUMERIC_DATE.sub(" ", text)
    for day, month_word, year in WORD_DATE.findall(rest):
        month = month_number(month_word)
        if month:
            found.append(partial_date(int(year), month, int(day) if day else None))
    rest = WORD_DATE.sub(lambda m: " " if month_number(m.group(2)) else m.group(0), rest)
    years = [int(y) for y in YEAR.findall(rest)]
    if len(years) == 2 and re.search(r"\d{4}\s*(to|-|–)\s*\d{4}", rest) and years[0] < years[1]:
        found += [partial_date(y) for y in range(years[0], years[1] + 1)]
    else:
        found += [partial_date(y) for y in years]
    if not found or None in found:
        return None
    return unique(found)


def csv_rows(path: Path, delimiter: str = ",") -> Iterator[list[str]]:
    """The rows of a list's CSV file (UTF-8, with or without a byte-order mark)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from csv.reader(handle, delimiter=delimiter)
    except UnicodeDecodeError as error:
        raise InputError(path, f"not UTF-8 text ({error.reason})") from None
    except csv.Error as error:
        raise InputError(path, f"not a readable CSV file ({error})") from None
