"""Citizens' initiatives: anonymous submission with a receipt code, working copies without
metadata, the reviewers' workflow, the access policy on them, and the public page."""

import base64
import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection, models
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

from civwatch.accounts import permissions
from civwatch.core import crypto
from civwatch.core.errors import UserError
from civwatch.core.models import AuditEvent
from civwatch.evidence.ingest import read_original
from civwatch.initiatives import receipts, retention, sanitise, workflow
from civwatch.initiatives.models import Attachment, Initiative, Message, SupportAction
from tests.auth_helpers import sign_in
from tests.initiative_helpers import (
    CLIENT_IP,
    CLIENT_UA,
    GPS_LATITUDE,
    form_data,
    jpeg2000_with_metadata,
    jpeg_with_gps,
    pdf_with_a_gps_photo,
    pdf_with_metadata,
)
from tests.test_cases import make_incident, make_user

pytestmark = pytest.mark.django_db
CODE = re.compile(r'id="receipt-code">([A-Z2-7-]+)<')
CONTACT = "Signal +7 900 000 00 00, ask for Anna"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def submit(client, files=(), **overrides):
    """POST the public form as an anonymous citizen, with marked address and browser."""
    data = form_data(**overrides)
    uploads = [io.BytesIO(content) for _name, content in files]
    for upload, (name, _content) in zip(uploads, files, strict=True):
        upload.name = name
    if uploads:
        data["attachments"] = uploads
    return client.post(
        "/initiatives/propose/", data, REMOTE_ADDR=CLIENT_IP, HTTP_USER_AGENT=CLIENT_UA
    )


def receipt_code(response) -> str:
    found = CODE.search(response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1)


