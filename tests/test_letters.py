"""Open letters signed by organisations (docs/letters.md): fixed texts, signing verified by a
link mailed through a real local SMTP server or by an editor, the public page and its CSV and
JSON, the delivered PDF and its hash in the audit log, the staff pages and the CLI."""

import datetime
import hashlib
import io
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from civwatch.core.models import AuditEvent
from civwatch.letters import signing
from civwatch.letters.delivery import record_delivery, render_pdf
from civwatch.letters.models import (
    Display,
    LetterError,
    LetterVersion,
    Signature,
    VerificationMethod,
    VerificationState,
)
from civwatch.settings import parse_email_url
from tests.auth_helpers import sign_in
from tests.letters_data import EN_TEXT, confirmation_link, make_letter, smtp_server  # noqa: F401
from tests.test_cases import make_user

pytestmark = pytest.mark.django_db

FORM = {
    "organisation": "Memorial Support",
    "country": "DE",
    "website": "https://www.memorial-support.example.org/",
    "signer_name": "Anna Signer",
    "signer_role": "Director",
    "email": "anna@memorial-support.example.org",
    "display": "public",
}


def signed(letter, **fields) -> Signature:
    """A signature stored directly (as the form would), verified unless told otherwise."""
    state = fields.pop("state", VerificationState.VERIFIED)
    data = {**FORM, **fields}
    signature = Signature(
        letter=letter, domain=signing.host_of(data["website"]), state=state,
        verified_on=datetime.date(2026, 1, 5) if state == VerificationState.VERIFIED else None,
        **{k: v for k, v in data.items()},
    )  # fmt: skip
    signature.save()
    return signature


# ---------------------------------------------------------------------------------------------
# The texts are fixed once signing opens


def test_opening_fixes_every_version_by_its_hash_and_the_text_can_no_longer_change():
    letter = make_letter(open_it=False)
    draft = letter.versions.get(language="en")
    draft.text = EN_TEXT + "\r\nAnd now."  # a draft may change; line ends are normalised
    draft.save()
    assert draft.sha256 == "" and "\r" not in LetterVersion.objects.get(pk=draft.pk).text
    letter.open_signing()
    for version in letter.versions.all():
        assert version.sha256 == hashlib.sha256(version.text.encode()).hexdigest()
    version = letter.versions.get(language="en")
    version.text = "A different letter."
    with pytest.raises(LetterError, match="fixed"):
        version.save()
    version.refresh_from_db()
    version.title = "Another title"
    with pytest.raises(LetterError, match="fixed"):
        version.save()
    with pytest.raises(LetterError, match="fixed"):
        letter.versions.get(language="ru").delete()
    with pytest.raises(LetterError, match="added"):
        LetterVersion.objects.create(letter=letter, language="de", title="T", text="Text")
    with pytest.raises(LetterError, match="already"):
        letter.open_signing()
    assert LetterVersion.objects.get(pk=version.pk).text == EN_TEXT + "\nAnd now."


def test_a_letter_without_a_version_cannot_open():
    letter = make_letter(open_it=False)
    letter.versions.all().delete()
    with pytest.raises(LetterError, match="at least one"):
        letter.open_signing()


# ---------------------------------------------------------------------------------------------
# Which addresses prove the organisation


@pytest.mark.parametrize(
    ("address", "website", "own"),
    [
        ("a@memo.org", "https://memo.org", True),
        ("a@memo.org", "https://www.memo.org/about", True),
        ("a@mail.memo.org", "https://memo.org", True),
        ("a@MEMO.ORG", "http://Memo.Org.", True),
        ("a@notmemo.org", "https://memo.org", False),
        ("a@memo.org.evil.com", "https://memo.org", False),
        ("a@gmail.com", "https://memo.org", False),
        ("a@gmail.com", "https://gmail.com", False),  # a public provider proves nothing
        ("a@mail.ru", "https://www.mail.ru", False),
        ("a@memo.org", "https://sub.memo.org", False),
        ("a@localhost", "http://localhost", False),
        ("a@пример.рф", "https://пример.рф", True),
    ],
)
def test_an_address_counts_at_the_website_domain_or_a_subdomain(address, website, own):
    assert signing.at_own_domain(address, website) is own


