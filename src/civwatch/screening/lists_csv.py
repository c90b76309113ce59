"""Screening a CSV file of names against the lists in the database (CLI and background job)."""

import csv
from collections.abc import Callable
from pathlib import Path

from civwatch.core.csvfiles import SafeCsvWriter
from civwatch.core.errors import UserError
from civwatch.matching import record_from_ftm
from civwatch.screening.lists import DEFAULT, database_index

NAME_COLUMNS = ("name", "full_name", "имя", "фио")
DATE_COLUMNS = ("birth_date", "birthdate", "dob", "дата рождения")
RESULT_COLUMNS = ["match", "match_score", "match_id", "match_name", "match_datasets"]


def pick(header: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {h.strip().casefold(): h for h in header}
    return next((lowered[n] for n in names if n in lowered), None)


def screen_csv(
    source: Path,
    target: Path,
    *,
    threshold: float,
    on_start: Callable[[int], None] = lambda total: None,
    on_row: Callable[[], None] = lambda: None,
    excel: bool = False,
    dataset: str = DEFAULT,
) -> int:
    """Write every input row with its best hit (spreadsheet-safe cells, a byte-order mark
    for Excel if asked); return how many rows matched."""
    try:
        rows = list(csv.DictReader(source.open(encoding="utf-8-sig", newline="")))
    except UnicodeDecodeError:
        raise UserError(f"{source.name}: not UTF-8 text; save the file as UTF-8 CSV") from None
    header = list(rows[0]) if rows else []
    name_column, date_column = pick(header, NAME_COLUMNS), pick(header, DATE_COLUMNS)
    if name_column is None:
        raise UserError(f"{source.name}: no name column (one of: {', '.join(NAME_COLUMNS)})")
    index = database_index()
    index.resolve(dataset)  # an unknown name fails before any row is read
    on_start(len(rows))
    matched = 0
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = SafeCsvWriter(out, [*header, *RESULT_COLUMNS], excel=excel)
        writer.writeheader()
        for row in rows:
            properties = {"name": [row[name_column] or ""]}
            if date_column and (row.get(date_column) or "").strip():
                properties["birthDate"] = [row[date_column].strip()]
            query = record_from_ftm({"schema": "Person", "properties": properties})
            hits = index.search(query, dataset, limit=1, threshold=threshold) if query.names else []
            best = hits[0] if hits else None
            writer.writerow({
                **row,
                "match": "yes" if best and best.match else "no",
                "match_score": best.score if best else "",
                "match_id": best.id if best else "",
                "match_name": best.explanation["name"].get("name", "") if best else "",
                "match_datasets": " ".join(best.listed.datasets) if best else "",
            })  # fmt: skip
            matched += bool(best and best.match)
            on_row()
    return matched