def every_stored_value() -> str:
    """Every value of every row of every table, as the database holds it."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            # Table names from the database itself, not input.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks += [repr(row) for row in cursor.fetchall()]
    return "\n".join(chunks)


def look_up(client, code: str):
    return client.post("/initiatives/receipt/", {"code": code})


# ---------------------------------------------------------------------------------------------
# Submission and privacy


def test_an_anonymous_submission_gives_a_receipt_code_and_stores_no_address_browser_or_time(
    client,
):
    assert client.get("/initiatives/propose/").status_code == 200
    response = submit(client, files=[("DSC_0042.jpg", jpeg_with_gps())], organisers_contact=CONTACT)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    code = receipt_code(response)
    assert len(receipts.normalise(code)) == 32  # 160 bits
    [initiative] = Initiative.objects.all()
    assert initiative.organisers_contact == CONTACT and initiative.status == "received"
    # The day only: no column of the new models can hold a time.
    for model in (Initiative, Attachment, Message, SupportAction):
        kinds = {type(f) for f in model._meta.concrete_fields}
        assert not kinds & {models.DateTimeField, models.TimeField}, model
    stored = every_stored_value()
    assert CLIENT_IP not in stored and "ZZUSERAGENT" not in stored
    assert receipts.normalise(code) not in stored and code not in stored
    assert CONTACT not in stored  # encrypted at rest
    assert initiative.receipt_hash in stored  # the scan saw the new rows
    # The anonymous citizen got no session.
    assert "sessionid" not in response.cookies


def every_stored_time() -> set[tuple]:
    """Every date-and-time value of every table, with its table, row and column."""
    from django.apps import apps

    found = set()
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields
                 if isinstance(f, models.DateTimeField)]  # fmt: skip
        for pk, *values in model.objects.values_list("pk", *names) if names else []:
            found |= {
                (model._meta.label, pk, n, v) for n, v in zip(names, values, strict=True) if v
            }
    return found


def test_what_a_submission_or_an_answer_writes_on_the_way_keeps_the_day_only(client, media):
    """The evidence items of its attachments, their custody log, their history and the audit
    events: every time stamped by the drop box is the start of the day, in every table."""
    from django.utils import timezone

    def stamped_since(before: set[tuple]) -> list[tuple]:
        return sorted(every_stored_time() - before, key=str)

    def midnight(value) -> bool:
        return timezone.localtime(value).time() == datetime.time(0)

    before = every_stored_time()
    code = receipt_code(submit(client, files=[("DSC_0042.jpg", jpeg_with_gps())]))
    new = stamped_since(before)
    tables = {label for label, *_rest in new}
    assert {"core.AuditEvent", "evidence.EvidenceItem", "evidence.CustodyEvent"} <= tables
    assert all(midnight(value) for *_where, value in new), [w for w in new if not midnight(w[3])]
    # An answer to a staff question, too.
    initiative = Initiative.objects.get()
    workflow.ask(initiative, make_user("rita", "researcher"), "Which square?")
    before = every_stored_time()
    answer = client.post("/initiatives/receipt/answer/", {"code": code, "text": "Lenin Square"})
    assert answer.status_code == 200 and initiative.messages.count() == 2
    assert all(midnight(value) for *_where, value in stamped_since(before))
    # Outside the drop box the time is kept (the test could fail).
    editor = make_user("eddie", "editor")
    before = every_stored_time()
    workflow.move(initiative, editor, "under_review")
    assert not all(midnight(value) for *_where, value in stamped_since(before))


def test_the_metadata_found_is_shown_and_the_working_copy_has_none(client, media):
    response = submit(client, files=[("photo.jpg", jpeg_with_gps())])
    page = response.content.decode()
    for label in ("GPS position", "camera make and model", "software", "author or owner name"):
        assert label in page, label
    [attachment] = Attachment.objects.select_related("original", "working")
    assert attachment.metadata_found == ["gps", "camera", "software", "author", "dates"]
    original = Image.open(io.BytesIO(read_original(attachment.original)))
    assert original.getexif().get_ifd(0x8825)[2] == GPS_LATITUDE  # kept untouched as evidence
    working = read_original(attachment.working)
    image = Image.open(io.BytesIO(working))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert not dict(image.getexif()) and not image.getexif().get_ifd(0x8825)
    assert b"ZZ" not in working and b"Exif" not in working
    # The original is confidential evidence, the working copy internal, both encrypted on disk.
    assert attachment.original.visibility == "confidential"
    assert attachment.working.visibility == "internal"
    # The submitter's file name is kept nowhere (it may name them or date the photo).
    assert "photo" not in attachment.original.original_name + attachment.working.original_name
    assert attachment.original.original_name.endswith("-original.jpg")
    files = [p for p in media.rglob("*") if p.is_file()]
    assert len(files) >= 2 and not any(b"ZZCameraMake" in p.read_bytes() for p in files)


def test_a_pdf_loses_its_document_information_and_xmp():
    cleaned = sanitise.clean("letter.pdf", "application/pdf", pdf_with_metadata())
    assert cleaned.found == ["software", "author", "xmp"]
    reader = PdfReader(io.BytesIO(cleaned.data))
    assert not reader.metadata and "/Metadata" not in reader.trailer["/Root"]
    assert b"ZZ" not in cleaned.data and len(reader.pages) == 1


PLACES = ["page", "form", "annotation", "thumbnail"]


@pytest.mark.parametrize(
    ("where", "encoding"),
    [(where, "jpeg") for where in PLACES]
    + [(where, "jpx") for where in PLACES]
    + [("page", "inline"), ("form", "inline")],
)
def test_a_photo_anywhere_in_a_pdf_loses_its_exif_and_still_renders(where, encoding):
    import pypdfium2

    original = pdf_with_a_gps_photo(where, encoding)
    assert b"ZZ" in original
    cleaned = sanitise.clean("scan.pdf", "application/pdf", original)
    assert "gps" in cleaned.found
    if encoding == "jpx":  # XMP box, GeoJP2 box, and OpenJPEG's comment naming itself
        assert {"xmp", "comment"} <= set(cleaned.found)
        assert b"OpenJPEG" in original and b"OpenJPEG" not in cleaned.data
    assert b"ZZ" not in cleaned.data and b"Exif" not in cleaned.data
    if where == "thumbnail":  # not drawn on the page
        return
    page = pypdfium2.PdfDocument(cleaned.data)[0]
    pixels = page.render(scale=1, draw_annots=True).to_pil().convert("RGB")
    red, green, blue = pixels.getpixel((32, 24))
    assert red > 200 and green < 60 and blue < 60  # the photo is still there, still red


def test_files_attached_to_a_pdf_are_removed():
    """A PDF can carry whole files: the original photo with its GPS, a document naming its
    author. The working copy keeps none of them, neither listed nor as a page's annotation."""
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    writer.add_attachment("ZZ-original-photo.jpg", jpeg_with_gps())
    note = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/FileAttachment"),
        NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 20, 20)]),
        NameObject("/FS"): writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"][1],
    })  # fmt: skip
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(note)])
    out = io.BytesIO()
    writer.write(out)
    assert b"ZZCameraMake" in out.getvalue()

    cleaned = sanitise.clean("letter.pdf", "application/pdf", out.getvalue())
    assert "attachments" in cleaned.found  # (and "software": pypdf names itself as producer)
    assert b"ZZ" not in cleaned.data and b"Exif" not in cleaned.data
    reader = PdfReader(io.BytesIO(cleaned.data))
    assert reader.attachments == {} and not reader.pages[0].get("/Annots")
    assert "attached files" in sanitise.labels(cleaned.found)


