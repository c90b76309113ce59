"""Benchmark: what the audit log costs the register import (docs/audit.md, issue 9 target:
under 20% slower).

    .venv/bin/python bench/audit/import_cost.py [--rounds 3]     # SQLite in temp folders
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civwatch_bench \
        .venv/bin/python bench/audit/import_cost.py               # PostgreSQL (db recreated)

Each round imports the whole bundled history (foreign agents, then undesirable
organisations) into a fresh database twice, once with the audit log on and once with it off
(`audit.disabled()`, which exists only for this measurement), alternating which goes first so
that a busy machine penalises both alike. Reported: median wall time of the import alone
(migrations excluded), the ratio, events written, and the load average.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench" / "registers"))
from import_history import IMPORTS, recreate_postgres_database  # noqa: E402

IMPORT = """
import contextlib, sys, time
import django
django.setup()
from django.core.management import call_command
from civwatch.core import audit
from civwatch.core.models import AuditEvent
imports = {imports!r}
switch = audit.disabled() if sys.argv[1] == "off" else contextlib.nullcontext()
start = time.perf_counter()
with switch:
    for args in imports:
        call_command(*args, "--suspect", "keep-previous", stdout=open("/dev/null", "w"))
print(time.perf_counter() - start, AuditEvent.objects.count())
"""


def one_import(mode: str, env: dict) -> tuple[float, int]:
    if env["DATABASE_URL"].startswith("postgres"):
        recreate_postgres_database(env["DATABASE_URL"])
    else:
        env["CIVWATCH_HOME"] = tempfile.mkdtemp(prefix="civwatch-bench-audit-")
    subprocess.run([sys.executable, "-m", "civwatch", "migrate", "-v0"], env=env, check=True)
    script = IMPORT.format(imports=IMPORTS)
    done = subprocess.run(
        [sys.executable, "-c", script, mode], env=env, check=True, capture_output=True, text=True
    )
    wall, events = done.stdout.split()
    return float(wall), int(events)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "civwatch.settings",
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    times: dict[str, list[float]] = {"on": [], "off": []}
    events = 0
    load = os.getloadavg()
    for number in range(rounds):
        for mode in ("on", "off") if number % 2 == 0 else ("off", "on"):
            wall, count = one_import(mode, env)
            times[mode].append(wall)
            events = count if mode == "on" else events
    on, off = statistics.median(times["on"]), statistics.median(times["off"])
    backend = "PostgreSQL" if env["DATABASE_URL"] else "SQLite"
    print(
        f"{backend}: whole history import, median of {rounds}: audit on {on:.2f} s, "
        f"off {off:.2f} s, {100 * (on / off - 1):+.1f}%; {events} events; "
        f"load average before {load[0]:.2f}, after {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