# ---------------------------------------------------------------------------------------------
# Signing through the form, confirming through the mailed link


def post_form(client, capture, url="/letters/repeal/sign/", **changes):
    with capture(execute=True):
        return client.post(url, {**FORM, **changes})


def test_an_organisation_signs_confirms_by_the_mailed_link_and_appears_in_both_languages(
    client, smtp, django_capture_on_commit_callbacks
):
    letter = make_letter()
    response = post_form(client, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "sent a confirmation link" in response.content.decode()
    [message] = smtp.wait()
    assert message["To"] == FORM["email"] and "Repeal the law" in message["Subject"]
    link = confirmation_link(message)
    token = link.split("t=")[1]

    signature = Signature.objects.get(letter=letter)
    assert signature.state == VerificationState.PENDING
    # Only the token's hash is stored; the encrypted columns hold no plain personal data.
    assert signature.token_hash == hashlib.sha256(token.encode()).hexdigest()
    raw = Signature.objects.filter(pk=signature.pk).values("signer_name", "email").get()
    assert FORM["email"] not in str(raw) and FORM["signer_name"] not in str(raw)
    # Not counted before confirmation.
    assert FORM["organisation"] not in client.get("/letters/repeal/").content.decode()

    path = urlsplit(link)
    page = client.get(f"{path.path}?{path.query}")
    body = page.content.decode()
    assert page.status_code == 200 and "Repeal the law" in body and page["Cache-Control"]
    for private in (FORM["organisation"], FORM["signer_name"], FORM["email"], "Director"):
        assert private not in body
    assert Signature.objects.get(pk=signature.pk).state == VerificationState.PENDING  # GET only

    done = client.post("/letters/confirm/", {"t": token})
    assert done.status_code == 200 and "Signature confirmed" in done.content.decode()
    signature.refresh_from_db()
    assert signature.state == VerificationState.VERIFIED
    assert signature.method == VerificationMethod.EMAIL_LINK
    assert signature.verified_on == timezone.localdate() and signature.token_hash == ""

    english = client.get("/letters/repeal/").content.decode()
    russian = client.get("/ru/letters/repeal/").content.decode()
    assert FORM["organisation"] in english and "Germany" in english
    assert FORM["organisation"] in russian and "Германия" in russian
    assert "Подписавшие" in russian
    for private in (FORM["signer_name"], FORM["email"], "Director"):
        assert private not in english and private not in russian

    # The link works once.
    again = client.post("/letters/confirm/", {"t": token})
    assert again.status_code == 404 and "already been used" in again.content.decode()
    assert client.get(f"{path.path}?{path.query}").status_code == 404


def test_an_expired_or_made_up_link_confirms_nothing(
    client, smtp, django_capture_on_commit_callbacks
):
    make_letter()
    post_form(client, django_capture_on_commit_callbacks)
    token = confirmation_link(smtp.wait()[0]).split("t=")[1]
    Signature.objects.update(token_expires=timezone.now() - datetime.timedelta(seconds=1))
    assert client.post("/letters/confirm/", {"t": token}).status_code == 404
    for bad in ("", "x", "y" * 5000, token[:-1]):
        assert client.post("/letters/confirm/", {"t": bad}).status_code == 404
        assert client.get("/letters/confirm/", {"t": bad}).status_code == 404
    assert Signature.objects.get().state == VerificationState.PENDING


def test_an_address_elsewhere_gets_no_mail_and_waits_for_an_editor(
    client, smtp, django_capture_on_commit_callbacks
):
    letter = make_letter()
    response = post_form(client, django_capture_on_commit_callbacks, email="anna@gmail.com")
    assert response.status_code == 200 and "an editor will verify" in response.content.decode()
    signature = Signature.objects.get(letter=letter)
    assert signature.token_hash == "" and signature.state == VerificationState.PENDING
    assert smtp.messages == []

    eddie = make_user("eddie", "editor")
    sign_in(client, eddie)
    url = f"/letters/staff/signatures/{signature.pk}/decide/"
    refused = client.post(url, {f"s{signature.pk}-decision": "verified"})
    assert (
        refused.status_code == 400 and "how the signature was checked" in refused.content.decode()
    )
    assert Signature.objects.get(pk=signature.pk).state == VerificationState.PENDING
    client.post(
        url,
        {f"s{signature.pk}-decision": "verified", f"s{signature.pk}-note": "Phoned the office."},
    )
    signature.refresh_from_db()
    assert signature.state == VerificationState.VERIFIED and signature.verified_by == eddie
    assert signature.method == VerificationMethod.EDITOR and signature.note == "Phoned the office."
    client.logout()
    page = client.get("/letters/repeal/").content.decode()
    assert FORM["organisation"] in page and "Phoned the office." not in page


def manage(client, capture, purpose="confirm", **changes):
    data = {"website": FORM["website"], "email": FORM["email"], "purpose": purpose, **changes}
    with capture(execute=True):
        return client.post("/letters/repeal/manage/", data)


def link_token(message) -> str:
    return confirmation_link(message).split("t=")[1]


SAME_ANSWER = "this page says the same either way"


def test_a_lost_link_is_sent_again_and_only_the_newest_works(
    client, smtp, django_capture_on_commit_callbacks
):
    make_letter()
    assert "/letters/repeal/manage/" in client.get("/letters/repeal/").content.decode()
    post_form(client, django_capture_on_commit_callbacks)
    first = link_token(smtp.wait()[0])
    answer = manage(
        client, django_capture_on_commit_callbacks, email="ANNA@memorial-support.example.org"
    )
    assert answer.status_code == 200 and SAME_ANSWER in answer.content.decode()
    second = link_token(smtp.wait(2)[1])
    assert smtp.messages[1]["To"] == FORM["email"] and second != first
    assert client.post("/letters/confirm/", {"t": first}).status_code == 404
    assert client.post("/letters/confirm/", {"t": second}).status_code == 200
    assert Signature.objects.get().state == VerificationState.VERIFIED
    # Nothing pending any more: the same answer, and no mail.
    again = manage(client, django_capture_on_commit_callbacks)
    assert SAME_ANSWER in again.content.decode()
    assert len(smtp.wait(3, seconds=1)) == 2


def test_asking_for_someone_elses_link_says_the_same_and_sends_nothing(
    client, smtp, django_capture_on_commit_callbacks
):
    make_letter()
    post_form(client, django_capture_on_commit_callbacks)
    smtp.wait()
    strangers = [
        {"email": "boss@memorial-support.example.org"},
        {"website": "https://other.example.org"},
        {"purpose": "withdraw", "email": "eve@memorial-support.example.org"},
    ]
    for changes in strangers:
        answer = manage(client, django_capture_on_commit_callbacks, **changes)
        assert answer.status_code == 200 and SAME_ANSWER in answer.content.decode()
    assert len(smtp.wait(2, seconds=1)) == 1
    bad = manage(client, django_capture_on_commit_callbacks, purpose="delete-everything")
    assert bad.status_code == 400


def test_mails_are_capped_per_signature_and_day_and_pending_ones_per_organisation(
    client, smtp, django_capture_on_commit_callbacks
):
    make_letter()
    post_form(client, django_capture_on_commit_callbacks)
    for _ in range(signing.MAILS_PER_DAY + 2):
        manage(client, django_capture_on_commit_callbacks)
    assert len(smtp.wait(signing.MAILS_PER_DAY + 1, seconds=2)) == signing.MAILS_PER_DAY
    # The same address cannot sign again while its signature waits: it asks for the link.
    twice = post_form(client, django_capture_on_commit_callbacks)
    assert twice.status_code == 400 and "Manage a signature" in twice.content.decode()
    for number in range(signing.PENDING_PER_DOMAIN - 1):
        post_form(client, django_capture_on_commit_callbacks,
                  email=f"person{number}@memorial-support.example.org")  # fmt: skip
    assert Signature.objects.count() == signing.PENDING_PER_DOMAIN
    refused = post_form(client, django_capture_on_commit_callbacks,
                        email="one-more@memorial-support.example.org")  # fmt: skip
    assert refused.status_code == 400 and "Too many signatures" in refused.content.decode()
    assert Signature.objects.count() == signing.PENDING_PER_DOMAIN


def test_an_organisation_withdraws_its_signature_by_a_mailed_link(
    client, smtp, django_capture_on_commit_callbacks
):
    letter = make_letter()
    post_form(client, django_capture_on_commit_callbacks)
    client.post("/letters/confirm/", {"t": link_token(smtp.wait()[0])})
    assert FORM["organisation"] in client.get("/letters/repeal/").content.decode()
    manage(client, django_capture_on_commit_callbacks, purpose="withdraw")
    message = smtp.wait(2)[1]
    assert "Withdraw your signature" in message["Subject"]
    token = link_token(message)
    page = client.get("/letters/confirm/", {"t": token}).content.decode()
    assert "Withdraw the signature" in page and FORM["organisation"] not in page
    assert Signature.objects.get().state == VerificationState.VERIFIED  # GET only
    done = client.post("/letters/confirm/", {"t": token})
    assert done.status_code == 200 and "Signature withdrawn" in done.content.decode()
    assert Signature.objects.get().state == VerificationState.WITHDRAWN
    assert FORM["organisation"] not in client.get("/letters/repeal/").content.decode()
    assert not letter.counted().exists()
    assert client.post("/letters/confirm/", {"t": token}).status_code == 404


def test_no_withdrawal_once_the_letter_was_delivered(
    client, smtp, django_capture_on_commit_callbacks
):
    letter = make_letter()
    signed(letter)
    manage(client, django_capture_on_commit_callbacks, purpose="withdraw")
    token = link_token(smtp.wait()[0])
    record_delivery(letter, letter.versions.first(), datetime.date(2026, 2, 1), "X", "post")
    assert client.post("/letters/confirm/", {"t": token}).status_code == 404
    manage(client, django_capture_on_commit_callbacks, purpose="withdraw")
    assert len(smtp.wait(2, seconds=1)) == 1
    assert Signature.objects.get().state == VerificationState.VERIFIED


def test_an_editor_records_a_withdrawal_asked_for_by_other_means(client):
    letter = make_letter()
    signature = signed(letter, email="anna@gmail.com")
    sign_in(client, make_user("eddie", "editor"))
    client.post(
        f"/letters/staff/signatures/{signature.pk}/decide/",
        {f"s{signature.pk}-decision": "withdrawn", f"s{signature.pk}-note": "Asked by phone."},
    )
    signature.refresh_from_db()
    assert signature.state == VerificationState.WITHDRAWN and signature.note == "Asked by phone."
    assert not letter.counted().exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"organisation": ""}, "This field is required"),
        ({"country": "XX"}, "Select a valid choice"),
        ({"country": "EU"}, "Select a valid choice"),
        ({"email": "not an address"}, "Enter a valid email address"),
        ({"website": "javascript:alert(1)"}, "Enter a valid URL"),
        ({"website": "https://localhost/"}, "address of the organisation"),
        ({"display": "shown-everywhere"}, "Select a valid choice"),
        ({"organisation": "x" * 301}, "at most 300 characters"),
    ],
)
def test_bad_input_is_a_400_with_a_message(client, changes, message):
    make_letter()
    response = client.post("/letters/repeal/sign/", {**FORM, **changes})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Signature.objects.exists()