def test_comments_in_every_tile_part_of_a_jpeg2000_codestream_are_removed():
    """A comment can sit in a tile-part's header too: it goes, the tile-part's length is
    corrected, and the picture decodes to the same pixels."""
    data = jpeg2000_with_metadata("blue")
    codestream = data[data.index(b"jp2c") + 4 :]
    first_tile = codestream.index(b"\xff\x90")
    comment = b"ZZ Tile comment"
    com = b"\xff\x64" + (4 + len(comment)).to_bytes(2, "big") + b"\x00\x01" + comment
    psot = int.from_bytes(codestream[first_tile + 6 : first_tile + 10], "big")
    sot = codestream[first_tile : first_tile + 6] + (psot + len(com)).to_bytes(4, "big")
    sot += codestream[first_tile + 10 : first_tile + 12]
    commented = codestream[:first_tile] + sot + com + codestream[first_tile + 12 :]
    assert Image.open(io.BytesIO(commented)).convert("RGB").getpixel((40, 40)) == (0, 0, 255)

    cleaned, found = sanitise.strip_jpeg2000(commented)
    assert found == {"comment"} and b"ZZ" not in cleaned and b"OpenJPEG" not in cleaned
    assert Image.open(io.BytesIO(cleaned)).convert("RGB").getpixel((40, 40)) == (0, 0, 255)
    # What cannot be walked is left as it is, and nothing is claimed removed.
    assert sanitise.strip_jpeg2000(commented[:-40]) == (commented[:-40], set())


def test_a_png_loses_its_text_chunks():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "ZZ Png Author")
    out = io.BytesIO()
    Image.new("RGB", (10, 10), "blue").save(out, format="PNG", pnginfo=info)
    cleaned = sanitise.clean("a.png", "image/png", out.getvalue())
    assert cleaned.found == ["other"] and b"ZZ" not in cleaned.data
    clean_image = sanitise.clean("b.png", "image/png", cleaned.data)
    assert clean_image.found == []


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.txt", b"just text", "not an accepted file type"),
        ("anim.gif", b"GIF89a" + b"\0" * 40, "is an image: only PDF, PNG, JPEG"),
        ("empty.jpg", b"", "empty"),
        ("broken.jpg", b"\xff\xd8\xff" + b"\0" * 40, "could not be read as an image"),
        ("cut.pdf", b"%PDF-1.4 no end", "damaged PDF"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_is_kept(
    client, media, name, content, message
):
    response = submit(client, files=[("good.jpg", jpeg_with_gps()), (name, content)])
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Initiative.objects.exists() and not Attachment.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]  # written files were removed


def test_an_encrypted_pdf_is_refused_and_its_stored_original_removed(client, media):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("secret")
    locked = io.BytesIO()
    writer.write(locked)
    response = submit(client, files=[("locked.pdf", locked.getvalue())])
    assert response.status_code == 400 and "encrypted PDF" in response.content.decode()
    assert not Initiative.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    "overrides, field",
    [({"date": "12.06.2030x"}, "Date"), ({"kind": "riot"}, "Kind"), ({"city": ""}, "City"),
     ({"description": "x" * 10001}, "Description")],
)  # fmt: skip
def test_bad_fields_are_a_400_with_a_message(client, overrides, field):
    response = submit(client, **overrides)
    assert response.status_code == 400 and field in response.content.decode()
    assert not Initiative.objects.exists()


