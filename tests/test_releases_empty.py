"""`civwatch publish` as an operator runs it: outside any transaction (on PostgreSQL the path
that asks for REPEATABLE READ), here on a database with no register imported yet."""

import io
import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.test_releases import FRICTIONLESS

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_release_of_an_empty_database_is_valid_and_the_next_one_changes_nothing(tmp_path):
    names = []
    for _ in range(2):
        out = io.StringIO()
        call_command("publish", "--output", str(tmp_path), stdout=out)
        names.append(Path(out.getvalue().strip()).name)
    second = tmp_path / names[1]
    index = json.loads((second / "index.json").read_text(encoding="utf-8"))
    assert index["previous"] == names[0] and index["last_change"] is None
    assert index["counts"]["entities"] == 0
    assert index["counts"]["delta"] == {"added": 0, "modified": 0, "removed": 0}
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", "datapackage.json"],
        cwd=second, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
