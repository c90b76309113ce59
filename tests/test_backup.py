"""`civwatch backup` and `civwatch restore`: one encrypted archive, restored into an empty home,
gives back every export exactly; a changed, cut or wrongly keyed archive is refused."""

import datetime
import io
import json
import os

import pytest
from django.core.management import CommandError, call_command

from civwatch.core.backup import new_key
from tests.conftest import FOREIGN_AGENTS, UNDESIRABLE, import_history
from tests.processes import civwatch, empty_home  # noqa: F401 (fixture)
from tests.test_cases import make_incident, make_user

pytestmark = pytest.mark.django_db(transaction=True)

EXPORTS = [
    ["export", "designations", "--register", "foreign-agents"],
    ["export", "designations", "--register", "undesirable", "--format", "csv"],
    ["changes", "--register", "foreign-agents"],
    ["changes", "--register", "undesirable"],
    ["export", "ftm"],
    ["export", "accountability"],
]


@pytest.fixture
def home(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("CIVWATCH_BACKUP_KEY", new_key())
    import_history(foreign_agents=FOREIGN_AGENTS[:3], undesirable=UNDESIRABLE[:1])
    from civwatch.evidence.ingest import add_evidence

    editor = make_user("eddie", "editor")
    add_evidence(
        user=editor,
        incident=make_incident(editor),
        kind="file",
        title="Protocol",
        name="protocol.txt",
        data="Протокол обыска".encode(),
        source="lawyer",
        obtained_how="from the lawyer",
        obtained_on=datetime.date(2024, 3, 2),
    )
    return tmp_path


def files(root) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def exports_here() -> list[str]:
    outputs = []
    for args in EXPORTS:
        out = io.StringIO()
        call_command(*args, stdout=out)
        outputs.append(out.getvalue())
    return outputs


def test_a_restored_backup_gives_every_export_back_identically(home, empty_home):  # noqa: F811
    archive = home / "civwatch.backup"
    call_command("backup", "--output", str(archive), stdout=io.StringIO())
    before = exports_here()
    assert all(before[:5]) and "Протокол".encode() not in archive.read_bytes()

    target, env = empty_home
    env = {**env, "CIVWATCH_BACKUP_KEY": os.environ["CIVWATCH_BACKUP_KEY"]}
    restored = civwatch(env, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "1 media files" in restored.stdout
    # The same commands in the restored home, in one process (each start costs seconds).
    script = (
        "import io, json\nfrom django.core.management import call_command\nout = []\n"
        f"for args in {EXPORTS!r}:\n    s = io.StringIO()\n"
        "    call_command(*args, stdout=s)\n    out.append(s.getvalue())\n"
        "from civwatch.evidence.models import EvidenceItem\n"
        "from civwatch.evidence.ingest import read_original\n"
        "out.append(read_original(EvidenceItem.objects.get()).decode())\n"
        "print(json.dumps(out))"
    )
    after = civwatch(env, "shell", "--no-imports", "-c", script)
    assert json.loads(after.stdout) == [*before, "Протокол обыска"]
    assert files(target / "media") == files(home / "media")

    again = civwatch(env, "restore", str(archive))
    assert again.returncode != 0 and "needs an empty home" in again.stderr


def test_a_changed_cut_or_wrongly_keyed_archive_is_refused(
    home,
    empty_home,  # noqa: F811
    monkeypatch,
):
    archive = home / "civwatch.backup"
    call_command("backup", "--output", str(archive), stdout=io.StringIO())
    data = archive.read_bytes()
    _, env = empty_home
    env = {**env, "CIVWATCH_BACKUP_KEY": os.environ["CIVWATCH_BACKUP_KEY"]}

    changed = home / "changed.backup"
    changed.write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    cut = home / "cut.backup"
    cut.write_bytes(data[: len(data) // 2])
    for broken in (changed, cut):
        result = civwatch(env, "restore", str(broken))
        assert result.returncode != 0 and "cannot be decrypted" in result.stderr

    wrong = civwatch({**env, "CIVWATCH_BACKUP_KEY": new_key()}, "restore", str(archive))
    assert wrong.returncode != 0 and "wrong key" in wrong.stderr
    nothing = civwatch(env, "migrate", "--check", "-v0")
    assert nothing.returncode != 0  # still empty: nothing was half-restored

    monkeypatch.delenv("CIVWATCH_BACKUP_KEY")
    with pytest.raises(CommandError, match="Set CIVWATCH_BACKUP_KEY"):
        call_command("backup", "--output", str(home / "x.backup"))