def test_the_code_is_looked_up_by_post_only_and_typed_loosely(client):
    code = receipt_code(submit(client))
    page = look_up(client, code)
    assert page.status_code == 200 and "received" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    sloppy = " ".join(receipts.normalise(code).lower()[i : i + 8] for i in range(0, 32, 8))
    assert look_up(client, sloppy).status_code == 200
    # A code in a URL is ignored: the page only offers the form.
    assert "received" not in client.get("/initiatives/receipt/", {"code": code}).content.decode()
    wrong = look_up(client, "AAAA-" * 7 + "AAAA")
    assert (
        wrong.status_code == 404 and "No initiative has this receipt code" in wrong.content.decode()
    )
    assert look_up(client, "").status_code == 400
    # The forms never send the code in a URL.
    assert 'method="post"' in client.get("/initiatives/receipt/").content.decode()


def test_codes_survive_a_key_rotation_while_the_old_key_is_configured(monkeypatch):
    done = workflow.submit(**form_data(city="Perm"))
    old = crypto.keyring().current
    monkeypatch.setenv("CIVWATCH_MASTER_KEY", crypto.generate_key())
    monkeypatch.setenv("CIVWATCH_MASTER_KEY_OLD", base64.b64encode(old).decode())
    crypto.reset_keyring()
    try:
        assert workflow.find(done.code) == done.initiative
    finally:
        monkeypatch.undo()
        crypto.reset_keyring()


# ---------------------------------------------------------------------------------------------
# Review, questions and decisions


@pytest.fixture
def people():
    return {role: make_user(f"{role}-1", role) for role in ("contributor", "researcher", "editor")}


def act(client, initiative, action, **data):
    return client.post(f"/initiatives/staff/{initiative.pk}/{action}/", data)


def test_an_editor_reviews_asks_supports_and_the_submitter_follows_with_the_code(client, people):
    code = receipt_code(submit(client, organisers_contact=CONTACT))
    initiative = Initiative.objects.get()
    editor = people["editor"]
    sign_in(client, editor)
    assert act(client, initiative, "move", to="under_review").status_code == 302
    assert (
        act(client, initiative, "question", text="How many people do you expect?").status_code
        == 302
    )
    # Declining needs a reason; supporting straight from "received" is not a move.
    refused = act(client, initiative, "move", to="declined", reason=" ")
    assert refused.status_code == 400 and "Say why" in refused.content.decode()
    assert act(client, initiative, "support", kind="funding").status_code == 400
    assert act(client, initiative, "move", to="supported",
               reason="We will send observers.").status_code == 302  # fmt: skip
    assert act(client, initiative, "support", kind="legal_observers",
               note="Two observers from the Perm group").status_code == 302  # fmt: skip
    incident = make_incident(editor)
    assert act(client, initiative, "outcome", outcome="detentions", note="12 detained",
               incident=incident.pk).status_code == 302  # fmt: skip
    initiative.refresh_from_db()
    assert initiative.status == "supported" and initiative.decided_by == editor
    assert initiative.incident == incident and initiative.outcome == "detentions"
    # The writes are in the audit log, like every other model's.
    events = AuditEvent.objects.filter(model="initiatives.Initiative", object_id=str(initiative.pk))
    assert events.filter(action="create").exists() and events.filter(action="update").count() >= 3
    assert AuditEvent.objects.filter(model="initiatives.SupportAction").exists()

    client.logout()
    page = look_up(client, code).content.decode()
    assert "supported" in page and "We will send observers." in page
    assert "legal observers" in page and "How many people do you expect?" in page
    assert "Two observers" not in page  # the reviewers' internal note
    assert CONTACT not in page
    answered = client.post(
        "/initiatives/receipt/answer/", {"code": code, "text": "About two hundred."}
    )
    assert answered.status_code == 200 and "Your answer was sent." in answered.content.decode()
    assert [m.sender for m in initiative.messages.all()] == ["staff", "submitter"]
    bad = client.post("/initiatives/receipt/answer/", {"code": "WRONG", "text": "x"})
    assert bad.status_code == 404

    sign_in(client, editor)
    staff_page = client.get(f"/initiatives/staff/{initiative.pk}/").content.decode()
    assert "About two hundred." in staff_page


