"""Reading Canada's Consolidated Autonomous Sanctions List (`sema-lema.xml`).

The list covers the Special Economic Measures Act (SEMA, one `Country` per regulation) and
the Justice for Victims of Corrupt Foreign Officials Act (JVCFOA, whose records carry the
regulation's name as their `Country` and no `Schedule`). A `<record>` has `Country`,
`LastName`/`GivenName` or `EntityOrShip`, `TitleOrShip`, `ShipIMONumber`, `Aliases`,
`DateOfBirthOrShipBuildDate`, `Schedule`, `Item` and `DateOfListing`; absent fields are left
out. There is no id: country, schedule and item together are unique, so the entry's id is
built from them, with the schedule's spelling folded ("1, Part 1", "1,Part 1" -> `1p1`), so a
respelt schedule keeps the id.
"""

import datetime
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from civwatch.core.dates import partial_date
from civwatch.core.errors import InputError
from civwatch.sanctions.sources import (
    ParsedDataset,
    ParsedEntry,
    file_sha256,
    unique,
)

ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
YEAR_RANGE = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")
ALTERNATIVES = re.compile(r"\s+or\s+", re.IGNORECASE)
# "Belarusian: Раман Iванавiч БIЗЮК": the label says which language the spelling is in.
LANGUAGE_LABEL = re.compile(r"^(?:Belarussian|Belarusian|Russian|Ukrainian|[A-Z][a-z]+ian):\s*")
ACRONYM = re.compile(r"\(([A-Z]{3,})\)")


def text(record: ET.Element, tag: str) -> str:
    element = record.find(tag)
    return " ".join((element.text or "").split()) if element is not None else ""


def programme_name(country: str) -> str:
    """The English half of the bilingual `Country` ("Russia / Russie" -> "Russia")."""
    return country.split(" / ")[0].strip()


def id_part(value: str) -> str:
    acronym = ACRONYM.search(value)
    if acronym:
        return acronym.group(1).lower()
    return re.sub(r"[^a-z0-9]+", "-", value.casefold()).strip("-")


def source_id(country: str, schedule: str, item: str) -> str:
    folded = re.sub(r"\s+", "", schedule).casefold().replace(",part", "p").replace("part", "p")
    return "-".join(p for p in (id_part(programme_name(country)), folded, item) if p)


def read_birth_dates(value: str) -> list[str] | None:
    """Exact dates at the precision given; alternatives ("1963 or 1964", "1963-1964") give
    each one. None when the text says something less exact ("Sep-99", "early 1970s")."""
    if not value:
        return []
    if match := YEAR_RANGE.match(value):
        first, last = (int(y) for y in match.groups())
        return [str(y) for y in range(first, last + 1)] if 0 < last - first <= 3 else None
    dates = []
    for part in ALTERNATIVES.split(value):
        match = ISO.match(part.strip())
        if not match:
            return None
        year, month, day = (int(p) if p else None for p in match.groups())
        date = partial_date(year, month, day)
        if date is None:
            return None
        dates.append(date)
    return unique(dates)


def split_aliases(value: str) -> list[str]:
    """`;` and `,` both separate aliases in this list; language labels are dropped."""
    return unique(LANGUAGE_LABEL.sub("", part.strip()) for part in re.split(r"[;,]", value))


def read_canada_list(path: Path) -> ParsedDataset:
    """Read sema-lema.xml; nothing is written here."""
    if not path.is_file():
        raise InputError(path, "no such file")
    try:
        # A published list is still untrusted input: no entities, no external references.
        root = SafeET.parse(path).getroot()
    except DefusedXmlException as error:
        raise InputError(path, f"refused XML construct ({error})") from None
    except ET.ParseError as error:
        raise InputError(
            path, f"not well-formed XML ({error.msg})", row=error.position[0], unit="line"
        ) from None
    if root.tag != "data-set":
        raise InputError(path, f"expected <data-set>, found <{root.tag}>")
    notes: list[str] = []
    entries: dict[str, ParsedEntry] = {}
    for number, record in enumerate(root.iter("record"), 1):
        country, schedule, item = (text(record, t) for t in ("Country", "Schedule", "Item"))
        if not country:
            raise InputError(path, "missing", row=number, field="Country", unit="record")
        if not item:
            raise InputError(path, "missing", row=number, field="Item", unit="record")
        key = source_id(country, schedule, item)
        if key in entries:
            raise InputError(path, f"{key} appears twice", row=number, field="Item", unit="record")
        last, given, entity = (text(record, t) for t in ("LastName", "GivenName", "EntityOrShip"))
        name = " ".join(p for p in (given, last) if p) or entity
        if not name:
            raise InputError(path, "no name", row=number, field="LastName", unit="record")
        listed = text(record, "DateOfListing")
        try:
            since = datetime.date.fromisoformat(listed) if listed else None
        except ValueError:
            raise InputError(
                path, f"{listed!r} is not a date", row=number, field="DateOfListing", unit="record"
            ) from None
        born = text(record, "DateOfBirthOrShipBuildDate")
        dates = read_birth_dates(born)
        details: dict = {"country": country, "schedule": schedule, "item": item}
        if dates is None:
            # Kept as written: turning "early 1970s" into a year would invent a fact.
            details["birth_date_text"] = born
            notes.append(f"record {number}: DateOfBirthOrShipBuildDate {born!r} kept as text")
            dates = []
        imo = text(record, "ShipIMONumber")
        schema = "Person" if (last or given) else ("Vessel" if imo else "LegalEntity")
        title = text(record, "TitleOrShip")
        if imo:
            details["imo_number"] = imo
        if schema == "Vessel":
            details["build_dates"], dates = dates, []
            details["vessel_type"] = title
        entries[key] = ParsedEntry(
            source_id=key,
            schema=schema,
            name=name,
            aliases=[a for a in split_aliases(text(record, "Aliases")) if a != name],
            birth_dates=dates,
            programmes=[programme_name(country)],
            listed_since=since,
            description=title if schema != "Vessel" else "",
            details={k: v for k, v in details.items() if v},
        )
    if not entries:
        raise InputError(path, "no <record> in this file")
    latest = max((e.listed_since for e in entries.values() if e.listed_since), default=None)
    notes.append(f"the file has no date of its own; its latest listing is {latest}")
    return ParsedDataset(list(entries.values()), {path.name: file_sha256(path)}, notes, latest)
