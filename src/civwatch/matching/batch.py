"""Batch screening of JSON-lines queries against FollowTheMoney entities.

Bad input never stops a batch silently: every problem is reported on stderr with its file
and line number. A bad entity line is skipped. A bad query line still gets its result line
(so results stay one per query, in input order), with an "error" and no results.
"""

import hashlib
import json
import pickle
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import IO

from followthemoney import model
from tqdm import tqdm

from civwatch.matching.index import DEFAULT_THRESHOLD, Record, ScreeningIndex, record_from_ftm

ENGINE_SOURCE = b"".join(
    (Path(__file__).parent / module).read_bytes() for module in ("keys.py", "index.py")
)
# Schemata whose entities carry names a person or organisation can be screened by.
SCREENABLE = {name for name, schema in model.schemata.items() if schema.matchable}


class BadLine(ValueError):
    pass


def parse_line(line: str) -> dict:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise BadLine(f"malformed JSON ({error.msg})") from None
    if not isinstance(data, dict):
        raise BadLine("expected a JSON object")
    return data


def checked_record(data: dict, identifiers_suffice: bool = False) -> Record:
    """The query or entity as a Record; with `identifiers_suffice`, a query with only an
    identifier (yente's identifier-only queries) is one too."""
    schema = data.get("schema") or "Person"
    if not isinstance(schema, str) or schema not in SCREENABLE:
        raise BadLine(f"unknown or unscreenable schema {schema!r}")
    record = record_from_ftm({**data, "schema": schema, "properties": checked_properties(data)})
    named = any(tokens for tokens in record.tokens)
    if not named and not (identifiers_suffice and record.identifiers):
        raise BadLine("no name to screen")
    return record


def checked_properties(data: dict) -> dict[str, list[str]]:
    """FollowTheMoney properties: an object of lists of strings. A lone string is taken as
    a list of one, as yente does; anything else names the field at fault."""
    properties = data.get("properties")
    if properties is None:
        return {}
    if not isinstance(properties, dict):
        raise BadLine("properties: expected an object")
    checked = {}
    for name, values in properties.items():
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise BadLine(f"properties.{name}: expected a list of strings")
        checked[name] = values
    return checked


def read_entities(path: Path, warn: IO[str]) -> Iterator[Record]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield checked_record(parse_line(line))
            except BadLine as problem:
                warn.write(f"{path.name}, line {number}: {problem}; entity skipped\n")


def load_index(entities: Path, cache: Path | None, warn: IO[str]) -> ScreeningIndex:
    """Build the index, or load the one cached for this exact entities file."""
    cached = None
    if cache:
        # The engine's own code is part of the key: an index built by other rules is stale.
        digest = hashlib.sha256(entities.read_bytes() + ENGINE_SOURCE).hexdigest()[:24]
        cached = cache / f"civwatch-index-{digest}.pickle"
        if cached.exists():
            with cached.open("rb") as stream:
                return pickle.load(stream)  # noqa: S301  (a file this command wrote itself)
    records = tqdm(read_entities(entities, warn), desc="indexing", unit=" entities", file=warn)
    index = ScreeningIndex(records)
    if cached:
        cache.mkdir(parents=True, exist_ok=True)
        with cached.open("wb") as stream:
            pickle.dump(index, stream, protocol=pickle.HIGHEST_PROTOCOL)
    return index


def screen_line(
    index: ScreeningIndex, line: str, number: int | None, *, limit: int, threshold: float
) -> tuple[dict, str | None]:
    """The result row of one query line, and what is wrong with the line (None if nothing):
    the one implementation of a query's result, whichever engine runs it. `number` is the
    line's number in its file, named in the row's error (None when there is no file)."""
    qid = None
    try:
        data = parse_line(line)
        qid = data.get("qid")
        results = index.search(checked_record(data), limit=limit, threshold=threshold)
        return {"qid": qid, "results": [asdict(r) for r in results]}, None
    except BadLine as problem:
        where = f"line {number}: " if number is not None else ""
        return {"qid": qid, "results": [], "error": f"{where}{problem}"}, str(problem)


def result_json(row: dict) -> str:
    """A result row as its line in a results file."""
    return json.dumps(row, ensure_ascii=False)


def count_row(counts: dict[str, int], row: dict) -> None:
    counts["queries"] += 1
    counts["errors"] += "error" in row
    counts["matches"] += bool(row["results"] and row["results"][0]["match"])


def screen_file(
    index: ScreeningIndex,
    queries: Path,
    output: IO[str],
    *,
    limit: int = 10,
    threshold: float = DEFAULT_THRESHOLD,
    warn: IO[str] | None = None,
) -> dict[str, int]:
    warn = warn or sys.stderr
    counts = {"queries": 0, "errors": 0, "matches": 0}
    with queries.open(encoding="utf-8") as lines:
        for number, line in enumerate(tqdm(lines, desc="screening", unit=" queries", file=warn), 1):
            if not line.strip():
                continue
            row, problem = screen_line(index, line, number, limit=limit, threshold=threshold)
            if problem:
                warn.write(f"{queries.name}, line {number}: {problem}\n")
            count_row(counts, row)
            output.write(result_json(row) + "\n")
    return counts
