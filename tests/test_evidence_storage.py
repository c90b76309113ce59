"""Evidence storage: a full disk leaves nothing behind, a damaged file is refused on reading
and replaced by the next verified upload of the same original."""

import errno
import hashlib
import io
import logging
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civwatch.evidence.ingest import original_path, read_original, read_preview
from civwatch.evidence.models import CustodyEvent, EvidenceItem
from civwatch.evidence.storage import (
    ORIGINALS,
    PREVIEWS,
    TEMPORARY_PREFIX,
    DamagedFile,
    EvidenceStorage,
    StorageError,
    storage,
)
from civwatch.intake.models import Article
from tests.auth_helpers import sign_in
from tests.test_cases import make_incident, make_user
from tests.test_evidence import PDF, png_of, upload

pytestmark = pytest.mark.django_db

FULL_DISK = "tests.test_evidence_storage.FullDiskStorage"
# An uncompressible text original (random bytes written as hex), so its size is its size.
TEXT = os.urandom(60_000).hex().encode()  # 120,000 bytes


class FullDiskFile(io.FileIO):
    """A real file on disk that runs out of room, as a full filesystem does: it writes what
    fits and then fails with ENOSPC."""

    def __init__(self, path: str, room: list[int]) -> None:
        super().__init__(path, "wb")
        self.room = room  # shared by every file of one storage: the free space left

    def write(self, data) -> int:
        data = bytes(data)
        fits = data[: max(self.room[0], 0)]
        written = super().write(fits) if fits else 0
        self.room[0] -= written
        if written < len(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return written


class FullDiskStorage(EvidenceStorage):
    """Our storage on a disk with ROOM bytes free (the setting CIVWATCH_EVIDENCE_STORAGE)."""

    ROOM = 1000

    def __init__(self, root) -> None:
        super().__init__(root)
        self.room = [self.ROOM]

    def open_temporary(self, directory: Path):
        stream, path = super().open_temporary(directory)
        stream.close()
        return FullDiskFile(str(path), self.room), path


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def carol(client):
    user = make_user("carol", "contributor")
    sign_in(client, user)
    return user


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def form_upload(client, incident, name: str, data: bytes):
    return client.post(
        reverse("cases:staff_evidence_add", args=[incident.pk]),
        {
            "kind": "file",
            "title": "Decision",
            "source": "Court",
            "obtained_how": "from the lawyer",
            "obtained_on": "2024-05-01",
            "reliability": "B",
            "credibility": "2",
            "visibility": "internal",
            "upload": SimpleUploadedFile(name, data),
        },
    )


def download(client, item):
    return client.get(reverse("cases:staff_original", args=[item.pk]))


# -- a real full disk: a small tmpfs ------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path, settings):
    """MEDIA_ROOT on a 256 KiB tmpfs (skipped where mounting is not permitted)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command: cannot make a small filesystem")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {result.stderr.strip()}")
    settings.MEDIA_ROOT = mount_point
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def test_a_disk_that_fills_up_during_an_upload_leaves_nothing_and_the_retry_works(
    client, carol, small_disk
):
    incident = make_incident(carol)
    ballast = small_disk / "ballast"
    ballast.write_bytes(b"\0" * (256 * 1024 - 64 * 1024))  # 64 KiB left for a 120 KB file
    response = form_upload(client, incident, "statement.txt", TEXT)
    assert response.status_code == 400
    assert "disk is full" in response.content.decode()
    assert not EvidenceItem.objects.exists() and not CustodyEvent.objects.exists()
    assert stored_files(small_disk) == [ballast]  # no partial original, no temporary file

    ballast.unlink()  # the administrator frees space; the same upload now succeeds
    response = form_upload(client, incident, "statement.txt", TEXT)
    item = EvidenceItem.objects.get()
    assert response.status_code == 302
    assert read_original(item) == TEXT  # decrypted: on disk it is encrypted
    got = download(client, item)
    assert got.status_code == 200 and b"".join(got.streaming_content) == TEXT


# -- a disk that fills up after N bytes: our storage with a failing file --------------------


def test_enospc_after_n_bytes_leaves_no_row_no_file_and_a_clear_form_error(
    client, carol, media, settings
):
    settings.CIVWATCH_EVIDENCE_STORAGE = FULL_DISK
    incident = make_incident(carol)
    response = form_upload(client, incident, "statement.txt", TEXT)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The server&#x27;s disk is full" in page and "Nothing was saved" in page
    assert not EvidenceItem.objects.exists() and not CustodyEvent.objects.exists()
    assert stored_files(media) == []

    settings.CIVWATCH_EVIDENCE_STORAGE = "civwatch.evidence.storage.EvidenceStorage"
    assert form_upload(client, incident, "statement.txt", TEXT).status_code == 302
    item = EvidenceItem.objects.get()
    assert item.sha256 == hashlib.sha256(TEXT).hexdigest()
    assert b"".join(download(client, item).streaming_content) == TEXT


def test_when_the_preview_does_not_fit_the_original_written_before_it_is_removed(
    carol, media, settings
):
    from PIL import Image

    photo = png_of(Image.effect_noise((600, 600), 64).convert("RGB"))
    settings.CIVWATCH_EVIDENCE_STORAGE = FULL_DISK
    FullDiskStorage.ROOM = len(photo) + 10  # the original fits, its preview does not
    try:
        with pytest.raises(StorageError, match="disk is full"):
            upload(carol, "photo.png", photo)
    finally:
        FullDiskStorage.ROOM = 1000
    assert not EvidenceItem.objects.exists()
    assert stored_files(media) == []


def test_intake_with_a_full_disk_is_a_form_error_and_keeps_nothing(client, media, settings):
    settings.CIVWATCH_EVIDENCE_STORAGE = FULL_DISK
    sign_in(client, make_user("eddie", "editor"))
    response = client.post(
        reverse("intake:home"),
        {
            "title": "Detention at the court",
            "source": "Example News",
            "obtained_how": "saved from the website",
            "obtained_on": "2024-03-13",
            "reliability": "B",
            "credibility": "2",
            "visibility": "internal",
            "upload": SimpleUploadedFile("article.txt", TEXT),
        },
    )
    assert response.status_code == 400 and "disk is full" in response.content.decode()
    assert not EvidenceItem.objects.exists() and not Article.objects.exists()
    assert stored_files(media) == []


# -- damaged files ------------------------------------------------------------------------


def test_a_truncated_original_is_refused_on_download_and_replaced_by_a_new_upload(
    client, carol, media, caplog
):
    incident = make_incident(carol)
    first = upload(carol, "decision.pdf", PDF, incident)
    path = original_path(first.sha256)
    path.write_bytes(PDF[:20])  # what a full disk left behind before this storage existed

    with caplog.at_level(logging.ERROR, logger="civwatch.evidence.storage"):
        response = download(client, first)
    assert response.status_code == 409
    assert "does not match the sha256" in response.content.decode()
    assert PDF[:20] not in response.content
    assert f"item {first.pk} does not match its sha256" in caplog.text
    assert "original downloaded" not in [e.note for e in first.custody.all()]  # encrypted notes

    with caplog.at_level(logging.ERROR, logger="civwatch.evidence.ingest"):
        second = upload(carol, "decision.pdf", PDF, incident)
    assert f"evidence item {second.pk}: a damaged stored evidence file replaced" in caplog.text
    assert read_original(second) == PDF
    assert "damaged stored copy was replaced" in second.custody.get(action="added").note
    for item in (first, second):
        got = download(client, item)
        assert got.status_code == 200 and b"".join(got.streaming_content) == PDF


def test_a_verified_existing_file_is_kept_as_it_is(carol, media):
    first = upload(carol, "decision.pdf", PDF)
    path = original_path(first.sha256)
    before = path.stat().st_ino
    upload(carol, "decision.pdf", PDF)
    assert path.stat().st_ino == before  # not rewritten
    assert [p for p in media.rglob("*") if p.name.startswith(TEMPORARY_PREFIX)] == []


def test_a_missing_original_is_refused_not_a_500(client, carol, media):
    item = upload(carol, "decision.pdf", PDF)
    original_path(item.sha256).unlink()
    assert download(client, item).status_code == 409


def test_a_damaged_preview_is_refused(client, carol, media):
    from PIL import Image

    item = upload(carol, "photo.png", png_of(Image.new("RGB", (40, 30), "red")))
    preview = media / item.preview.name
    assert hashlib.sha256(read_preview(item)).hexdigest() == preview.stem  # named by its hash
    ok = client.get(reverse("cases:staff_preview", args=[item.pk]))
    assert ok.status_code == 200
    preview.write_bytes(b"\x89PNG damaged")
    response = client.get(reverse("cases:staff_preview", args=[item.pk]))
    assert response.status_code == 409 and b"PNG" not in response.content


def test_storage_read_verifies_and_put_refuses_a_short_write(media, settings):
    store = storage()
    stored = store.put(ORIGINALS, b"evidence bytes")
    assert stored.created and store.read(ORIGINALS, stored.path.name) == b"evidence bytes"
    stored.path.write_bytes(b"evidence byte")
    with pytest.raises(DamagedFile):
        store.read(ORIGINALS, stored.path.name)
    again = store.put(ORIGINALS, b"evidence bytes")
    assert again.replaced and not again.created
    assert store.read(ORIGINALS, stored.path.name) == b"evidence bytes"

    settings.CIVWATCH_EVIDENCE_STORAGE = FULL_DISK
    with pytest.raises(StorageError):
        storage().put(PREVIEWS, b"x" * 5000, ".png")
    assert not list((media / PREVIEWS).rglob("*.png"))
    assert not [p for p in media.rglob("*") if p.name.startswith(TEMPORARY_PREFIX)]


def test_the_migration_renames_previews_named_after_their_original(client, carol, media):
    import importlib

    from django.apps import apps
    from PIL import Image

    item = upload(carol, "photo.png", png_of(Image.new("RGB", (40, 30), "blue")))
    current = media / item.preview.name
    legacy = current.with_name(f"{item.sha256}.png")  # the name earlier versions gave it
    legacy.write_bytes(read_preview(item))  # in plain: earlier versions did not encrypt
    current.unlink()
    EvidenceItem.objects.filter(pk=item.pk).update(preview=str(legacy.relative_to(media)))
    assert client.get(reverse("cases:staff_preview", args=[item.pk])).status_code == 409

    migration = importlib.import_module(
        "civwatch.evidence.migrations.0004_preview_named_by_its_hash"
    )
    migration.rename_previews(apps, None)
    item.refresh_from_db()
    assert Path(item.preview.name).stem == hashlib.sha256(read_preview(item)).hexdigest()
    assert not legacy.exists()
    assert client.get(reverse("cases:staff_preview", args=[item.pk])).status_code == 200
