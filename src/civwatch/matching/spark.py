"""Batch screening on Apache Spark: the local batch engine's results, computed by executors.

The index is built once, on the driver, and broadcast: each executor's Python worker
unpickles it once and keeps it for every task it runs after (PySpark caches broadcast values
in reused workers). Each query goes through the same `batch.screen_line` as the local engine,
so the results are the same, byte for byte.

PySpark is an optional extra (`pip install 'civwatch[spark]'`, with a Java 17 or later): it
is imported only inside these functions, so the rest of `civwatch.matching` works without it.
Executors need civwatch and its dependencies importable by the Python they run (the same
version as the driver's): install `civwatch[spark]` on every worker, and point
`PYSPARK_PYTHON` at that Python if it is not the driver's own path.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import IO, TYPE_CHECKING

from civwatch.matching.batch import count_row, result_json, screen_line
from civwatch.matching.index import DEFAULT_THRESHOLD, ScreeningIndex

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

RESULT = "result"


class SparkMissing(RuntimeError):
    """PySpark (or the Java it runs on) is not installed."""


def require_pyspark() -> ModuleType:
    """PySpark, or SparkMissing saying what to install."""
    try:
        import pyspark
    except ImportError:
        raise SparkMissing(
            "the Spark engine needs PySpark: pip install 'civwatch[spark]' (and Java 17 or "
            "later: on Debian, apt-get install openjdk-17-jre-headless)"
        ) from None
    return pyspark


def screen_dataframe(
    df: DataFrame,
    index: ScreeningIndex,
    *,
    column: str = "query",
    number_column: str | None = None,
    limit: int = 10,
    threshold: float = DEFAULT_THRESHOLD,
) -> DataFrame:
    """`df` with a string column `result` added: the screening of the query in `column`.

    A query is a FollowTheMoney entity as JSON, as in a queries file (`{"qid", "schema",
    "properties"}`); its result is the JSON of a results file's line (`{"qid", "results"}`,
    with `"error"` when the query cannot be screened; a null query is such an error). With
    `number_column`, an error names the query's line number from that column, as
    `civwatch screen` does. `index` is broadcast to the executors once per call; the rows
    keep their order and their other columns.

        index = ScreeningIndex(records)            # or batch.load_index(...)
        queries = spark.read.text("queries.jsonl")  # one column, "value"
        screened = screen_dataframe(queries, index, column="value")
    """
    require_pyspark()
    from pyspark.sql import functions
    from pyspark.sql.types import StringType

    shipped = df.sparkSession.sparkContext.broadcast(index)

    # No type hints here: PySpark would read them as a request for a pandas UDF.
    def screen(line, number=None):
        row, _ = screen_line(shipped.value, line or "", number, limit=limit, threshold=threshold)
        return result_json(row)

    # Arrow would need pyarrow and pandas on every worker, for strings in and out: no gain.
    udf = functions.udf(screen, StringType(), useArrow=False)
    arguments = [functions.col(column)]
    if number_column:
        arguments.append(functions.col(number_column))
    return df.withColumn(RESULT, udf(*arguments))


def session(master: str, app: str = "civwatch screen") -> SparkSession:
    """A Spark session on `master` (`local[2]`, `spark://host:7077`, ...). Executors run
    `PYSPARK_PYTHON` if it is set, else the driver's own Python (right on one machine and
    on clusters whose workers have the same installation)."""
    require_pyspark()
    from pyspark.errors import PySparkRuntimeError
    from pyspark.sql import SparkSession

    # PySpark's driver tells executors which Python to run from this variable (the
    # spark.pyspark.python setting is read by spark-submit only); "python3" on the PATH may
    # be a Python without civwatch.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    try:
        spark = SparkSession.builder.master(master).appName(app).getOrCreate()
    except PySparkRuntimeError as error:  # e.g. JAVA_GATEWAY_EXITED: no Java
        raise SparkMissing(f"Spark could not start its Java process: {error}") from None
    spark.sparkContext.setLogLevel("WARN")
    return spark


def screen_file(
    index: ScreeningIndex,
    queries: Path,
    output: IO[str],
    *,
    master: str | None = None,
    spark: SparkSession | None = None,
    partitions: int | None = None,
    limit: int = 10,
    threshold: float = DEFAULT_THRESHOLD,
    warn: IO[str] | None = None,
) -> dict[str, int]:
    """`batch.screen_file` with the queries screened by Spark: the same results file, the
    same problems reported on `warn`, the same counts. It runs on a session of its own at
    `master`, stopped at the end, or on `spark`. The driver reads the queries file (the
    workers need not see it) and writes the results in input order as they arrive."""
    warn = warn or sys.stderr
    with queries.open(encoding="utf-8") as stream:
        lines = [(number, line) for number, line in enumerate(stream, 1) if line.strip()]
    counts = {"queries": 0, "errors": 0, "matches": 0}
    own = spark is None
    if own:
        spark = session(master or "local[*]")
    try:
        parts = partitions or spark.sparkContext.defaultParallelism * 4
        df = spark.createDataFrame(
            spark.sparkContext.parallelize(lines, max(1, min(parts, len(lines)))),
            "number long, query string",
        )
        screened = screen_dataframe(
            df, index, number_column="number", limit=limit, threshold=threshold
        )
        for done in screened.toLocalIterator():
            row = json.loads(done[RESULT])
            if "error" in row:
                warn.write(f"{queries.name}, {row['error']}\n")
            count_row(counts, row)
            output.write(done[RESULT] + "\n")
    finally:
        if own:
            spark.stop()
    return counts


def spark_class() -> Path:
    """PySpark's own `bin/spark-class`, which runs Spark's Java programs."""
    return Path(require_pyspark().__file__).parent / "bin" / "spark-class"


@contextmanager
def standalone_cluster(
    workers: int,
    logs: Path,
    *,
    port: int = 0,
    cores: int = 1,
    memory: str = "1g",
    environment: dict[str, str] | None = None,
    timeout: float = 300,
) -> Iterator[str]:
    """A Spark standalone cluster on this machine, one master and `workers` workers of
    `cores` cores each, for as long as the block runs; yields the master's URL. Each process
    logs to `logs`. `port` is the master's (0: one the master chooses); the web interfaces
    take free ports. `environment` is the processes' (and so the executors') environment.
    For trying the Spark engine without a cluster, and for the tests and benchmarks."""
    logs.mkdir(parents=True, exist_ok=True)
    env = {**(environment or os.environ), "SPARK_LOCAL_IP": "127.0.0.1"}
    processes: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> Path:
        log = logs / f"{name}.log"
        with log.open("wb") as out:
            processes.append(
                subprocess.Popen(
                    [str(spark_class()), *args],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        return log

    try:
        master_log = start(
            "master", "org.apache.spark.deploy.master.Master",
            "--host", "127.0.0.1", "--port", str(port), "--webui-port", "0",
        )  # fmt: skip
        started = r"Starting Spark master at (spark://\S+)"
        url = _wait_for_line(master_log, started, processes[0], timeout)
        for number in range(1, workers + 1):
            log = start(
                f"worker-{number}", "org.apache.spark.deploy.worker.Worker",
                "--host", "127.0.0.1", "--webui-port", "0", "--cores", str(cores),
                "--memory", memory, "--work-dir", str(logs / f"worker-{number}"), url,
            )  # fmt: skip
            _wait_for_line(log, r"(Successfully registered with master)", processes[-1], timeout)
        yield url
    finally:
        # Workers first (each stops its executors), then the master; each in its own session,
        # so a signal to the group reaches the JVM that spark-class started.
        for process in reversed(processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_for_line(log: Path, pattern: str, process: subprocess.Popen, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, log.read_text(errors="replace"))
        if found:
            return found.group(1)
        if process.poll() is not None:
            raise RuntimeError(f"{log.name}: the process exited: see {log}")
        time.sleep(0.3)
    raise RuntimeError(f"{log.name}: not ready after {timeout:.0f} s: see {log}")
