"""Evidence: hashing at ingest, untouched originals, the append-only custody log, bad uploads."""

import datetime
import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from PIL import Image

from civwatch.core.errors import UserError
from civwatch.evidence.ingest import add_evidence, original_path, read_original
from civwatch.evidence.models import CustodyEvent, EvidenceItem
from civwatch.evidence.previews import MAX_IMAGE_PIXELS
from tests.auth_helpers import sign_in
from tests.test_cases import make_incident, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n0\n%%EOF\n"


def png_of(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# A decompression bomb: a few kilobytes that would decode to more pixels than allowed.
BOMB = png_of(Image.new("1", (int(MAX_IMAGE_PIXELS**0.5) + 100,) * 2))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def carol():
    return make_user("carol", "contributor")


def upload(user, name: str, data: bytes, incident=None) -> EvidenceItem:
    return add_evidence(
        user=user,
        incident=incident,
        name=name,
        data=data,
        kind="file",
        title="Court decision",
        source="Tverskoy court website",
        obtained_how="downloaded by the lawyer",
        obtained_on=datetime.date(2024, 5, 1),
    )


def test_a_file_is_hashed_and_kept_untouched_under_its_hash(carol, media):
    item = upload(carol, "decision.pdf", PDF)
    digest = hashlib.sha256(PDF).hexdigest()
    assert (item.sha256, item.media_type, item.size) == (digest, "application/pdf", len(PDF))
    assert original_path(digest) == media / "evidence" / digest[:2] / digest[2:4] / digest
    assert read_original(item) == PDF  # decrypted: on disk it is encrypted
    assert PDF[:64] not in original_path(digest).read_bytes()


def test_text_is_a_derived_copy_and_the_log_says_so(carol):
    html = "<html><body><p>Обыск в офисе</p></body></html>".encode()
    item = upload(carol, "page.html", html)
    assert item.derived_text == "Обыск в офисе"
    assert read_original(item) == html
    assert list(item.custody.values_list("action", flat=True)) == ["added", "derived"]
    assert {e.sha256 for e in item.custody.all()} == {item.sha256}


def test_custody_log_is_append_only(carol):
    item = upload(carol, "decision.pdf", PDF)
    event = item.custody.first()
    event.note = "changed"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        CustodyEvent.objects.filter(item=item).update(note="changed")
    with pytest.raises(PermissionDenied):
        CustodyEvent.objects.filter(item=item).delete()
    assert CustodyEvent.objects.get(pk=event.pk).note.startswith("decision.pdf")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("virus.exe", b"MZ\x90\x00binary", "not an accepted file type"),
        ("decision.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "damaged PDF"),
        ("notes.txt", b"\xff\xfe\x00broken", "not UTF-8"),
        ("empty.txt", b"", "empty"),
        ("bomb.png", BOMB, "“bomb.png” is too large an image"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_saved(carol, media, name, data, message):
    with pytest.raises(UserError, match=message):
        upload(carol, name, data)
    assert not EvidenceItem.objects.exists()
    assert not CustodyEvent.objects.exists()
    assert not list(media.rglob("*"))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("virus.exe", b"MZ\x90\x00binary", "not an accepted file type"),
        ("decision.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "damaged PDF"),
        ("big.txt", b"a" * (20 * 1024 * 1024 + 1), "larger than 20 MB"),
        ("bomb.png", BOMB, "too large an image"),
    ],
)
def test_bad_uploads_in_the_staff_form_get_a_clear_message(
    client, carol, media, name, data, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    incident = make_incident(carol)
    sign_in(client, carol)
    response = client.post(
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
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EvidenceItem.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]
