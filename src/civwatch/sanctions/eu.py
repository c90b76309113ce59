"""Reading the EU consolidated financial sanctions list (FSF), XML schema 1.1.

Written from the published format description, NOT yet checked against a full real file (the
file is about 25 MB and could not be bundled): see docs/sanctions.md. The root `<export>`
(default namespace `http://eu.europa.ec/fpi/fsd/export`, accepted with or without it) holds
one `<sanctionEntity logicalId euReferenceNumber>` per target, with `<subjectType code>`
(`person` or `enterprise`), `<regulation programme publicationDate>` (one per legal act that
listed or amended the entry), `<nameAlias wholeName firstName middleName lastName function
gender strong>`, `<citizenship countryDescription>`, `<birthdate birthdate year monthOfYear
dayOfMonth circa place city countryDescription>`, `<identification number identificationTypeCode>`
and `<address>` elements; dates are ISO `YYYY-MM-DD`.
"""

import datetime
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

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

SCHEMAS = {"person": "Person", "enterprise": "LegalEntity"}


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local(child.tag) == name]


def attribute(element: Element, name: str) -> str:
    return " ".join((element.get(name) or "").split())


def read_day(path: Path, number: int | None, field: str, value: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise InputError(
            path, f"{value!r} is not a date", row=number, field=field, unit="sanctionEntity"
        ) from None


def birth_date(path: Path, number: int, element: Element) -> str | None:
    """The date at the precision given: `birthdate`, else year / month / day parts."""
    whole = attribute(element, "birthdate")
    if whole:
        day = read_day(path, number, "birthdate", whole)
        return day.isoformat() if day else None
    year = attribute(element, "year")
    if not year:
        return None
    parts = [attribute(element, "monthOfYear"), attribute(element, "dayOfMonth")]
    if not year.isdigit() or any(p and not p.isdigit() for p in parts):
        raise InputError(
            path,
            f"{year}-{parts} is not a date",
            row=number,
            field="birthdate",
            unit="sanctionEntity",
        )
    month, day = (int(p) if p else None for p in parts)
    date = partial_date(int(year), month, day if month else None)
    if date is None:
        raise InputError(
            path, "impossible date", row=number, field="birthdate", unit="sanctionEntity"
        )
    return date


def read_eu_list(path: Path) -> ParsedDataset:
    """Read an FSF XML 1.1 file; nothing is written here."""
    if not path.is_file():
        raise InputError(path, "no such file")
    try:
        root = SafeET.parse(path).getroot()
    except DefusedXmlException as error:
        raise InputError(path, f"refused XML construct ({error})") from None
    except ParseError as error:
        raise InputError(
            path, f"not well-formed XML ({error.msg})", row=error.position[0], unit="line"
        ) from None
    if local(root.tag) != "export":
        raise InputError(path, f"expected <export>, found <{local(root.tag)}>")
    generated = attribute(root, "generationDate")
    list_date = read_day(path, None, "generationDate", generated) if generated else None
    entries: dict[str, ParsedEntry] = {}
    for number, element in enumerate(children(root, "sanctionEntity"), 1):
        logical_id = attribute(element, "logicalId")
        if not logical_id.isdigit():
            raise InputError(
                path,
                f"{logical_id!r} is not a number",
                row=number,
                field="logicalId",
                unit="sanctionEntity",
            )
        if logical_id in entries:
            raise InputError(
                path,
                f"{logical_id} appears twice",
                row=number,
                field="logicalId",
                unit="sanctionEntity",
            )
        subject = children(element, "subjectType")
        code = attribute(subject[0], "code") if subject else ""
        if code not in SCHEMAS:
            raise InputError(
                path,
                f"unknown subject type {code!r}",
                row=number,
                field="subjectType",
                unit="sanctionEntity",
            )
        aliases = children(element, "nameAlias")
        names = unique(attribute(a, "wholeName") for a in aliases)
        if not names:
            raise InputError(path, "no name", row=number, field="nameAlias", unit="sanctionEntity")
        regulations = children(element, "regulation")
        programmes = unique(attribute(r, "programme") for r in regulations)
        published = [
            read_day(path, number, "regulation publicationDate", attribute(r, "publicationDate"))
            for r in regulations
        ]
        dates = [d for d in published if d]
        births = children(element, "birthdate")
        details = {
            "eu_reference_number": attribute(element, "euReferenceNumber"),
            "united_nation_id": attribute(element, "unitedNationId"),
            "regulations": unique(attribute(r, "numberTitle") for r in regulations),
            "nationalities": unique(
                attribute(c, "countryDescription") for c in children(element, "citizenship")
            ),
            "birth_places": unique(
                ", ".join(
                    v
                    for v in (
                        attribute(b, "city") or attribute(b, "place"),
                        attribute(b, "countryDescription"),
                    )
                    if v and v != "UNKNOWN"
                )
                for b in births
            ),
            "gender": unique(attribute(a, "gender") for a in aliases),
            "id_numbers": unique(
                attribute(i, "number") for i in children(element, "identification")
            ),
            "remarks": " ".join(
                " ".join((r.text or "").split()) for r in children(element, "remark")
            ),
        }
        entries[logical_id] = ParsedEntry(
            source_id=logical_id,
            schema=SCHEMAS[code],
            name=names[0],
            aliases=names[1:],
            birth_dates=unique(birth_date(path, number, b) for b in births),
            programmes=programmes,
            listed_since=min(dates) if dates else None,
            description="; ".join(unique(attribute(a, "function") for a in aliases)),
            details={key: value for key, value in details.items() if value},
        )
    return ParsedDataset(list(entries.values()), {path.name: file_sha256(path)}, [], list_date)
