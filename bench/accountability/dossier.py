"""Time the dossier generator: one documented official, each jurisdiction and format.

Run: .venv/bin/python bench/accountability/dossier.py
A fresh SQLite database in a temporary CIVWATCH_HOME; the official is built as in the tests
(tests/accountability_data.py). Prints the median of 5 runs per jurisdiction and format.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ["CIVWATCH_HOME"] = tempfile.mkdtemp(prefix="civwatch-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civwatch.settings")

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0)
    from civwatch.accountability import dossier
    from tests.accountability_data import documented_official, entry_for
    from tests.test_cases import make_user

    author, editor = make_user("bench-author", "researcher"), make_user("bench-editor", "editor")
    entry = entry_for(documented_official(author, editor), author)
    print("format jurisdiction median_s bytes")
    for fmt in dossier.FORMATS:
        for code in ("us", "uk", "eu", "ca"):
            times = []
            for _ in range(5):
                start = time.perf_counter()
                data = dossier.render(entry, code, fmt)
                times.append(time.perf_counter() - start)
            print(fmt, code, f"{statistics.median(times):.3f}", len(data))


if __name__ == "__main__":
    main()