def test_a_closed_missing_or_draft_letter_cannot_be_signed(client):
    letter = make_letter()
    make_letter("draft-letter", open_it=False)
    assert client.post("/letters/nothing/sign/", FORM).status_code == 404
    assert client.get("/letters/draft-letter/").status_code == 404
    assert client.post("/letters/draft-letter/sign/", FORM).status_code == 404
    letter.close_signing()
    closed = client.post("/letters/repeal/sign/", FORM)
    assert closed.status_code == 409 and "not open for signing" in closed.content.decode()
    assert not Signature.objects.exists()


def test_an_organisation_already_verified_cannot_sign_twice(client):
    letter = make_letter()
    signed(letter)
    response = client.post(
        "/letters/repeal/sign/", {**FORM, "website": "https://memorial-support.example.org"}
    )
    assert response.status_code == 400 and "already signed" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# What the public sees


def test_hidden_are_counted_not_named_and_unverified_or_not_counted_are_absent(client):
    letter = make_letter()
    signed(letter, organisation="Named Org", country="DE")
    signed(letter, organisation="Second Named", country="DE", website="https://second.example")
    signed(letter, organisation="Quiet Org", country="FR", display=Display.HIDDEN,
           website="https://quiet.example")  # fmt: skip
    signed(letter, organisation="Uncounted Org", country="FR", display=Display.NOT_COUNTED,
           website="https://uncounted.example")  # fmt: skip
    signed(letter, organisation="Pending Org", country="PL", state=VerificationState.PENDING,
           website="https://pending.example")  # fmt: skip
    signed(letter, organisation="Rejected Org", country="PL", state=VerificationState.REJECTED,
           website="https://rejected.example")  # fmt: skip
    page = client.get("/letters/repeal/").content.decode()
    csv = client.get("/letters/repeal/signatures.csv").content.decode()
    api = client.get("/api/letters/repeal/signatures").json()
    letter_api = client.get("/api/letters/repeal").json()
    outputs = [page, csv, json.dumps(api), json.dumps(letter_api)]
    for absent in ("Quiet Org", "Uncounted Org", "Pending Org", "Rejected Org", "Poland",
                   FORM["email"], FORM["signer_name"], "Director"):  # fmt: skip
        assert all(absent not in output for output in outputs), absent
    assert "Named Org" in page and "Second Named" in page and "Named Org" in csv
    assert "3 verified signatures" in page and "1 organisation asked not to be named" in page
    assert [r["organisation"] for r in api["results"]] == ["Named Org", "Second Named"]
    assert letter_api["signatures_counted"] == 3 and letter_api["signatures_hidden"] == 1
    assert [(c["country"], c["count"]) for c in letter_api["by_country"]] == [("DE", 2), ("FR", 1)]
    assert letter_api["versions"][0]["sha256"] == hashlib.sha256(EN_TEXT.encode()).hexdigest()
    # The chart is drawn on the server: one bar per country, the largest full width.
    assert page.count("<rect ") == 2 and 'width="400"' in page and 'width="200"' in page
    assert "<script" not in page
    ru = client.get("/ru/letters/repeal/").content.decode()
    assert "Франция" in ru and "Германия" in ru and "Подписи по странам" in ru


