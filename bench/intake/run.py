"""Intake: precision and recall of mentions on the test fixtures, and time per article.

Run from the repository root after `scripts/setup test`:

    .venv/bin/python bench/intake/run.py

It imports the bundled register history into a fresh temporary CIVWATCH_HOME, builds the
gazetteer (timed), then analyses every fixture of tests/data/intake/ (extraction, language,
mentions, suggestions; the first pass loads natasha and pymorphy3 and is reported apart)
and compares the mentions with the expectations in tests/test_intake.py.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "src")]
os.environ["CIVWATCH_HOME"] = tempfile.mkdtemp(prefix="civwatch-bench-intake-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civwatch.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from civwatch.intake.analysis import analyse_file  # noqa: E402
from civwatch.intake.known import database_gazetteer  # noqa: E402

REPEATS = 5


def main() -> None:
    from tests.conftest import import_history
    from tests.test_intake import EXPECTED, FIXTURES, expected

    call_command("migrate", verbosity=0)
    import_history()
    started = time.perf_counter()
    gazetteer = database_gazetteer()
    build = time.perf_counter() - started
    print(f"gazetteer: {len(gazetteer.index)} entities, built in {build:.2f} s")

    files = {name: (FIXTURES / name).read_bytes() for name in EXPECTED}
    started = time.perf_counter()
    analyses = {name: analyse_file(name, data, gazetteer) for name, data in files.items()}
    print(f"first pass (loads the models): {time.perf_counter() - started:.2f} s")

    true_positives = found_total = expected_total = 0
    for name, analysis in analyses.items():
        got = {(m.text, m.start, m.end, m.entity_id) for m in analysis.mentions}
        want = set(expected(analysis.text, EXPECTED[name]))
        true_positives += len(got & want)
        found_total += len(got)
        expected_total += len(want)
        for wrong in sorted(got - want):
            print(f"  false mention in {name}: {wrong}")
        for missed in sorted(want - got):
            print(f"  missed in {name}: {missed}")
    precision = true_positives / found_total if found_total else 1.0
    recall = true_positives / expected_total if expected_total else 1.0
    print(
        f"mentions: {expected_total} expected, {found_total} found, {true_positives} right; "
        f"precision {precision:.3f}, recall {recall:.3f}"
    )

    for name, data in files.items():
        times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            analyse_file(name, data, gazetteer)
            times.append(time.perf_counter() - started)
        print(
            f"{name}: {len(analyses[name].text):>5} characters, "
            f"best of {REPEATS} {min(times) * 1000:.0f} ms, "
            f"mean {sum(times) / REPEATS * 1000:.0f} ms"
        )
    # A long article: every fixture's Russian text, four times over.
    long_text = "\n".join(a.text for a in analyses.values() if a.language == "ru") * 4
    started = time.perf_counter()
    analyse_file("long.txt", long_text.encode(), gazetteer)
    took = time.perf_counter() - started
    print(f"long Russian article: {len(long_text)} characters, {took * 1000:.0f} ms")


if __name__ == "__main__":
    main()
