"""Batch screening on Apache Spark: queries/s with 1 and 2 workers, scaling efficiency, and a
projection for 10 million names at a 1M-entity index next to yente's published figure.

    .venv/bin/pip install -e '.[spark]'      # and Java 17: scripts/system-packages spark
    .venv/bin/python bench/spark/run.py --data ../shared/bench/names-dev --out /tmp/bench-spark

The index is built once in this process (the driver) and screened in three ways, each on
every query of the set: by the local engine in this process (the reference: its results
file must come out of Spark byte for byte), and on a standalone cluster started here
(civwatch.matching.spark.standalone_cluster) of 1 worker, then 2, each of one core. On each
cluster the driver runs two jobs: the first starts the executors' Python workers and ships
the index (the cost a `civwatch screen --engine spark` run pays once), the second is the
steady state (a new broadcast of the index, loaded again by each worker, then the queries).
queries/s is the second job's. Scaling efficiency = qps(2 workers) / (2 x qps(1 worker)).

Besides wall-clock time, each steady job's CPU time is measured over every process of the
job (this driver, its JVM, the master, the workers, their executors and the executors'
Python workers): on a shared machine wall-clock figures depend on the neighbours' load (the
load averages are printed), CPU time much less. The projection multiplies the 1M-index
in-process queries/s per core (`--qps-1m`, CPU time, measured by bench/screening/run.py,
docs/benchmarks.md) by Spark's CPU cost per query relative to the local engine (1 worker,
same index, same queries), and sets it next to yente's published 4 requests/s per vCPU.
"""

import argparse
import io
import json
import os
import time
from pathlib import Path

from civwatch.matching import spark as spark_engine
from civwatch.matching.batch import load_index, screen_file
from civwatch.matching.spark import session, standalone_cluster

NAMES = 10_000_000
YENTE_PER_VCPU = 4.0  # yente.followthemoney.tech/deploy/scaling: logic-v2, ~4 /match per s per vCPU


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def cpu_seconds() -> float:
    """CPU time of this process and every live process below it: the driver's JVM, the
    cluster's master and workers, their executors and the executors' Python workers (which
    Spark reuses from task to task, so they live through a job)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents, times = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    mine, total = {os.getpid()}, 0.0
    for pid in sorted(parents):  # children have larger ids, except after a wrap
        if parents[pid] in mine:
            mine.add(pid)
            total += times[pid]
    return total + time.process_time()


def timed_job(spark, index, queries: Path) -> tuple[float, float, list[str]]:
    """`civwatch screen --engine spark`'s own code, on a running session: wall and CPU
    seconds, and the results."""
    started, cpu, output = time.perf_counter(), cpu_seconds(), io.StringIO()
    spark_engine.screen_file(index, queries, output, spark=spark, warn=io.StringIO())
    return time.perf_counter() - started, cpu_seconds() - cpu, output.getvalue().splitlines()


def on_cluster(workers: int, index, queries: Path, out: Path, expected: list[str]) -> dict:
    with standalone_cluster(workers, out / f"logs-{workers}", memory="2g") as master:
        started = time.perf_counter()
        spark = session(master, app=f"civwatch bench, {workers} workers")
        start_s = time.perf_counter() - started
        try:
            first_s, _, first = timed_job(spark, index, queries)
            steady_s, steady_cpu, steady = timed_job(spark, index, queries)
        finally:
            spark.stop()
    assert first == expected and steady == expected, "Spark's results differ from the local"
    return {"workers": workers, "session_s": round(start_s, 1), "first_job_s": round(first_s, 1),
            "steady_job_s": round(steady_s, 2), "qps": round(len(expected) / steady_s, 1),
            "steady_job_cpu_s": round(steady_cpu, 2),
            "cpu_qps": round(len(expected) / steady_cpu, 1), "load": load()}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="names-dev: the benchmark set")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--qps-1m", type=float, default=523.0,
        help="in-process queries/s per core at a 1M index (docs/benchmarks.md)",
    )  # fmt: skip
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    queries = args.data / "queries.jsonl"
    print(f"load before: {load()}", flush=True)
    started = time.perf_counter()
    index = load_index(args.data / "entities.ftm.jsonl", args.out / "cache", io.StringIO())
    print(f"index: {time.perf_counter() - started:.1f} s (built or read from the cache)")
    reference = io.StringIO()
    started, cpu = time.perf_counter(), time.process_time()
    screen_file(index, queries, reference, warn=io.StringIO())
    local_s, local_cpu = time.perf_counter() - started, time.process_time() - cpu
    expected = reference.getvalue().splitlines()
    count = len(expected)
    local = {"queries": count, "wall_s": round(local_s, 2), "cpu_s": round(local_cpu, 2),
             "qps": round(count / local_s, 1), "cpu_qps": round(count / local_cpu, 1),
             "load": load()}  # fmt: skip
    print("local engine (this process, 1 core):", json.dumps(local), flush=True)
    runs = []
    for workers in (1, 2):
        runs.append(on_cluster(workers, index, queries, args.out, expected))
        print(f"spark, {workers} worker(s) of 1 core:", json.dumps(runs[-1]), flush=True)
    one, two = runs
    # Wall-clock figures: what a run takes here, at this load. CPU figures: what a query costs
    # in every process of the job (Spark's JVMs included), which the neighbours change less.
    efficiency = two["qps"] / (2 * one["qps"])
    cpu_efficiency = two["cpu_qps"] / one["cpu_qps"]
    per_core = one["cpu_qps"] / local["cpu_qps"]  # Spark's CPU cost per query against local
    spark_1m = args.qps_1m * per_core
    core_hours = NAMES / spark_1m / 3600
    yente_hours = NAMES / YENTE_PER_VCPU / 3600
    summary = {
        "local": local, "spark": runs,
        "scaling_efficiency_wall": round(efficiency, 2),
        "scaling_efficiency_cpu": round(cpu_efficiency, 2),
        "spark_cpu_per_query_vs_local": round(1 / per_core, 2),
        "projection_10M_at_1M": {
            "in_process_qps_per_core": args.qps_1m, "spark_qps_per_core": round(spark_1m, 1),
            "spark_core_hours": round(core_hours, 1),
            "spark_wall_hours_on_16_cores": round(core_hours / (16 * cpu_efficiency), 2),
            "yente_vcpu_hours": round(yente_hours, 1),
            "yente_wall_hours_on_16_vcpus": round(yente_hours / 16, 1),
            "ratio": round(yente_hours / core_hours, 1),
        },
    }  # fmt: skip
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
