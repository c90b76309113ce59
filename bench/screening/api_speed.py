"""Benchmark: queries/s of the /match API next to the in-process engine, on the same index.

    .venv/bin/python bench/screening/api_speed.py                   # SQLite in a temp home
    .venv/bin/python bench/screening/api_speed.py --home DIR        # reuse (and top up) DIR
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civwatch_bench \
        .venv/bin/python bench/screening/api_speed.py               # PostgreSQL

One database holds the bundled lists, imported as `scripts/demo` imports them (the three
registers, OFAC SDN, UK OFSI, Canada's SEMA, the ACF list; importing again is a no-op). The
same queries (bench/screening/api-queries.jsonl: the first 1,000 of names-dev's dev queries,
`../shared/bench/names-dev`, schema and properties only) are answered

- in process: `civwatch.screening.lists.database_index()` searched one query at a time with
  the API's parameters (dataset `default`, limit 5, cutoff 0.5, the query's schema), the
  query parsed as the API parses it (`checked_record`): the engine alone, nothing
  serialised;
- through HTTP: `civwatch serve --workers 1 --threads 1` started by this script, `POST
  /api/match/default` and `/yente/api/match/default` with 10-query batches, one keep-alive
  connection (requests.Session), one batch after the other.

Both sides run in turn, several rounds, the order reversed every other round; the best round
of each counts (other load on a shared machine only slows a round down). Reported: wall-clock
queries/s of each and their ratio, and CPU time per query (the engine's process; the server's
worker, read from /proc) with its ratio, which other processes' load disturbs less. The API's
results are checked to be the engine's (same ids and scores).
"""

import argparse
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
QUERIES = Path(__file__).with_name("api-queries.jsonl")
CIVWATCH = [sys.executable, "-m", "civwatch"]
BATCH = 10
PARAMS = {"limit": 5, "cutoff": 0.5}
# What scripts/demo imports (its order: registers first, then the sanctions and external lists).
IMPORTS = [
    ("foreign-agents", "data/registers/foreign-agents/registry-*.json", "--suspect=keep-previous"),
    ("undesirable", "data/registers/undesirable/registry-*", "--suspect=keep-previous"),
    ("rfm", "data/registers/rfm/RFM-*.csv", None),
    ("ofac-sdn", "data/sanctions/us-ofac-sdn", None),
    ("uk-ofsi", "data/sanctions/uk-ofsi/ConList.xlsx", None),
    ("ca-sema", "data/sanctions/ca-sema/sema-lema.xml", None),
    ("acf-list", "data/sanctions/acf-list/navalny_list_parsed.csv", None),
]


def prepare(env: dict[str, str]) -> None:
    subprocess.run([*CIVWATCH, "migrate", "--verbosity", "0"], env=env, check=True, cwd=REPO)
    for kind, pattern, option in IMPORTS:
        files = sorted(str(p) for p in REPO.glob(pattern))
        command = [*CIVWATCH, "import", kind, *files, *([option] if option else [])]
        subprocess.run(command, env=env, check=True, cwd=REPO, stdout=subprocess.DEVNULL)


def load_queries(path: Path, count: int) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        queries = [json.loads(line) for line in lines if line.strip()]
    return queries[:count]


def cpu_seconds(pid: int) -> float:
    """User and system time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_pid(master: int) -> int:
    """gunicorn's one worker: the master's child."""
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("the server has no worker")


class Engine:
    """The in-process side: this process's index of the same database."""

    def __init__(self) -> None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civwatch.settings")
        import django

        django.setup()
        from civwatch.screening.lists import database_index

        started = time.perf_counter()
        self.index = database_index()
        self.build_s = time.perf_counter() - started

    def run(self, queries: list[dict]) -> tuple[float, float, dict]:
        from civwatch.matching.batch import checked_record

        answers = {}
        wall, cpu = time.perf_counter(), time.process_time()
        for query in queries:
            data = {"id": None, "schema": query["schema"], "properties": query["properties"]}
            record = checked_record(data, identifiers_suffice=True)
            hits = self.index.search(record, "default", schema=query["schema"], **PARAMS)
            answers[query["qid"]] = [{"id": hit.listed.id, "score": hit.score} for hit in hits]
        return time.perf_counter() - wall, time.process_time() - cpu, answers


