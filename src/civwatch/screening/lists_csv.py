"""Screening a CSV file of names against the lists in the database (CLI and background job)."""

from collections.abc import Callable
from pathlib import Path

from civwatch.core.csvfiles import SafeCsvWriter
from civwatch.matching import record_from_ftm
from civwatch.screening.lists import DEFAULT, database_index
from civwatch.screening.people_files import read_people

RESULT_COLUMNS = ["match", "match_score", "match_id", "match_name", "match_datasets"]


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
    """Write every input row with its best match (spreadsheet-safe cells, a byte-order mark
    for Excel if asked); return how many rows matched. The input is any file `read_people`
    reads (CSV in UTF-8 or cp1251, XLSX); a row without a match leaves the match columns
    empty but for "match" = "no"."""
    people = read_people(source.read_bytes(), source.name)
    header, rows = people.header, people.rows
    index = database_index()
    index.resolve(dataset)  # an unknown name fails before any row is read
    on_start(len(rows))
    matched = 0
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = SafeCsvWriter(out, [*header, *RESULT_COLUMNS], excel=excel)
        writer.writeheader()
        for row in rows:
            query = record_from_ftm({"schema": "Person", "properties": people.properties(row)})
            hits = index.search(query, dataset, limit=1, threshold=threshold) if query.names else []
            best = hits[0] if hits and hits[0].match else None
            writer.writerow({
                **row,
                "match": "yes" if best else "no",
                "match_score": best.score if best else "",
                "match_id": best.id if best else "",
                "match_name": best.explanation["name"].get("name", "") if best else "",
                "match_datasets": " ".join(best.listed.datasets) if best else "",
            })  # fmt: skip
            matched += bool(best)
            on_row()
    return matched