def test_a_submitter_cannot_answer_before_a_question(client):
    code = receipt_code(submit(client))
    response = client.post("/initiatives/receipt/answer/", {"code": code, "text": "Hello"})
    assert response.status_code == 400 and "no question" in response.content.decode()
    assert not Message.objects.exists()


def test_who_reads_and_changes_initiatives(client, people):
    submit(client, files=[("p.jpg", jpeg_with_gps())], organisers_contact=CONTACT)
    initiative = Initiative.objects.get()
    detail = f"/initiatives/staff/{initiative.pk}/"

    assert client.get(detail).status_code == 302  # the public: sign in first
    sign_in(client, people["contributor"])
    assert client.get("/initiatives/staff/").status_code == 403
    assert client.get(detail).status_code == 404
    assert client.get(detail + "attachments/1/working/").status_code == 404

    sign_in(client, people["researcher"])
    page = client.get(detail)
    assert page.status_code == 200
    body = page.content.decode()
    assert "A rally for the release" in body and CONTACT not in body
    assert "GPS position" in body
    assert client.get(detail + "attachments/1/working/").status_code == 200
    assert client.get(detail + "attachments/1/original/").status_code == 404
    assert act(client, initiative, "move", to="under_review").status_code == 403
    initiative.refresh_from_db()
    assert initiative.status == "received"

    editor = people["editor"]
    sign_in(client, editor)
    before = AuditEvent.objects.filter(action="read").count()
    body = client.get(detail).content.decode()
    assert CONTACT in body
    read = AuditEvent.objects.filter(action="read", user_id=editor.pk).order_by("-seq").first()
    assert read is not None and AuditEvent.objects.filter(action="read").count() > before
    assert read.model == "initiatives.Initiative" and read.details["fields"] == [
        "organisers_contact"
    ]
    assert CONTACT not in str(read.details)
    original = client.get(detail + "attachments/1/original/")
    assert original.status_code == 200 and b"ZZCameraMake" in original.content
    assert client.get(detail + "attachments/2/working/").status_code == 404
    assert act(client, initiative, "nonsense").status_code == 404
    assert client.get(f"/initiatives/staff/{initiative.pk + 1000}/").status_code == 404


def test_the_policy_functions(people):
    initiative = workflow.submit(**form_data(organisers_contact=CONTACT)).initiative
    assert not permissions.can_read_initiatives(None)
    assert not permissions.can_read_initiatives(people["contributor"])
    assert permissions.can_read_initiatives(people["researcher"])
    assert not permissions.can_change_initiatives(people["researcher"])
    assert permissions.can_change_initiatives(people["editor"])
    assert "organisers_contact" not in permissions.initiative_fields(
        people["researcher"], initiative
    )
    assert "organisers_contact" in permissions.initiative_fields(people["editor"], initiative)
    assert permissions.initiative_fields(None, initiative) == []


def test_an_outcome_may_not_link_an_incident_the_editor_cannot_read(client, people):
    initiative = workflow.submit(**form_data()).initiative
    workflow.move(initiative, people["editor"], "under_review")
    workflow.move(initiative, people["editor"], "supported")
    hidden = make_incident(people["contributor"])  # a contributor's draft
    hidden.visibility = "confidential"
    hidden.save()
    sign_in(client, make_user("other-editor", "editor"))
    ok = act(client, initiative, "outcome", outcome="held", incident=hidden.pk)
    assert ok.status_code == 302  # editors read confidential records
    researcher = make_user("rr", "researcher")
    assert not permissions.can_view(researcher, hidden)
    assert act(client, initiative, "outcome", outcome="held", incident=999999).status_code == 404


# ---------------------------------------------------------------------------------------------
# The public page


