"""Writing one versioned open-data release: `civwatch publish --output DIR` (docs/releases.md).

A release is a folder named by its date and sequence (`2026-11-30.1`). Every file in it is
made by the exporters' own public serialisers (`registers.exports`, `accountability.exports`)
written through `core.exporters.write_rows`, so a release holds exactly what the CLI exports
hold, never anything else. The folder is written under a temporary name in DIR and renamed
when complete: a failure leaves no half release, and readers never see one being written.
"""

import datetime
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from civwatch.accountability.exports import ftm_entries
from civwatch.core.errors import InputError
from civwatch.core.exporters import write_rows
from civwatch.registers.exports import (
    CHANGE_COLUMNS,
    DESIGNATION_COLUMNS,
    change_rows,
    designation_rows,
    ftm_entities,
)
from civwatch.registers.models import Change
from civwatch.registers.sources import FORMATS, file_sha256

NAME = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})\.(?P<sequence>[1-9]\d{0,5})")
PARTIAL_PREFIX = ".partial-"
INDEX = "index.json"
DATAPACKAGE = "datapackage.json"
ENTITIES = "entities.ftm.jsonl"
ACCOUNTABILITY = "accountability.ftm.jsonl"
DELTA = "delta.json"
# The FtM files whose entities the delta compares, release to release.
ENTITY_FILES = (ENTITIES, ACCOUNTABILITY)
DATASET = "civwatch"
ACCOUNTABILITY_DATASET = "civwatch-accountability"

# OpenSanctions' simple CSV (the columns `civwatch import opensanctions-targets` reads, and
# the dates OpenSanctions adds): one row per person or organisation, lists joined by ";".
TARGET_COLUMNS = [
    "id", "schema", "name", "aliases", "birth_date", "countries", "addresses", "identifiers",
    "sanctions", "program_ids", "dataset", "first_seen", "last_seen",
]  # fmt: skip
TARGET_SCHEMAS = {"Person", "Organization", "LegalEntity", "Company", "PublicBody"}
ALIAS_PROPERTIES = ("alias", "previousName", "weakAlias")
IDENTIFIER_PROPERTIES = (
    "innCode", "ogrnCode", "registrationNumber", "idNumber", "taxNumber",
)  # fmt: skip
DATE_COLUMNS = {"listed_on", "published_on", "removed_on", "first_seen", "last_seen", "snapshot"}
STRING = {"type": "string"}


@dataclass(frozen=True)
class Table:
    """A CSV resource and the Table Schema `datapackage.json` declares for it."""

    path: str
    columns: list[str]
    title: str

    def schema(self) -> dict[str, Any]:
        return {
            "fields": [
                {"name": c, "type": "date" if c in DATE_COLUMNS else "string"} for c in self.columns
            ]
        }


DESIGNATIONS = Table("designations.csv", DESIGNATION_COLUMNS, "Designations")
CHANGES = Table("changes.csv", CHANGE_COLUMNS, "Changes in the registers")
TARGETS = Table("targets.simple.csv", TARGET_COLUMNS, "Targets, one row each (simple CSV)")
DESCRIPTIONS = {
    ENTITIES: "Listed entities, their memberships and designations (FollowTheMoney JSON lines)",
    ACCOUNTABILITY: "The published accountability list (FollowTheMoney JSON lines)",
    "designations.jsonl": "Designations (JSON lines)",
    "changes.jsonl": "Changes in the registers (JSON lines)",
    DELTA: "Entities added, modified and removed since the previous release",
    DATAPACKAGE: "The Frictionless data package of this release",
}
MEDIA_TYPES = {".csv": "text/csv", ".jsonl": "application/jsonl", ".json": "application/json"}


def parse_name(name: str) -> tuple[str, int] | None:
    match = NAME.fullmatch(name)
    return (match["date"], int(match["sequence"])) if match else None


def release_folders(output: Path) -> list[Path]:
    """The complete releases in `output`, oldest first (a partial one has no index)."""
    if not output.is_dir():
        return []
    found = [p for p in output.iterdir() if parse_name(p.name) and (p / INDEX).is_file()]
    return sorted(found, key=lambda p: parse_name(p.name))