def test_the_csv_of_signatures_is_spreadsheet_safe(client):
    letter = make_letter()
    signed(letter, organisation='=HYPERLINK("http://evil.example","x")')
    csv = client.get("/letters/repeal/signatures.csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0] == "organisation,country,country_name,website,verified_on"
    assert "'=HYPERLINK" in csv


def test_the_cli_exports_the_public_signatures(tmp_path):
    letter = make_letter()
    signed(letter, organisation="Named Org")
    signed(letter, organisation="Quiet Org", display=Display.HIDDEN, website="https://q.example")
    for fmt in ("csv", "jsonl"):
        out = tmp_path / f"out.{fmt}"
        call_command("letters", "export", "repeal", "--format", fmt, "--output", str(out))
        text = out.read_text(encoding="utf-8")
        assert "Named Org" in text and "Quiet Org" not in text and "anna@" not in text
    event = AuditEvent.objects.filter(details__kind="letter-signatures").latest("seq")
    assert event.details["params"]["letter"] == "repeal"
    assert event.details["params"]["format"] == "jsonl"
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert rows[0]["country"] == "DE" and rows[0]["country_name"] == "Germany"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No public letter"):
        call_command("letters", "export", "nothing", stdout=io.StringIO())


# ---------------------------------------------------------------------------------------------
# Delivery


def test_delivery_keeps_a_deterministic_pdf_whose_hash_is_in_the_audit_log(client):
    letter = make_letter()
    signed(letter, organisation="Named Org")
    signed(letter, organisation="Quiet Org", display=Display.HIDDEN, website="https://q.example")
    version = letter.versions.get(language="ru")
    day = datetime.date(2026, 2, 1)
    eddie = make_user("eddie", "editor")
    first = render_pdf(letter, version, day, "Администрация президента", "in_person")
    assert first == render_pdf(letter, version, day, "Администрация президента", "in_person")
    assert first.startswith(b"%PDF")
    delivery = record_delivery(letter, version, day, "Администрация президента", "in_person",
                               "Handed over by Olga", eddie)  # fmt: skip
    assert bytes(delivery.pdf) == first
    assert delivery.pdf_sha256 == hashlib.sha256(first).hexdigest()
    event = AuditEvent.objects.filter(action="export", details__kind="letter-delivery").latest(
        "seq"
    )
    assert event.details["params"]["sha256"] == delivery.pdf_sha256 and event.user_id == eddie.pk

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(first)).pages)
    assert (
        "Named Org" in text and "Quiet Org" not in text and version.sha256 in text.replace("\n", "")
    )
    assert "anna@" not in text and "Anna Signer" not in text

    letter.refresh_from_db()
    assert letter.status == "delivered"
    page = client.get("/letters/repeal/").content.decode()
    assert delivery.pdf_sha256 in page and "Handed over by Olga" not in page
    pdf = client.get(f"/letters/repeal/deliveries/{delivery.pk}.pdf")
    assert hashlib.sha256(pdf.content).hexdigest() == delivery.pdf_sha256
    assert client.get("/letters/repeal/deliveries/999999.pdf").status_code == 404