def test_the_public_page_shows_only_kind_city_date_and_support(client, people):
    editor = people["editor"]
    shown = workflow.submit(
        **form_data(city="Perm", description="ZZHIDDEN plan", address="ZZHIDDEN street 1",
                    organisers_contact="ZZHIDDEN contact"),
    ).initiative  # fmt: skip
    open_place = workflow.submit(
        **form_data(city="Omsk", address="Lenin square", address_public=True)
    ).initiative
    unpublished = workflow.submit(**form_data(city="ZZHIDDEN city")).initiative
    for initiative in (shown, open_place, unpublished):
        workflow.move(initiative, editor, "under_review")
        workflow.move(initiative, editor, "supported", "ZZHIDDEN reason")
        workflow.add_support(initiative, editor, "lawyers_on_call", "ZZHIDDEN note")
        workflow.ask(initiative, editor, "ZZHIDDEN question")
    workflow.record_outcome(shown, "banned", "ZZHIDDEN outcome")
    workflow.publish(shown, True)
    workflow.publish(open_place, True)
    for url in ("/initiatives/", "/ru/initiatives/"):
        page = client.get(url).content.decode()
        assert "Perm" in page and "Omsk" in page and "Lenin square" in page
        assert "ZZHIDDEN" not in page
    assert "lawyers on call" in client.get("/initiatives/").content.decode()
    assert "2030-06-12" in client.get("/initiatives/").content.decode()
    # The API and the export show the same rows as the page, and nothing more.
    expected = [
        {"kind": "rally", "city": "Omsk", "date": "2030-06-12", "address": "Lenin square",
         "support": ["lawyers_on_call"]},
        {"kind": "rally", "city": "Perm", "date": "2030-06-12", "address": "",
         "support": ["lawyers_on_call"]},
    ]  # fmt: skip
    api = client.get("/api/initiatives").json()
    assert [{k: row[k] for k in expected[0]} for row in api] == expected
    assert api[0]["kind_label"] == "rally" and api[0]["support_labels"] == ["lawyers on call"]
    for fmt in ("jsonl", "csv"):
        out = io.StringIO()
        call_command("export", "initiatives", "--format", fmt, stdout=out)
        assert "ZZHIDDEN" not in out.getvalue() and "Lenin square" in out.getvalue()
    out = io.StringIO()
    call_command("export", "initiatives", stdout=out)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == expected
    assert "ZZHIDDEN" not in json.dumps(api, ensure_ascii=False)
    # Publishing needs support.
    received = workflow.submit(**form_data()).initiative
    with pytest.raises(UserError, match="Only a supported"):
        workflow.publish(received, True)


def test_the_pages_speak_russian(client, people):
    page = client.get("/ru/initiatives/propose/").content.decode()
    assert "Предложить" in page and "Propose an initiative" not in page
    sign_in(client, people["editor"])
    workflow.submit(**form_data())
    page = client.get("/ru/initiatives/staff/").content.decode()
    assert "Гражданские инициативы" in page


# ---------------------------------------------------------------------------------------------
# The real server: nothing of the submitter reaches its logs or its database file