def next_name(output: Path, day: datetime.date) -> str:
    taken = [parse_name(p.name) for p in output.iterdir()] if output.is_dir() else []
    same_day = [parsed[1] for parsed in taken if parsed and parsed[0] == day.isoformat()]
    return f"{day.isoformat()}.{max(same_day, default=0) + 1}"


def write_file(folder: Path, name: str, rows: Iterable[dict], columns: list[str] = ()) -> int:
    fmt = "csv" if name.endswith(".csv") else "jsonl"
    with (folder / name).open("w", encoding="utf-8", newline="") as stream:
        return write_rows(rows, list(columns), fmt, stream)


def all_registers(rows_of) -> Iterator[dict]:
    for register in FORMATS:
        yield from rows_of(register)


def joined(values: Iterable[str]) -> str:
    return ";".join(dict.fromkeys(v for v in values if v))


def target_rows(entities: list[dict], accountability: list[dict]) -> Iterator[dict]:
    """The simple CSV, from the FtM entities the release publishes (one mapping of each)."""
    sanctions: dict[str, list[dict]] = {}
    for entity in entities:
        if entity["schema"] == "Sanction":
            for target in entity["properties"].get("entity", []):
                sanctions.setdefault(target, []).append(entity["properties"])
    seen = designation_dates()
    for dataset, group in ((DATASET, entities), (ACCOUNTABILITY_DATASET, accountability)):
        for entity in group:
            if entity["schema"] not in TARGET_SCHEMAS:
                continue
            props = entity["properties"]
            listings = sanctions.get(entity["id"], [])
            names = props.get("name") or [""]
            first, last = seen.get(entity["id"], ("", ""))
            yield {
                "id": entity["id"],
                "schema": entity["schema"],
                "name": names[0],
                "aliases": joined(
                    names[1:] + [v for p in ALIAS_PROPERTIES for v in props.get(p, [])]
                ),
                "birth_date": joined(props.get("birthDate", [])),
                "countries": joined(props.get("country", []) + props.get("nationality", [])),
                "addresses": joined(props.get("address", [])),
                "identifiers": joined(v for p in IDENTIFIER_PROPERTIES for v in props.get(p, [])),
                "sanctions": joined(
                    " - ".join(s.get("program", []) + s.get("status", []) + s.get("startDate", []))
                    for s in listings
                ),
                "program_ids": joined(v for s in listings for v in s.get("programId", [])),
                "dataset": dataset,
                "first_seen": first,
                "last_seen": last,
            }


def designation_dates() -> dict[str, tuple[str, str]]:
    """Per listed entity, the first and last snapshot dates it was seen in a register."""
    dates: dict[str, tuple[str, str]] = {}
    for row in all_registers(designation_rows):
        first, last = dates.get(row["entity_id"], (row["first_seen"], row["last_seen"]))
        dates[row["entity_id"]] = (min(first, row["first_seen"]), max(last, row["last_seen"]))
    return dates


def read_entities(folder: Path) -> dict[str, dict]:
    entities = {}
    for name in ENTITY_FILES:
        path = folder / name
        if path.is_file():
            with path.open(encoding="utf-8") as stream:
                for number, line in enumerate(stream, 1):
                    try:
                        entity = json.loads(line)
                        entities[entity["id"]] = entity
                    except (ValueError, KeyError, TypeError):
                        # The previous release was altered: no delta can be computed from it.
                        raise InputError(
                            path, "not a FollowTheMoney entity", row=number, unit="line"
                        ) from None
    return entities


def delta(previous: dict[str, dict], current: dict[str, dict]) -> dict[str, Any]:
    """Entity ids added, modified (any property differs) and removed, with the new content."""
    added = sorted(current.keys() - previous.keys())
    removed = sorted(previous.keys() - current.keys())
    modified = sorted(k for k in current.keys() & previous.keys() if current[k] != previous[k])
    return {
        "added": added,
        "modified": modified,
        "removed": removed,
        "entities": [current[k] for k in sorted(added + modified)],
    }


def last_change() -> str | None:
    """The date of the newest register snapshot that changed anything."""
    newest = Change.objects.aggregate(day=Max("snapshot__as_of"))["day"]
    return newest.isoformat() if newest else None


