"""The editors' intake pages: an article becomes evidence with its mentions; bad uploads
are refused with a message and leave nothing behind."""

import hashlib
import re
from pathlib import Path

import pytest
from django.urls import reverse

from civwatch.evidence.ingest import read_original
from civwatch.evidence.models import EvidenceItem
from civwatch.intake.models import Article, ArticleMention, ArticleSuggestion
from tests.auth_helpers import sign_in
from tests.conftest import FOREIGN_AGENTS
from tests.test_cases import make_incident, make_user
from tests.test_cases_browser import log_in

FIXTURES = Path(__file__).parent / "data" / "intake"
LEV_PONOMAREV = "fa-215"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def form_data(**extra) -> dict:
    return {
        "title": "Detention at the court",
        "source": "Example News",
        "obtained_how": "saved from the website",
        "obtained_on": "2024-03-13",
        "reliability": "B",
        "credibility": "2",
        "visibility": "internal",
        **extra,
    }


def upload(client, name: str, data: bytes, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("intake:home"), form_data(upload=SimpleUploadedFile(name, data), **extra)
    )


@pytest.fixture
def editor(client):
    user = make_user("eddie", "editor")
    sign_in(client, user)
    return user


@pytest.mark.django_db
def test_an_uploaded_article_is_kept_as_evidence_with_its_mentions(full_history, client, editor):
    data = (FIXTURES / "ru-detention.txt").read_bytes()
    response = upload(client, "ru-detention.txt", data)
    item = EvidenceItem.objects.get()
    assert response.status_code == 302 and response.url == reverse("intake:article", args=[item.pk])
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert read_original(item) == data  # the original, untouched (stored encrypted)
    assert item.derived_text == data.decode()  # UTF-8 text with "\n" line ends: as it is
    assert list(item.custody.values_list("action", flat=True)) == ["added", "derived"]
    assert Article.objects.get(item=item).language == "ru"
    mentions = ArticleMention.objects.filter(item=item)
    assert mentions.filter(entity_id=LEV_PONOMAREV).count() == 4
    for mention in mentions:
        assert item.derived_text[mention.start : mention.end] == mention.text
    assert "Анны Зарецкой" in {s.text for s in ArticleSuggestion.objects.filter(item=item)}

    page = client.get(reverse("intake:article", args=[item.pk])).content.decode()
    assert (
        '<mark class="mention pending" title="Пономарев Лев Александрович">Льва Пономарёва' in page
    )


@pytest.mark.django_db
def test_pasted_text_is_kept_as_a_text_original(full_history, client, editor):
    text = "Lev Ponomaryov was detained in Moscow."
    response = client.post(reverse("intake:home"), form_data(pasted=text))
    item = EvidenceItem.objects.get()
    assert response.status_code == 302
    assert (item.original_name, item.media_type, item.derived_text) == (
        "pasted.txt",
        "text/plain",
        text,
    )
    assert ArticleMention.objects.get(item=item).entity_id == LEV_PONOMAREV


@pytest.mark.django_db
def test_html_without_a_suffix_and_markdown_are_read_as_intake_reads_them(client, editor):
    upload(client, "article", b"<!DOCTYPE html><html><body><p>Text</p></body></html>")
    upload(client, "notes.md", "Заметки".encode())
    items = EvidenceItem.objects.order_by("pk")  # derived_text is encrypted: read through items
    assert [(item.media_type, item.derived_text) for item in items] == [
        ("text/html", "Text"),
        ("text/plain", "Заметки"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.docx", b"PK\x03\x04 zipped", "not an accepted file type"),
        ("scan.pdf", b"%PDF-1.7\n1 0 obj <</Type /Catalog", "damaged PDF"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 16, "is an image"),
        ("cp1251.txt", "Пономарёв".encode("cp1251"), "not UTF-8"),
        ("huge.txt", b"a" * (20 * 1024 * 1024 + 1), "larger than 20 MB"),
    ],
)
def test_bad_uploads_get_a_clear_message_and_nothing_is_saved(
    client, editor, media, name, data, message
):
    response = upload(client, name, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "Nothing was saved" in page
    if message != "larger than 20 MB":  # refused by the form before the file is read
        assert name in page
    assert not EvidenceItem.objects.exists() and not Article.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_a_file_and_pasted_text_together_or_neither_are_refused(client, editor):
    assert client.post(reverse("intake:home"), form_data()).status_code == 400
    both = upload(client, "a.txt", b"text", pasted="more text")
    assert both.status_code == 400
    assert "Give either a file or the pasted text." in both.content.decode()
    assert not EvidenceItem.objects.exists()


@pytest.mark.django_db
def test_a_passage_not_in_the_article_is_refused(full_history, client, editor):
    upload(client, "ru-detention.txt", (FIXTURES / "ru-detention.txt").read_bytes())
    item = EvidenceItem.objects.get()
    incident = make_incident(editor)
    response = client.post(
        reverse("intake:claim", args=[item.pk]),
        {"incident": incident.pk, "statement": "x", "passage": "Words never written there."},
    )
    assert response.status_code == 400
    assert "must be copied from the article" in response.content.decode()
    assert not incident.claims.exists()


@pytest.mark.django_db
def test_only_editors_use_intake(client):
    sign_in(client, make_user("carol", "contributor"))
    assert client.get(reverse("intake:home")).status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_uploads_confirms_a_mention_and_cites_its_sentence(browser, bare_live_url, media):
    from django.core.management import call_command

    latest = FOREIGN_AGENTS[-1]
    call_command("import", "foreign-agents", str(latest), "--suspect", "keep-previous")
    editor = make_user("eddie", "editor")
    incident = make_incident(editor, type="detention", title="Detention of Lev Ponomarev")
    make_user("carol", "contributor")

    context, page = log_in(browser, bare_live_url, "eddie")
    page.click("text=Article intake")
    page.set_input_files("#id_upload", str(FIXTURES / "ru-detention.txt"))
    for field, value in form_data().items():
        if field in {"reliability", "credibility", "visibility"}:
            page.select_option(f"#id_{field}", value)
        else:
            page.fill(f"#id_{field}", value)
    page.select_option("#id_incident", str(incident.pk))
    page.click("text=Read the article")
    page.wait_for_url(re.compile(r"/staff/intake/\d+/$"))
    marks = page.locator(".article-text mark.mention")
    assert marks.first.inner_text() == "Льва Пономарёва"
    assert marks.count() == ArticleMention.objects.count() == 9

    first = ArticleMention.objects.order_by("start").first()
    row = page.locator(f"#mention-{first.pk}")
    row.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert page.locator(f"#mention-{first.pk} .decision").inner_text() == "confirmed"
    first.refresh_from_db()
    assert (first.decision, first.decided_by) == ("confirmed", editor)

    second = ArticleMention.objects.order_by("start")[1]
    page.locator(f"#mention-{second.pk}").get_by_role("link", name="Cite this sentence").click()
    page.wait_for_load_state()
    passage = "Вечером 12 марта полицейские задержали у здания Тверского суда Льва Пономарёва."
    assert page.locator("#id_passage").input_value() == passage
    page.fill("#id_statement", "Lev Ponomarev was detained at the Tverskoy court.")
    page.locator("#claim-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/cases/staff/incidents/{incident.pk}/$"))
    assert passage in page.locator(".claim").first.inner_text()

    claim = incident.claims.get()
    citation = claim.citations.get()
    assert (citation.passage, claim.status) == (passage, "draft")
    item = citation.item
    assert item.incident == incident
    assert list(item.custody.values_list("action", flat=True)) == ["added", "derived", "cited"]
    context.close()