def test_a_draft_cannot_be_delivered():
    letter = make_letter(open_it=False)
    with pytest.raises(LetterError):
        record_delivery(letter, letter.versions.first(), datetime.date(2026, 2, 1), "X", "post")


# ---------------------------------------------------------------------------------------------
# Staff pages


def test_an_editor_writes_opens_delivers_and_records_a_reply_through_the_pages(client, settings):
    eddie = make_user("eddie", "editor")
    sign_in(client, eddie)
    today = timezone.localdate()
    created = client.post("/letters/staff/", {
        "slug": "appeal", "addressees": "The Duma", "signing_opens": today,
        "signing_closes": today + datetime.timedelta(days=3), "delivery_date": today,
    })  # fmt: skip
    assert created.status_code == 302
    bad = client.post("/letters/staff/", {"slug": "staff", "addressees": "x",
                                          "signing_opens": today, "signing_closes": today,
                                          "delivery_date": today})  # fmt: skip
    assert bad.status_code == 400 and "taken by a page" in bad.content.decode()
    base = "/letters/staff/appeal/"
    unknown = client.post(base + "versions/", {"language": "zz", "title": "T", "text": "x"})
    assert unknown.status_code == 400 and "Unknown language code" in unknown.content.decode()
    client.post(base + "versions/", {"language": "en", "title": "Appeal", "text": "Free them."})
    assert client.post(base + "move/", {"to": "open"}).status_code == 302
    late = client.post(base + "versions/", {"language": "de", "title": "T", "text": "x"})
    assert late.status_code == 400 and "no version can be added" in late.content.decode()
    assert client.post(base + "move/", {"to": "open"}).status_code == 400
    version = LetterVersion.objects.get(letter__slug="appeal")
    delivered = client.post(base + "deliveries/", {
        "version": version.pk, "delivered_on": today, "recipient": "The Duma's office",
        "channel": "post", "note": "",
    })  # fmt: skip
    assert delivered.status_code == 302
    delivery = version.letter.deliveries.get()
    client.post(f"/letters/staff/deliveries/{delivery.pk}/replies/", {
        "received_on": today, "sender": "The Duma's office", "summary": "Received, no answer.",
        "note": "internal",
    })  # fmt: skip
    assert client.post(f"/letters/staff/deliveries/{delivery.pk}/replies/", {}).status_code == 400
    client.logout()
    page = client.get("/letters/appeal/").content.decode()
    assert "Received, no answer." in page and "The Duma&#x27;s office" in page
    assert "internal" not in page.split("<main>")[1]