def run_api(url: str, queries: list[dict], worker: int) -> tuple[float, float, dict]:
    batches = [queries[i : i + BATCH] for i in range(0, len(queries), BATCH)]
    answers = {}
    with requests.Session() as session:
        session.post(url, json={"queries": {}}, params=PARAMS, timeout=60)  # the connection
        wall, cpu = time.perf_counter(), cpu_seconds(worker)
        for batch in batches:
            body = {"queries": {q["qid"]: {"schema": q["schema"], "properties": q["properties"]}
                                for q in batch}}  # fmt: skip
            response = session.post(url, json=body, params=PARAMS, timeout=60)
            response.raise_for_status()
            for key, answer in response.json()["responses"].items():
                answers[key] = answer["results"]
        return time.perf_counter() - wall, cpu_seconds(worker) - cpu, answers


def same(engine: dict, api: dict) -> bool:
    def key(results):
        return [(r["id"], r["score"]) for r in results]

    return engine.keys() == api.keys() and all(key(engine[q]) == key(api[q]) for q in engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="CIVWATCH_HOME to use (default: a new one)")
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--count", type=int, default=1000, help="queries per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8797)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="civwatch-api-bench-"))
    os.environ.update(
        CIVWATCH_HOME=str(home), CIVWATCH_DEBUG="",
        CIVWATCH_SECRET_KEY=os.environ.get("CIVWATCH_SECRET_KEY", "bench-" + "k" * 44),
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
    )  # fmt: skip
    if not os.environ.get("CIVWATCH_MASTER_KEY") and not os.environ.get("CIVWATCH_MASTER_KEY_FILE"):
        # Encryption at rest needs a master key; the bench's own (nothing kept is secret).
        os.environ["CIVWATCH_MASTER_KEY"] = base64.b64encode(os.urandom(32)).decode()
    env = dict(os.environ)
    prepare(env)
    queries = load_queries(args.queries, args.count)
    engine = Engine()
    log = (home / "api-bench-server.log").open("w")
    server = subprocess.Popen(
        [*CIVWATCH, "serve", f"127.0.0.1:{args.port}", "--workers", "1", "--threads", "1",
         "--access-log", "none"],
        env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(600):
            try:  # readyz builds the worker's index
                if requests.get(base + "/yente/api/readyz", timeout=600).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        worker = worker_pid(server.pid)
        sides = {
            "engine (in process)": engine.run,
            "POST /api/match/default": lambda q: run_api(base + "/api/match/default", q, worker),
            "POST /yente/api/match/default": lambda q: run_api(
                base + "/yente/api/match/default", q, worker
            ),
        }
        best: dict[str, tuple[float, float]] = {}
        loads = []
        reference = None
        for round_ in range(args.rounds):
            order = list(sides.items()) if round_ % 2 == 0 else list(sides.items())[::-1]
            for name, run in order:
                wall, cpu, answers = run(queries)
                if reference is None:
                    reference = answers
                elif not same(reference, answers):
                    raise SystemExit(f"{name} answered differently from the engine")
                before = best.get(name, (wall, cpu))
                best[name] = (min(wall, before[0]), min(cpu, before[1]))
                loads.append(os.getloadavg()[0])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        log.close()
    from django.db import connection

    from civwatch.screening.lists import database_index

    print(
        f"{connection.vendor}, {len(database_index())} records, {len(queries)} queries in "
        f"batches of {BATCH} ({PARAMS}), best of {args.rounds} rounds, "
        f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, load average during the "
        f"rounds {min(loads):.1f}-{max(loads):.1f}; engine index build {engine.build_s:.1f} s\n"
    )
    engine_wall, engine_cpu = best["engine (in process)"]
    print("| side | q/s wall | ratio | ms CPU per query | q/s CPU | ratio (CPU) |")
    print("|---|---|---|---|---|---|")
    for name, (wall, cpu) in best.items():
        print(f"| {name} | {len(queries) / wall:.0f} | {engine_wall / wall:.2f} | "
              f"{1000 * cpu / len(queries):.2f} | {len(queries) / cpu:.0f} | "
              f"{engine_cpu / cpu:.2f} |")  # fmt: skip
    if not args.home:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
