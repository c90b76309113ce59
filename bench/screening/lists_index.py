"""Benchmark: build the database screening index (every public list) in the current database.

    DATABASE_URL=postgres://... .venv/bin/python bench/screening/lists_index.py

Run it on a database that holds the lists to measure (e.g. after bench/sanctions/
import_and_xref.py, or `civwatch import ofac-sdn ...`, `import acf-list ...`, `xref`). It
times each phase of `civwatch.screening.lists.build_lists_index` once, then the whole build,
and one query against the built index. Read-only.
"""

import os
import time

import django


def timed(label: str, function):
    start = time.perf_counter()
    value = function()
    print(f"{label:<34} {time.perf_counter() - start:7.2f} s")
    return value


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civwatch.settings")
    django.setup()
    from civwatch.matching import ScreeningIndex, record_from_ftm
    from civwatch.registers.exports import entity_proxy
    from civwatch.screening import lists

    listings = timed("listings (all lists)", lists.collect_listings)
    entities = timed(
        "entities, names, identifiers", lambda: list(lists.load_entities(sorted(listings)))
    )
    timed("confirmed links → groups", lambda: lists.confirmed_groups({e.pk for e in entities}))
    data = timed("FtM entities", lambda: [entity_proxy(e).to_dict() for e in entities])
    records = timed("matching records (tokens)", lambda: [record_from_ftm(d) for d in data])
    timed("ScreeningIndex", lambda: ScreeningIndex(records))
    index = timed("whole build", lists.build_lists_index)
    query = record_from_ftm({"properties": {"name": ["Bastrykin Aleksandr"]}})
    timed("one query (default)", lambda: index.search(query))
    print(f"{len(index)} records from {len(entities)} entities; load {os.getloadavg()}")


if __name__ == "__main__":
    main()