def test_only_editors_use_the_staff_pages_and_signer_reads_are_audited(client):
    letter = make_letter()
    signature = signed(letter, state=VerificationState.PENDING)
    assert client.get("/letters/staff/").status_code == 302  # to the sign-in page
    for name, role in (("carol", "contributor"), ("rita", "researcher")):
        sign_in(client, make_user(name, role))
        for url in ("/letters/staff/", "/letters/staff/repeal/"):
            assert client.get(url).status_code == 403
        decide = client.post(f"/letters/staff/signatures/{signature.pk}/decide/",
                             {f"s{signature.pk}-decision": "verified",
                              f"s{signature.pk}-note": "x"})  # fmt: skip
        assert decide.status_code == 403
    assert Signature.objects.get(pk=signature.pk).state == VerificationState.PENDING
    eddie = make_user("eddie", "editor")
    sign_in(client, eddie)
    page = client.get("/letters/staff/repeal/").content.decode()
    assert FORM["email"] in page and FORM["signer_name"] in page
    read = AuditEvent.objects.filter(action="read", model="letters.Signature").latest("seq")
    assert read.user_id == eddie.pk and read.object_id == str(signature.pk)
    assert set(read.details["fields"]) == {"signer_name", "signer_role", "email"}
    listing = client.get("/letters/staff/").content.decode()
    assert "repeal" in listing