def resource(folder: Path, path: str, table: Table | None) -> dict[str, Any]:
    file = folder / path
    entry: dict[str, Any] = {
        "name": re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-"),
        "path": path,
        "format": file.suffix.lstrip("."),
        "mediatype": MEDIA_TYPES[file.suffix],
        "encoding": "utf-8",
        "bytes": file.stat().st_size,
        "hash": f"sha256:{file_sha256(file)}",
    }
    if table:
        entry.update(type="table", title=table.title, schema=table.schema())
    else:
        # Not a table: Frictionless checks its size and hash but does not parse it as rows.
        entry.update(type="file", title=DESCRIPTIONS[path])
    return entry


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def build(folder: Path, name: str, created: datetime.datetime, previous: Path | None) -> dict:
    """Write every file of release `name` into `folder`; return its index."""
    entities = list(ftm_entities())
    accountability = list(ftm_entries())
    counts = {
        "entities": write_file(folder, ENTITIES, entities),
        "accountability": write_file(folder, ACCOUNTABILITY, accountability),
    }
    for table, rows_of in ((DESIGNATIONS, designation_rows), (CHANGES, change_rows)):
        key = table.path.removesuffix(".csv")
        counts[key] = write_file(folder, table.path, all_registers(rows_of), table.columns)
        write_file(folder, f"{key}.jsonl", all_registers(rows_of))
    counts["targets"] = write_file(
        folder, TARGETS.path, target_rows(entities, accountability), TARGETS.columns
    )
    current = {e["id"]: e for e in entities + accountability}
    changes = delta(read_entities(previous) if previous else {}, current)
    write_json(folder / DELTA, {"release": name, "previous": previous and previous.name, **changes})
    counts["delta"] = {k: len(changes[k]) for k in ("added", "modified", "removed")}
    tables = {t.path: t for t in (DESIGNATIONS, CHANGES, TARGETS)}
    paths = [ENTITIES, ACCOUNTABILITY, DESIGNATIONS.path, "designations.jsonl",
             CHANGES.path, "changes.jsonl", TARGETS.path, DELTA]  # fmt: skip
    resources = [resource(folder, path, tables.get(path)) for path in paths]
    write_json(
        folder / DATAPACKAGE,
        {
            "name": DATASET,
            "title": "civwatch: Russia's registers of 'foreign agents' and 'undesirable' "
            "organisations, and the accountability list",
            "version": name,
            "created": created.isoformat(),
            "resources": resources,
        },
    )
    described = [*resources, resource(folder, DATAPACKAGE, None)]
    listed = [{k: r[k] for k in ("path", "bytes", "hash", "mediatype")} for r in described]
    index = {
        "release": name,
        "created": created.isoformat(),
        "last_change": last_change(),
        "previous": previous and previous.name,
        "counts": counts,
        "resources": listed,
    }
    write_json(folder / INDEX, index)
    return index


@contextmanager
def consistent_reads() -> Iterator[None]:
    """One transaction for every query of a release, so that an import committed while it is
    written does not leave designations from before and changes from after. SQLite reads in
    one transaction see one state; PostgreSQL needs REPEATABLE READ for that, set before the
    transaction's first query (so only when publish opens the transaction itself)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def publish(output: Path, now: datetime.datetime | None = None) -> Path:
    """Write the next release into `output` and return its folder.

    The release is built in a temporary folder in `output` (same file system, so the final
    rename is atomic) and renamed only when every file is written; on any failure the
    temporary folder is removed and the error raised."""
    created = (now or timezone.now()).astimezone(datetime.UTC).replace(microsecond=0)
    output.mkdir(parents=True, exist_ok=True)
    releases = release_folders(output)
    previous = releases[-1] if releases else None
    # Not tempfile.mkdtemp: its folder is private (0700), and a release is public, read by
    # the web server; os.mkdir gives the process's usual permissions.
    partial = output / f"{PARTIAL_PREFIX}{secrets.token_hex(8)}"
    partial.mkdir()
    try:
        name = next_name(output, created.date())
        with consistent_reads():
            build(partial, name, created, previous)
        os.rename(partial, output / name)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return output / name
