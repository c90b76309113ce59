"""Benchmark: import the whole bundled register history, then re-import it (a no-op).

    .venv/bin/python bench/registers/import_history.py            # SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civwatch_bench \
        .venv/bin/python bench/registers/import_history.py        # PostgreSQL (db is recreated)

Each step runs in a fresh process so that wall time and peak memory (max RSS) are its own.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CIVWATCH = [sys.executable, "-m", "civwatch"]
IMPORTS = [
    [
        "import",
        "foreign-agents",
        *sorted(map(str, REPO.glob("data/registers/foreign-agents/*.json"))),
    ],
    [
        "import",
        "undesirable",
        *sorted(map(str, REPO.glob("data/registers/undesirable/registry-*"))),
    ],
]


def run(args: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak RSS in MiB of one civwatch process."""
    start = time.perf_counter()
    process = subprocess.Popen([*CIVWATCH, *args], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"civwatch {' '.join(args[:2])} failed")
    return wall, usage.ru_maxrss / 1024


def recreate_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    home = tempfile.mkdtemp(prefix="civwatch-bench-")
    env = {**os.environ, "CIVWATCH_HOME": home, "DATABASE_URL": os.environ.get("DATABASE_URL", "")}
    if env["DATABASE_URL"].startswith("postgres"):
        recreate_postgres_database(env["DATABASE_URL"])
    run(["migrate", "--verbosity", "0"], env)
    backend = "PostgreSQL" if env["DATABASE_URL"] else "SQLite"
    for label in ("import", "re-import (no-op)"):
        total_wall, peak = 0.0, 0.0
        for args in IMPORTS:
            wall, rss = run([*args, "--suspect", "keep-previous"], env)
            total_wall += wall
            peak = max(peak, rss)
        print(f"{backend}: whole history {label}: {total_wall:.2f} s wall, peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