@pytest.mark.once
@pytest.mark.django_db(transaction=False)
def test_through_civwatch_serve_no_address_browser_or_code_reaches_a_log(tmp_path):
    import signal
    import subprocess

    import requests

    from tests.processes import civwatch, environment, free_port, start_civwatch, wait_for

    env = environment(tmp_path, CIVWATCH_LOG_LEVEL="DEBUG")
    civwatch(env, "migrate", "--verbosity", "0", check=True)
    port = free_port()
    access, output = tmp_path / "access.log", tmp_path / "server.log"
    server = start_civwatch(
        env, "serve", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2",
        "--access-log", str(access), stdout=output.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    # What a browser (or a proxy in front of the server) says about the submitter.
    marked = {"User-Agent": CLIENT_UA, "X-Forwarded-For": CLIENT_IP, "X-Real-IP": CLIENT_IP}
    try:
        wait_for(url + "/static/civwatch/site.css", server, output)
        web = requests.Session()
        web.headers.update(marked)
        form = url + "/initiatives/propose/"
        assert web.get(form, timeout=30).status_code == 200
        headers = {"X-CSRFToken": web.cookies["csrftoken"], "Referer": form}
        answer = web.post(
            form, data={**form_data(), "organisers_contact": CONTACT}, headers=headers,
            files={"attachments": ("DSC_0042.jpg", jpeg_with_gps(), "image/jpeg")}, timeout=60,
        )  # fmt: skip
        assert answer.status_code == 200, answer.text[:2000]
        assert "GPS position" in answer.text
        code = receipt_code(answer)
        receipt = url + "/initiatives/receipt/"
        headers["Referer"] = receipt
        found = web.post(receipt, data={"code": code}, headers=headers, timeout=30)
        assert found.status_code == 200 and "Yekaterinburg" in found.text
        wrong = web.post(receipt, data={"code": code[::-1]}, headers=headers, timeout=30)
        assert wrong.status_code == 404  # logged as a 404 by Django: its path only
        bad = web.post(form, data=form_data(date="not a date"), headers=headers, timeout=30)
        assert bad.status_code == 400
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=40)
    logs = access.read_text(encoding="utf-8") + output.read_text(encoding="utf-8")
    assert '"GET /static/civwatch/site.css HTTP/1.1" 200' in logs  # the logs are the real ones
    # The drop box's requests are not in the access log: not even their time.
    assert "/initiatives/" not in access.read_text(encoding="utf-8")
    assert "Not Found: /initiatives/receipt/" in logs and "Shutting down" in logs
    secrets = [CLIENT_IP, "ZZUSERAGENT", code, receipts.normalise(code), CONTACT,
               "ZZCameraMake", "127.0.0.1 -"]  # fmt: skip
    for secret in secrets:
        assert secret not in logs, f"{secret!r} found in the logs"
    # Nor in the database file, byte for byte (with its journal, if any is left).
    database = b"".join(p.read_bytes() for p in tmp_path.glob("civwatch.sqlite3*"))
    assert b"Yekaterinburg" in database  # the submission is there
    for secret in [CLIENT_IP, "ZZUSERAGENT", receipts.normalise(code), code, CONTACT]:
        assert secret.encode() not in database, secret


def test_nul_bytes_and_overlong_values_are_a_400(client):
    assert submit(client, description="a\x00b").status_code == 400
    assert look_up(client, "A\x00B").status_code == 400
    assert look_up(client, "A" * 81).status_code == 400
    assert submit(client, city="x" * 201).status_code == 400
    assert not Initiative.objects.exists()


def test_the_staff_navigation_links_initiatives_for_their_readers_only(client, people):
    sign_in(client, people["researcher"])
    assert b'href="/initiatives/staff/"' in client.get("/cases/staff/").content
    sign_in(client, people["contributor"])
    assert b'href="/initiatives/staff/"' not in client.get("/cases/staff/").content


def test_the_submitter_follows_through_the_api_with_the_code_in_the_body(client, people):
    code = receipt_code(submit(client, organisers_contact=CONTACT))
    initiative = Initiative.objects.get()
    editor = people["editor"]
    workflow.move(initiative, editor, "under_review")
    workflow.ask(initiative, editor, "Which square?")
    seen = client.post("/api/initiatives/receipt", {"code": code.lower()},
                       content_type="application/json")  # fmt: skip
    assert seen.status_code == 200
    body = seen.json()
    assert body["status"] == "under_review" and body["decided_on"] is None
    assert body["messages"] == [
        {"sender": "staff", "sent_on": body["received_on"], "text": "Which square?"}
    ]
    workflow.move(initiative, editor, "declined", "Outside our region.")
    body = client.post("/api/initiatives/receipt", {"code": code},
                       content_type="application/json").json()  # fmt: skip
    assert body["status"] == "declined" and body["decision_reason"] == "Outside our region."
    assert CONTACT not in json.dumps(body, ensure_ascii=False)
    unknown = client.post("/api/initiatives/receipt", {"code": "AAAA-BBBB"},
                          content_type="application/json")  # fmt: skip
    assert unknown.status_code == 404 and unknown.json() == {
        "detail": "No initiative has this receipt code."
    }
    assert client.get(f"/api/initiatives/receipt?code={code}").status_code == 405


def test_the_reviewers_list_in_the_api_follows_the_access_policy(client, people):
    workflow.submit(**form_data(city="Perm"))
    assert client.get("/api/staff/initiatives").status_code == 403  # signed out
    sign_in(client, people["contributor"])
    assert client.get("/api/staff/initiatives").status_code == 403
    for role in ("researcher", "editor"):
        sign_in(client, people[role])
        rows = client.get("/api/staff/initiatives").json()
        assert [(r["city"], r["status"]) for r in rows] == [("Perm", "received")]
        assert client.get("/api/staff/initiatives?status=declined").json() == []
        assert client.get("/api/staff/initiatives?status=nonsense").status_code == 422