# ---------------------------------------------------------------------------------------------
# Mail settings


def test_the_mail_url_gives_djangos_mail_settings(tmp_path):
    smtp_settings = parse_email_url("smtp://user:p%40ss@mail.example.org:2525?tls=1", tmp_path)
    assert smtp_settings["EMAIL_HOST"] == "mail.example.org"
    assert smtp_settings["EMAIL_PORT"] == 2525 and smtp_settings["EMAIL_USE_TLS"]
    assert smtp_settings["EMAIL_HOST_PASSWORD"] == "p@ss" and not smtp_settings["EMAIL_USE_SSL"]
    tls = parse_email_url("smtps://mail.example.org", tmp_path)
    assert tls["EMAIL_PORT"] == 465 and tls["EMAIL_USE_SSL"] and not tls["EMAIL_USE_TLS"]
    files = parse_email_url("file:///var/mail/civwatch", tmp_path)
    assert files["EMAIL_FILE_PATH"] == "/var/mail/civwatch"
    assert "filebased" in files["EMAIL_BACKEND"]
    default = parse_email_url("", tmp_path)
    assert Path(default["EMAIL_FILE_PATH"]) == tmp_path / "mail"
    for bad in ("http://mail.example.org", "smtp://", "smtp://host:port", "file://host/x"):
        with pytest.raises(ImproperlyConfigured, match="CIVWATCH_EMAIL_URL"):
            parse_email_url(bad, tmp_path)


def test_an_editor_rejects_a_verified_signature_and_it_leaves_the_public_page(client):
    """A link proves control of the domain shown, not that the name belongs to it: editors
    can take back a signature somebody verified from a look-alike domain."""
    letter = make_letter()
    signature = signed(letter, organisation="Amnesty Look-alike")
    assert "Amnesty Look-alike" in client.get("/letters/repeal/").content.decode()
    sign_in(client, make_user("eddie", "editor"))
    prefix = f"s{signature.pk}"
    client.post(
        f"/letters/staff/signatures/{signature.pk}/decide/",
        {f"{prefix}-decision": "rejected", f"{prefix}-note": "Domain registered last week."},
    )
    signature.refresh_from_db()
    assert signature.state == VerificationState.REJECTED
    client.logout()
    assert "Amnesty Look-alike" not in client.get("/letters/repeal/").content.decode()
