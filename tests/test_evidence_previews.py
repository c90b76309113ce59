"""Previews: derived PNG copies of uploaded images and PDFs, seen only by who may see the item."""

import hashlib
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from PIL import Image
from weasyprint import HTML

from civwatch.cases.models import Incident
from civwatch.evidence.ingest import read_original, read_preview
from civwatch.evidence.models import Citation, Claim, EvidenceItem
from civwatch.evidence.previews import PREVIEW_SIDE
from tests import test_evidence
from tests.auth_helpers import sign_in
from tests.test_cases import make_incident
from tests.test_evidence import png_of, upload

pytestmark = pytest.mark.django_db
# The evidence tests' fixtures: media, a temporary MEDIA_ROOT (autouse); carol, a contributor.
media, carol = test_evidence.media, test_evidence.carol


def photo() -> bytes:
    """A 2000×1200 photo-like PNG: a gradient, so its preview is not trivially empty."""
    image = Image.linear_gradient("L").resize((2000, 1200)).convert("RGB")
    return png_of(image)


def court_decision_pdf() -> bytes:
    return HTML(string="<h1>Решение суда</h1><p>Иск удовлетворить.</p>").write_pdf()


def preview_image(item: EvidenceItem, media) -> Image.Image:
    assert (media / item.preview.name).is_file()
    data = read_preview(item)  # stored encrypted
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.verify()  # a complete, valid PNG
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize(
    ("name", "make", "media_type"),
    [("photo.png", photo, "image/png"), ("decision.pdf", court_decision_pdf, "application/pdf")],
)
def test_an_image_or_pdf_gets_a_bounded_png_preview_and_the_original_stays(
    carol, media, name, make, media_type
):
    data = make()
    item = upload(carol, name, data)

    assert item.media_type == media_type
    preview = preview_image(item, media)
    assert preview.format == "PNG"
    assert 0 < max(preview.size) <= PREVIEW_SIDE
    # The original is stored byte for byte, under the hash recorded at ingest.
    stored = read_original(item)
    assert stored == data
    assert hashlib.sha256(stored).hexdigest() == item.sha256 == hashlib.sha256(data).hexdigest()
    notes = [event.note for event in item.custody.filter(action="derived")]
    assert [note for note in notes if note.startswith("preview")]
    assert {e.sha256 for e in item.custody.all()} == {item.sha256}


def test_a_pdf_preview_shows_its_first_page(carol, media):
    item = upload(carol, "decision.pdf", court_decision_pdf())
    preview = preview_image(item, media).convert("L")
    # An A4 page is taller than wide, and the heading leaves dark pixels on the white page.
    assert preview.height == PREVIEW_SIDE and preview.width < preview.height
    assert preview.getextrema()[0] < 100


def test_a_file_that_cannot_be_read_as_an_image_is_kept_without_a_preview(carol, media):
    broken = b"\x89PNG\r\n\x1a\n" + b"not really an image"
    item = upload(carol, "broken.png", broken)
    assert not item.preview
    assert read_original(item) == broken
    assert list(item.custody.values_list("action", flat=True)) == ["added"]
    assert not (media / "evidence-previews").exists()


def test_text_files_get_no_preview(carol):
    item = upload(carol, "note.txt", "Обыск".encode())
    assert not item.preview


def publish(record, visibility: str = "public"):
    record.status, record.visibility = "published", visibility
    record.save()
    return record


@pytest.fixture
def public_incident(carol):
    return incident_with_photos(carol)


def incident_with_photos(author) -> tuple[Incident, dict[str, EvidenceItem]]:
    """A published incident whose published claim cites a public and a confidential photo."""
    incident = publish(make_incident(author))
    claim = publish(Claim(incident=incident, statement="Police searched the office."))
    items = {}
    for visibility in ("public", "confidential"):
        item = publish(upload(author, f"{visibility}.png", photo(), incident), visibility)
        Citation.objects.create(claim=claim, item=item, passage="entered the office")
        items[visibility] = item
    return incident, items


def test_a_public_items_preview_is_on_the_public_incident_page(client, public_incident):
    incident, items = public_incident
    page = client.get(reverse("cases:incident", args=[incident.pk])).content.decode()
    public_src = reverse("cases:evidence_preview", args=[items["public"].pk])
    assert f'src="{public_src}"' in page
    assert 'alt="Preview of “Court decision”"' in page
    response = client.get(public_src)
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_confidential_items_preview_is_not_reachable_anonymously(client, public_incident):
    incident, items = public_incident
    confidential = items["confidential"]
    page = client.get(reverse("cases:incident", args=[incident.pk])).content.decode()
    assert reverse("cases:evidence_preview", args=[confidential.pk]) not in page
    assert client.get(reverse("cases:evidence_preview", args=[confidential.pk])).status_code == 404
    staff_preview = client.get(reverse("cases:staff_preview", args=[confidential.pk]))
    assert staff_preview.status_code == 302  # to the login page
    assert staff_preview["Location"].startswith(reverse(settings.LOGIN_URL))


def test_a_public_item_not_cited_by_a_published_claim_has_no_public_preview(client, carol):
    item = publish(upload(carol, "photo.png", photo(), make_incident(carol)))
    assert item.preview
    assert client.get(reverse("cases:evidence_preview", args=[item.pk])).status_code == 404


def test_staff_see_the_preview_on_the_evidence_page(client, carol):
    item = upload(carol, "photo.png", photo(), make_incident(carol))
    sign_in(client, carol)
    page = client.get(reverse("cases:staff_evidence", args=[item.pk])).content.decode()
    src = reverse("cases:staff_preview", args=[item.pk])
    assert f'<img class="evidence-preview" src="{src}" alt="Preview of' in page
    response = client.get(src)
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")


def test_the_alt_text_is_translated_on_the_russian_page(client, public_incident):
    incident, _ = public_incident
    with translation.override("ru"):
        page = client.get(reverse("cases:incident", args=[incident.pk])).content.decode()
    assert 'alt="Превью: «Court decision»"' in page


def test_a_sideways_phone_photo_gets_an_upright_preview(carol, media):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; rotate 90° clockwise to view
    out = io.BytesIO()
    Image.new("RGB", (300, 100), "gray").save(out, format="JPEG", exif=exif)
    item = upload(carol, "photo.jpg", out.getvalue())
    assert item.media_type == "image/jpeg"
    assert preview_image(item, media).size == (100, 300)
