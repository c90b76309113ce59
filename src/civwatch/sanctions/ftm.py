"""Reading FollowTheMoney JSON lines and OpenSanctions' `targets.simple.csv` form."""

import csv
import datetime
import json
from pathlib import Path

from followthemoney import model

from civwatch.core.errors import InputError
from civwatch.sanctions.sources import (
    ParsedDataset,
    ParsedEntry,
    file_sha256,
    parse_birth_dates,
    unique,
)

# FtM properties kept in an entry's details, by the detail's name.
FTM_DETAILS = {
    "birth_places": ("birthPlace",),
    "nationalities": ("nationality", "citizenship"),
    "gender": ("gender",),
    "passports": ("passportNumber",),
    "id_numbers": ("idNumber", "taxNumber", "innCode", "ogrnCode", "registrationNumber"),
    "addresses": ("address",),
    "countries": ("country", "jurisdiction"),
    "positions": ("position",),
}
# What a list names: persons, organisations and companies (legal entities), vessels, aircraft.
LISTED_SCHEMAS = ("LegalEntity", "Vessel", "Airplane")
TARGET_COLUMNS = ("id", "schema", "name", "aliases", "birth_date", "countries", "addresses",
                  "identifiers", "sanctions", "program_ids", "dataset")  # fmt: skip


def line_error(path: Path, number: int, field_name: str | None, problem: str) -> InputError:
    """JSON lines and multi-line CSV cells: the position is a line of the file."""
    return InputError(path, problem, row=number, field=field_name, unit="line")


def earliest(dates: list[str]) -> datetime.date | None:
    days = []
    for value in dates:
        try:
            days.append(datetime.date.fromisoformat(value[:10]))
        except ValueError:
            continue
    return min(days, default=None)


def read_ftm(path: Path) -> ParsedDataset:
    """Listed things (persons, organisations, vessels...) become entries; a Sanction adds its
    programme and start date to the entity it names; other schemas are counted and left."""
    things: dict[str, tuple[int, dict]] = {}
    sanctions: list[tuple[int, dict]] = []
    others = 0
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as error:
                    raise line_error(path, number, None, f"not JSON ({error.msg})") from None
                if not isinstance(data, dict) or not data.get("id"):
                    raise line_error(path, number, "id", "missing")
                schema = model.get(data.get("schema") or "")
                if schema is None:
                    raise line_error(
                        path, number, "schema", f"unknown schema {data.get('schema')!r}"
                    )
                if not isinstance(data.get("properties", {}), dict):
                    raise line_error(path, number, "properties", "not an object")
                if schema.is_a("Sanction"):
                    sanctions.append((number, data))
                elif any(schema.is_a(kind) for kind in LISTED_SCHEMAS):
                    if data["id"] in things:
                        raise line_error(path, number, "id", f"{data['id']!r} appears twice")
                    things[data["id"]] = (number, data)
                else:
                    others += 1
    except UnicodeDecodeError as error:
        raise InputError(path, f"not UTF-8 text ({error.reason})") from None
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    entries = {thing_id: ftm_entry(path, n, data) for thing_id, (n, data) in things.items()}
    for _, data in sanctions:
        properties = data.get("properties") or {}
        for target in properties.get("entity", []):
            entry = entries.get(target)
            if entry is None:
                continue
            programmes = properties.get("programId") or properties.get("program") or []
            entry.programmes = unique([*entry.programmes, *programmes])
            since = earliest(properties.get("startDate", []) + properties.get("listingDate", []))
            if since and (entry.listed_since is None or since < entry.listed_since):
                entry.listed_since = since
    notes = [f"{others} entities of other schemas (addresses, relations...) not imported"]
    notes = notes if others else []
    return ParsedDataset(list(entries.values()), {path.name: file_sha256(path)}, notes)


def ftm_entry(path: Path, number: int, data: dict) -> ParsedEntry:
    properties = data.get("properties") or {}

    def values(*names: str) -> list[str]:
        found = []
        for name in names:
            value = properties.get(name, [])
            if not isinstance(value, list):
                raise line_error(path, number, name, "not a list of values")
            found += [str(v).strip() for v in value]
        return unique(found)

    names = values("name")
    if not names:
        raise line_error(path, number, "name", "the entity has no name")
    dates = []
    for value in values("birthDate"):
        parsed = parse_birth_dates(value)
        if parsed is None:
            raise line_error(path, number, "birthDate", f"{value!r} is not a date")
        dates += parsed
    return ParsedEntry(
        source_id=str(data["id"]),
        schema=data["schema"],
        name=names[0],
        aliases=unique([*names[1:], *values("alias", "previousName")]),
        weak_aliases=values("weakAlias"),
        birth_dates=unique(dates),
        programmes=values("programId", "program"),
        tags=values("topics"),
        description="; ".join(values("position", "notes", "summary")),
        details={key: values(*props) for key, props in FTM_DETAILS.items() if values(*props)},
    )


def split(row: dict, column: str) -> list[str]:
    return unique(v.strip().strip('"') for v in row[column].split(";"))


def read_targets_simple(path: Path) -> ParsedDataset:
    """OpenSanctions' `targets.simple.csv`: one row per target, lists separated by `;`."""
    entries: dict[str, ParsedEntry] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in TARGET_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(path, "column missing from the header", row=1, field=missing[0])
            for row in reader:
                number = reader.line_num
                if None in row or None in row.values():
                    raise line_error(path, number, None, "wrong number of fields")

                if not row["id"].strip():
                    raise line_error(path, number, "id", "missing")
                if model.get(row["schema"]) is None:
                    raise line_error(path, number, "schema", f"unknown schema {row['schema']!r}")
                if not row["name"].strip():
                    raise line_error(path, number, "name", "missing")
                dates = []
                for value in split(row, "birth_date"):
                    parsed = parse_birth_dates(value)
                    if parsed is None:
                        raise line_error(path, number, "birth_date", f"{value!r} is not a date")
                    dates += parsed
                if row["id"] in entries:
                    raise line_error(path, number, "id", f"{row['id']!r} appears twice")
                details = {
                    "countries": split(row, "countries"),
                    "addresses": split(row, "addresses"),
                    "id_numbers": split(row, "identifiers"),
                    "sanctions": split(row, "sanctions"),
                    "source_datasets": split(row, "dataset"),
                }
                entries[row["id"]] = ParsedEntry(
                    source_id=row["id"].strip(),
                    schema=row["schema"],
                    name=row["name"].strip(),
                    aliases=[a for a in split(row, "aliases") if a != row["name"].strip()],
                    birth_dates=unique(dates),
                    programmes=split(row, "program_ids"),
                    details={k: v for k, v in details.items() if v},
                )
    except UnicodeDecodeError as error:
        raise InputError(path, f"not UTF-8 text ({error.reason})") from None
    except csv.Error as error:
        raise InputError(path, f"not a readable CSV file ({error})") from None
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    return ParsedDataset(list(entries.values()), {path.name: file_sha256(path)}, [])
