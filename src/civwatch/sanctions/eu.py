"""Reading the EU consolidated financial sanctions list (FSF), XML schema 1.1 and CSV 1.1.

Written from the published format description, NOT yet checked against a full real file (the
file is about 25 MB and could not be bundled): see docs/sanctions.md. The root `<export>`
(default namespace `http://eu.europa.ec/fpi/fsd/export`, accepted with or without it) holds
one `<sanctionEntity logicalId euReferenceNumber>` per target, with `<subjectType code>`
(`person` or `enterprise`), `<regulation programme publicationDate>` (one per legal act that
listed or amended the entry), `<nameAlias wholeName firstName middleName lastName function
gender strong>`, `<citizenship countryDescription>`, `<birthdate birthdate year monthOfYear
dayOfMonth circa place city countryDescription>`, `<identification number identificationTypeCode>`
and `<address>` elements; dates are ISO `YYYY-MM-DD`.

The CSV flattens the same elements into one semicolon-separated row per combination of an
entity's names, addresses, birth dates, documents and citizenships, columns named
`Element_Attribute` (`NameAlias_WholeName`, `BirthDate_Year`), the list's date in every row's
`fileGenerationDate` (seen as `dd/mm/yyyy`). Both forms are read into the same structure
(`Entity`: element name -> its attribute sets) and one function, `entity_entry`, builds the
entry from it, so the same list gives the same entries in either form.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from civwatch.core.dates import ISO_DATE, partial_date, read_date, slashed_date
from civwatch.core.errors import InputError
from civwatch.sanctions.sources import (
    ParsedDataset,
    ParsedEntry,
    csv_rows,
    file_sha256,
    unique,
)

SCHEMAS = {"person": "Person", "enterprise": "LegalEntity"}
# One element per entity: a CSV entity whose rows disagree on them is refused.
SINGLE = ("sanctionEntity", "subjectType")
# The CSV columns read, as the XML element and attribute each one flattens. The XML's
# subjectType `code` (person/enterprise) is the CSV's `Entity_SubjectType_ClassificationCode`;
# its `Entity_SubjectType` holds the XML's classificationCode (P/E) and is not read.
CSV_COLUMNS = {
    "Entity_LogicalId": ("sanctionEntity", "logicalId"),
    "Entity_EU_ReferenceNumber": ("sanctionEntity", "euReferenceNumber"),
    "Entity_UnitedNationId": ("sanctionEntity", "unitedNationId"),
    "Entity_Remark": ("remark", "text"),
    "Entity_SubjectType_ClassificationCode": ("subjectType", "code"),
    "Entity_Regulation_PublicationDate": ("regulation", "publicationDate"),
    "Entity_Regulation_NumberTitle": ("regulation", "numberTitle"),
    "Entity_Regulation_Programme": ("regulation", "programme"),
    "NameAlias_WholeName": ("nameAlias", "wholeName"),
    "NameAlias_Gender": ("nameAlias", "gender"),
    "NameAlias_Function": ("nameAlias", "function"),
    "BirthDate_BirthDate": ("birthdate", "birthdate"),
    "BirthDate_Day": ("birthdate", "dayOfMonth"),
    "BirthDate_Month": ("birthdate", "monthOfYear"),
    "BirthDate_Year": ("birthdate", "year"),
    "BirthDate_City": ("birthdate", "city"),
    "BirthDate_Place": ("birthdate", "place"),
    "BirthDate_CountryDescription": ("birthdate", "countryDescription"),
    "Identification_Number": ("identification", "number"),
    "Citizenship_CountryDescription": ("citizenship", "countryDescription"),
}
CSV_REQUIRED = (
    "Entity_LogicalId",
    "Entity_SubjectType_ClassificationCode",
    "NameAlias_WholeName",
)
CSV_FIELDS = {place: column for column, place in CSV_COLUMNS.items()}
CSV_DATE = "fileGenerationDate"


@dataclass(frozen=True)
class Part:
    """One element of a sanctionEntity: its attributes and where it was read (the entity's
    position in the XML, the row in the CSV), so an error can point at it."""

    at: int
    values: tuple[tuple[str, str], ...]

    def __getitem__(self, name: str) -> str:
        return dict(self.values).get(name, "")


# A sanctionEntity as both forms give it: element name -> its elements, in file order; the
# entity's own attributes are the one `sanctionEntity` part, a remark's text is `text`.
Entity = dict[str, list[Part]]


@dataclass(frozen=True)
class Form:
    """How a form names a place in the file: the unit of its rows and its field names."""

    unit: str
    fields: Callable[[str, str], str]

    def error(self, path: Path, part: Part, element: str, name: str, problem: str) -> InputError:
        return InputError(
            path, problem, row=part.at, field=self.fields(element, name), unit=self.unit
        )


XML_FORM = Form(
    "sanctionEntity",
    lambda element, name: name if element == "sanctionEntity" else f"{element} {name}",
)
CSV_FORM = Form("row", lambda element, name: CSV_FIELDS[element, name])


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local(child.tag) == name]


def attribute(element: Element, name: str) -> str:
    return " ".join((element.get(name) or "").split())


def read_day(value: str) -> datetime.date | None:
    """ISO `YYYY-MM-DD` (a time after it ignored) or `dd/mm/yyyy`, a whole date; else None."""
    text = value.split("T")[0]
    date = slashed_date(text) if "/" in text else read_date(text) if ISO_DATE.match(text) else None
    return datetime.date.fromisoformat(date) if date and len(date) == 10 else None


def day(path: Path, form: Form, part: Part, element: str, name: str) -> datetime.date | None:
    value = part[name]
    if not value:
        return None
    date = read_day(value)
    if date is None:
        raise form.error(path, part, element, name, f"{value!r} is not a date")
    return date


def birth_date(path: Path, form: Form, part: Part) -> str | None:
    """The date at the precision given: `birthdate`, else year / month / day parts."""
    if part["birthdate"]:
        whole = day(path, form, part, "birthdate", "birthdate")
        return whole.isoformat() if whole else None
    year = part["year"]
    if not year:
        return None
    parts = [part["monthOfYear"], part["dayOfMonth"]]
    if not year.isdigit() or any(p and not p.isdigit() for p in parts):
        raise form.error(path, part, "birthdate", "year", f"{year}-{parts} is not a date")
    month, day_ = (int(p) if p else None for p in parts)
    date = partial_date(int(year), month, day_ if month else None)
    if date is None:
        raise form.error(path, part, "birthdate", "year", "impossible date")
    return date


def entity_entry(path: Path, form: Form, entity: Entity) -> ParsedEntry:
    """The entry of one sanctionEntity, whichever form it was read from."""
    for element in SINGLE:
        if len(entity.get(element, [])) > 1:
            first, second = entity[element][:2]
            differs = [n for n, v in second.values if v != first[n]]
            name = (differs or [n for n, _ in second.values])[0]
            raise form.error(path, second, element, name, "differs from the entity's first row")
    own = entity["sanctionEntity"][0]
    logical_id = own["logicalId"]
    if not logical_id.isdigit():
        raise form.error(
            path, own, "sanctionEntity", "logicalId", f"{logical_id!r} is not a number"
        )
    subject = (entity.get("subjectType") or [Part(own.at, ())])[0]
    if subject["code"] not in SCHEMAS:
        raise form.error(
            path, subject, "subjectType", "code", f"unknown subject type {subject['code']!r}"
        )
    aliases = entity.get("nameAlias", [])
    names = unique(a["wholeName"] for a in aliases)
    if not names:
        raise form.error(path, own, "nameAlias", "wholeName", "no name")
    regulations = entity.get("regulation", [])
    dates = unique(day(path, form, r, "regulation", "publicationDate") for r in regulations)
    births = entity.get("birthdate", [])
    details = {
        "eu_reference_number": own["euReferenceNumber"],
        "united_nation_id": own["unitedNationId"],
        "regulations": unique(r["numberTitle"] for r in regulations),
        "nationalities": unique(c["countryDescription"] for c in entity.get("citizenship", [])),
        "birth_places": unique(
            ", ".join(
                v
                for v in (b["city"] or b["place"], b["countryDescription"])
                if v and v != "UNKNOWN"
            )
            for b in births
        ),
        "gender": unique(a["gender"] for a in aliases),
        "id_numbers": unique(i["number"] for i in entity.get("identification", [])),
        "remarks": " ".join(r["text"] for r in entity.get("remark", [])),
    }
    return ParsedEntry(
        source_id=logical_id,
        schema=SCHEMAS[subject["code"]],
        name=names[0],
        aliases=names[1:],
        birth_dates=unique(birth_date(path, form, b) for b in births),
        programmes=unique(r["programme"] for r in regulations),
        listed_since=min(dates) if dates else None,
        description="; ".join(unique(a["function"] for a in aliases)),
        details={key: value for key, value in details.items() if value},
    )


def read_eu_list(path: Path) -> ParsedDataset:
    """Read an FSF XML 1.1 or CSV 1.1 file (by its suffix, else its content); nothing is
    written here."""
    if not path.is_file():
        raise InputError(path, "no such file")
    suffix = path.suffix.lower()
    if suffix != ".xml" and (suffix == ".csv" or not looks_like_xml(path)):
        return read_eu_csv(path)
    return read_eu_xml(path)


def looks_like_xml(path: Path) -> bool:
    with path.open("rb") as handle:
        start = handle.read(1024)
    return start.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def xml_entity(number: int, element: Element) -> Entity:
    own = tuple((name, attribute(element, name)) for name in element.attrib)
    entity: Entity = {"sanctionEntity": [Part(number, own)]}
    for child in element:
        if local(child.tag) == "remark":
            values = (("text", " ".join((child.text or "").split())),)
        else:
            values = tuple((name, attribute(child, name)) for name in child.attrib)
        entity.setdefault(local(child.tag), []).append(Part(number, values))
    return entity


def read_eu_xml(path: Path) -> ParsedDataset:
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
    list_date = read_day(generated) if generated else None
    if generated and list_date is None:
        raise InputError(path, f"{generated!r} is not a date", field="generationDate")
    entries: dict[str, ParsedEntry] = {}
    for number, element in enumerate(children(root, "sanctionEntity"), 1):
        entry = entity_entry(path, XML_FORM, xml_entity(number, element))
        if entry.source_id in entries:
            raise InputError(
                path,
                f"{entry.source_id} appears twice",
                row=number,
                field="logicalId",
                unit="sanctionEntity",
            )
        entries[entry.source_id] = entry
    return ParsedDataset(list(entries.values()), {path.name: file_sha256(path)}, [], list_date)


def read_eu_csv(path: Path) -> ParsedDataset:
    """One row per combination of an entity's names, addresses, birth dates, documents and
    citizenships: the rows sharing an `Entity_LogicalId` are folded back into one entity,
    each element once (the same values repeated on many rows are one element)."""
    records = csv_rows(path, delimiter=";")
    header = [" ".join(cell.split()) for cell in next(records, [])]
    for column in CSV_REQUIRED:
        if column not in header:
            raise InputError(path, "column missing from the header", row=1, field=column)
    position = {column: header.index(column) for column in CSV_COLUMNS if column in header}
    list_date = None
    entities: dict[str, Entity] = {}
    for number, cells in enumerate(records, 2):
        if not any(cell.strip() for cell in cells):
            continue
        if list_date is None and CSV_DATE in header:
            generated = cells[header.index(CSV_DATE)].strip()
            list_date = read_day(generated)
            if generated and list_date is None:
                raise InputError(path, f"{generated!r} is not a date", row=number, field=CSV_DATE)
        cells += [""] * (len(header) - len(cells))
        elements: dict[str, list[tuple[str, str]]] = {}
        for column, index in position.items():
            element, name = CSV_COLUMNS[column]
            elements.setdefault(element, []).append((name, " ".join(cells[index].split())))
        entity = entities.setdefault(dict(elements["sanctionEntity"])["logicalId"], {})
        for element, values in elements.items():
            seen = entity.setdefault(element, [])
            wanted = element == "sanctionEntity" or any(v for _, v in values)
            if wanted and all(p.values != tuple(values) for p in seen):
                seen.append(Part(number, tuple(values)))
    entries = [entity_entry(path, CSV_FORM, entity) for entity in entities.values()]
    return ParsedDataset(entries, {path.name: file_sha256(path)}, [], list_date)
