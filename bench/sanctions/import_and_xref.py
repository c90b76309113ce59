"""Benchmark: import the bundled OFAC SDN list and ACF list, re-import them (no-ops), and
cross-reference them with `civwatch xref`.

    .venv/bin/python bench/sanctions/import_and_xref.py            # SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civwatch_bench \
        .venv/bin/python bench/sanctions/import_and_xref.py        # PostgreSQL (db is recreated)

Each step runs in a fresh process (start-up included), as in bench/registers.
"""

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench" / "registers"))
from import_history import recreate_postgres_database, run  # noqa: E402

OFAC = str(REPO / "data/sanctions/us-ofac-sdn")
ACF = str(REPO / "data/sanctions/acf-list/navalny_list_parsed.csv")
STEPS = [
    ("import ofac-sdn", ["import", "ofac-sdn", OFAC]),
    ("import acf-list", ["import", "acf-list", ACF]),
    ("re-import ofac-sdn (no-op)", ["import", "ofac-sdn", OFAC]),
    ("xref (first run)", ["xref"]),
    ("xref (again, decisions kept)", ["xref"]),
    ("xref --list-only --format jsonl", ["xref", "--list-only", "--format", "jsonl"]),
]  # fmt: skip


def main() -> None:
    home = tempfile.mkdtemp(prefix="civwatch-bench-")
    env = {**os.environ, "CIVWATCH_HOME": home, "DATABASE_URL": os.environ.get("DATABASE_URL", "")}
    if env["DATABASE_URL"].startswith("postgres"):
        recreate_postgres_database(env["DATABASE_URL"])
    run(["migrate", "--verbosity", "0"], env)
    backend = "PostgreSQL" if env["DATABASE_URL"] else "SQLite"
    for label, args in STEPS:
        wall, rss = run(args, env)
        print(f"{backend}: {label}: {wall:.2f} s wall, peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
