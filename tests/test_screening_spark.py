"""Batch screening on Apache Spark (civwatch.matching.spark) gives the local engine's results
file byte for byte, and reports the same bad lines: in Spark's local mode, on a standalone
cluster of one master and two workers started here, and through the PySpark function for
users' own pipelines. The tests that start Java processes use none of the suite's database:
they run once (.ci/run), not on both databases."""

import io
import re
import subprocess
import sys

import pytest

from civwatch.matching.batch import load_index, screen_file
from civwatch.matching.spark import screen_dataframe, session, standalone_cluster
from tests.conftest import REPO
from tests.processes import civwatch, environment, free_port

SLICE = REPO / "tests" / "data" / "names-dev-slice"
# The batch tests' small files: malformed lines, an unscreenable schema, a query without a name.
BAD = REPO / "tests" / "data" / "screening"


def test_the_library_works_without_pyspark_and_the_cli_says_what_to_install(tmp_path):
    # PySpark made unimportable, as on an installation without the extra.
    program = (
        "import sys; sys.modules['pyspark'] = None\n"
        "import civwatch.matching.spark, civwatch.matching.batch\n"
        "from civwatch.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, "screen", "--engine", "spark",
         "--entities", str(BAD / "entities.ftm.jsonl"), "--queries", str(BAD / "queries.jsonl")],
        env=environment(tmp_path / "home"), cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert "the Spark engine needs PySpark: pip install 'civwatch[spark]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_spark_is_only_for_a_file_of_entities(tmp_path):
    done = civwatch(environment(tmp_path / "home"), "screen", "--engine", "spark", "--query", "X")
    assert done.returncode == 1
    assert "--engine spark screens --entities with --queries only" in done.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """(entities, queries): the names-dev slice, with the bad lines of the batch tests'
    files after it (and a blank query line, which gets no result line)."""
    folder = tmp_path_factory.mktemp("spark-input")
    entities, queries = folder / "entities.ftm.jsonl", folder / "queries.jsonl"
    entities.write_bytes(
        (SLICE / "entities.ftm.jsonl").read_bytes() + (BAD / "entities.ftm.jsonl").read_bytes()
    )
    queries.write_bytes(
        (SLICE / "queries.jsonl").read_bytes() + b"\n" + (BAD / "queries.jsonl").read_bytes()
    )
    return entities, queries


@pytest.fixture(scope="module")
def local(files, tmp_path_factory):
    """(results file, problems reported, summary) of the local engine, as `civwatch screen`."""
    return screened(files, tmp_path_factory.mktemp("local"), "--engine", "local")


def screened(files, folder, *engine: str, env: dict | None = None) -> tuple[bytes, list, str]:
    entities, queries = files
    output = folder / "results.jsonl"
    done = civwatch(
        env or environment(folder / "home"), "screen", "--entities", str(entities),
        "--queries", str(queries), "--output", str(output), *engine, check=True, timeout=900,
    )  # fmt: skip
    # Progress bars share stderr (and sometimes a line) with the problems.
    problems = re.findall(r"(?:queries|entities\.ftm)\.jsonl, line \d+: [^\r\n]*", done.stderr)
    return output.read_bytes(), problems, done.stderr.splitlines()[-1]


@pytest.mark.once
def test_the_local_engine_reports_the_slice_and_its_bad_lines(local):
    results, problems, summary = local
    # 300 + 7 queries: matches on most of the slice, and 3 bad query lines answered anyway.
    assert len(results.splitlines()) == 307
    assert len(problems) == 6 and summary.endswith("3 bad lines reported")
    assert "queries, 0 with a match" not in summary


@pytest.mark.once
def test_spark_local_mode_gives_the_same_results_file(files, local, tmp_path):
    assert screened(files, tmp_path, "--engine", "spark", "--master", "local[2]") == local


@pytest.mark.once
def test_a_standalone_cluster_of_two_workers_gives_the_same_results_file(files, local, tmp_path):
    env = environment(tmp_path / "home")
    logs = tmp_path / "spark-logs"
    with standalone_cluster(2, logs, port=free_port(), environment=env) as master:
        assert master.startswith("spark://127.0.0.1:")
        # Four tasks per worker core: both workers get some.
        result = screened(
            files, tmp_path, "--engine", "spark", "--master", master, "--partitions", "8", env=env
        )
    assert result == local
    # Each worker ran an executor of the job (its work folder holds the executor's log).
    for worker in ("worker-1", "worker-2"):
        assert list((logs / worker).glob("app-*/*/stderr")), worker


@pytest.mark.once
def test_the_pyspark_function_screens_a_dataframe_in_order(monkeypatch, tmp_path):
    """`screen_dataframe` as the documentation shows it: a text file read by Spark, results
    as the local engine's lines, the input's columns kept."""
    index = load_index(SLICE / "entities.ftm.jsonl", None, io.StringIO())
    expected = io.StringIO()
    screen_file(index, SLICE / "queries.jsonl", expected, warn=io.StringIO())
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    spark = session("local[2]")
    try:
        queries = spark.read.text(str(SLICE / "queries.jsonl"))
        rows = screen_dataframe(queries, index, column="value", limit=10).collect()
    finally:
        spark.stop()
    assert [row.result for row in rows] == expected.getvalue().splitlines()
    assert [row.value for row in rows] == (SLICE / "queries.jsonl").read_text().splitlines()