# ---------------------------------------------------------------------------------------------
# Retention


def test_retention_erases_the_submitters_traces_of_decided_initiatives_except_on_hold(
    client, people, media, django_capture_on_commit_callbacks
):
    """Past the retention period, a decided initiative loses its contact, its questions and
    answers, its receipt code and its originals; what documents the action stays. Held and
    recent initiatives keep everything, and a file another initiative still keeps is kept."""
    shared, own = jpeg_with_gps("red"), jpeg_with_gps("blue")
    codes = {}
    held_photo = jpeg_with_gps("green")
    for label, files in (("due", [shared, own]), ("held", [held_photo]), ("recent", [shared]),
                         ("undecided", [])):  # fmt: skip
        files = [(f"{label}-{n}.jpg", data) for n, data in enumerate(files)]
        codes[label] = receipt_code(
            submit(client, files=files, organisers_contact=CONTACT, address="ZZ Lenina 1")
        )
    due, held, recent, undecided = Initiative.objects.order_by("pk")
    editor = people["editor"]
    sign_in(client, editor)
    for initiative in (due, held, recent):
        act(client, initiative, "move", to="under_review")
        act(client, initiative, "question", text="Who organises it?")
        act(client, initiative, "move", to="declined", reason="Outside our region.")
    # A researcher may not put an initiative on hold; an editor may.
    researcher = client.__class__()
    sign_in(researcher, people["researcher"])
    assert act(researcher, held, "hold", legal_hold="on").status_code == 403
    assert act(client, held, "hold", legal_hold="on").status_code == 302
    Initiative.objects.filter(pk=recent.pk).update(date=datetime.date(2031, 6, 1))

    # Nothing is due today (the action dates lie in 2030): the command erases nothing.
    out = io.StringIO()
    call_command("initiatives", "purge", stdout=out)
    assert out.getvalue().startswith("0 initiatives")
    assert Initiative.objects.get(pk=due.pk).address == "ZZ Lenina 1"
    due_originals = [a.original for a in due.attachments.select_related("original")]
    own_file = media / due_originals[1].file_path
    shared_file = media / due_originals[0].file_path
    assert own_file.exists() and shared_file.exists()

    later = datetime.date(2031, 1, 1)  # the retention period (180 days) after 2030-06-12
    with django_capture_on_commit_callbacks(execute=True):
        report = retention.purge(today=later)
    assert report.erased == [due.pk] and report.held == [held.pk]

    due.refresh_from_db()
    assert due.erased_on == later and due.organisers_contact == "" and due.address == ""
    assert not due.messages.exists()
    assert look_up(client.__class__(), codes["due"]).status_code == 404
    assert due.kind and due.city and due.description and due.decision_reason  # the action
    # Its own photo is gone from storage; the one the recent initiative also sent is not.
    assert not own_file.exists() and shared_file.exists()
    original = client.get(f"/initiatives/staff/{due.pk}/attachments/2/original/")
    assert original.status_code == 410 and "destroyed" in original.content.decode()
    assert client.get(f"/initiatives/staff/{due.pk}/attachments/2/working/").status_code == 200
    assert due_originals[1].custody.filter(action="destroyed").count() == 1
    page = client.get(f"/initiatives/staff/{due.pk}/").content.decode()
    assert "traces were erased on 2031-01-01" in page and "original destroyed" in page
    recent_original = recent.attachments.get().original
    assert client.get(f"/initiatives/staff/{recent.pk}/attachments/1/original/").status_code == 200
    assert recent_original.file_path

    for kept in (held, recent, undecided):
        kept.refresh_from_db()
        assert kept.organisers_contact == CONTACT and kept.erased_on is None
        assert look_up(client.__class__(), codes[kept_label(kept, codes)]).status_code == 200
    # Every erasure went through the audit log, and the chain still holds.
    call_command("audit", "verify", stdout=io.StringIO())
    # Purging again changes nothing.
    assert retention.purge(today=later).erased == []


def kept_label(initiative, codes) -> str:
    return next(label for label, code in codes.items() if workflow.find(code) == initiative)
