"""Benchmark: the index of every list built in a process vs loaded from the worker's file.

    CIVWATCH_HOME=... DATABASE_URL=... .venv/bin/python bench/screening/index_file.py [--loads 3]

Run it on a database that holds the lists (e.g. the registers' history, `import ofac-sdn`,
`import acf-list`, as scripts/demo does). It builds the index as a web process without a file
does (`lists.build_lists_index`), writes it as the `screening-index` job does
(`index_file.write`), loads it as a web process then does (`lists.load_index_file`) a few
times, and checks that the loaded index answers like the built one. The file goes to a
temporary folder, not CIVWATCH_INDEX_FILES; the database is only read. On a loaded machine
compare the ratio, not the seconds.
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

import django

QUERIES = ["Bastrykin Aleksandr", "Ponomarev Lev", "Meduza", "Navalny", "Ivanov Ivan"]


def timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=3, help="how many times to load the file")
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civwatch.settings")
    django.setup()
    from django.conf import settings

    from civwatch.screening import index_file, lists

    settings.CIVWATCH_INDEX_FILES = Path(tempfile.mkdtemp(prefix="civwatch-index-bench-"))
    version = lists.lists_version()
    built, build_seconds = timed(lists.build_lists_index)
    path, write_seconds = timed(lambda: index_file.write(built, version))
    loads = []
    for _ in range(arguments.loads):
        loaded, seconds = timed(lambda: lists.load_index_file(version))
        loads.append(seconds)
    assert loaded is not None and len(loaded) == len(built)
    for text in QUERIES:
        query = lists.name_record(text)
        assert [(h.id, h.score) for h in loaded.search(query)] == [
            (h.id, h.score) for h in built.search(query)
        ], text
    size = path.stat().st_size / 2**20
    load = min(loads)
    print(f"records                 {len(built):>9}")
    print(f"build (in process)      {build_seconds:9.2f} s")
    print(f"write (worker's job)    {write_seconds:9.2f} s   file {size:.1f} MB")
    print(
        f"load (best of {len(loads)})        {load:9.2f} s   " + " ".join(f"{s:.2f}" for s in loads)
    )
    print(f"build / load            {build_seconds / load:9.1f} x")
    print(f"load average            {os.getloadavg()}")
    for leftover in path.parent.iterdir():
        leftover.unlink()
    path.parent.rmdir()


if __name__ == "__main__":
    main()
