"""People forced abroad (civwatch.exiles): need-to-know access, audit of every read,
crypto-shredding erasure that old backups cannot undo, retention, the subject's export, the
staff pages and the public aggregates."""

import datetime
import io
import json
import os
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from civwatch.accounts import permissions
from civwatch.core.backup import new_key
from civwatch.core.models import AuditEvent
from civwatch.exiles import keystore, records
from civwatch.exiles.alerts import alert_escalations
from civwatch.exiles.models import Consent, ExileFile, HelpRequest, SupportAction
from tests.auth_helpers import sign_in
from tests.letters_data import smtp_server  # noqa: F401 (fixture)
from tests.processes import civwatch, empty_home  # noqa: F401 (fixture)
from tests.test_backup import files
from tests.test_cases import make_user

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 3, 1)
MARK = "ZZEXILE"


@pytest.fixture(autouse=True)
def key_store(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CIVWATCH_EXILE_KEYS = tmp_path / "exile-keys"
    keystore.forget_cache()
    yield tmp_path / "exile-keys"
    keystore.forget_cache()


def make_file(caseworker=None, label="one", **fields) -> ExileFile:
    record = ExileFile(
        country=fields.pop("country", "GE"),
        stay_status=fields.pop("stay_status", "asylum_application"),
        created_by=caseworker,
        **fields,
    )
    record.name = f"{MARK}-name-{label}"
    record.contact = f"{MARK}-contact-{label}"
    record.city = f"{MARK}-city-{label}"
    record.needs = f"{MARK}-needs-{label}"
    record.notes = f"{MARK}-notes-{label}"
    record.save()
    if caseworker is not None:
        record.assignees.add(caseworker)
    action = SupportAction(file=record, kind="grant", amount="1500.00", currency="EUR",
                           decided_by=caseworker, decided_on=DAY)  # fmt: skip
    action.description = f"{MARK}-description-{label}"
    action.outcome = f"{MARK}-outcome-{label}"
    action.save()
    consent = Consent(file=record, method="signed", given_on=DAY)
    consent.scope = f"{MARK}-scope-{label}"
    consent.purposes = ["support", "statistics"]
    consent.save()
    return record


def marked_exile_file(marker: str, caseworker=None) -> ExileFile:
    """A file, a support action and a consent with `marker` in every value stored under the
    file's key (the marker crawls of test_visibility and test_access_policy use it)."""
    record = ExileFile(country="GE", stay_status="visa", review_on=DAY)
    for name in ExileFile.SHREDDED:
        setattr(record, name, f"{marker}-exile-{name}")
    record.save()
    if caseworker is not None:
        record.assignees.add(caseworker)
    action = SupportAction(file=record, kind="relocation", decided_on=DAY)
    consent = Consent(file=record, method="oral", given_on=DAY)
    # A helpline request the same caseworker took.
    call = HelpRequest(channel="signal", assigned_to=caseworker)
    for part in (action, consent, call):
        for name in type(part).SHREDDED:
            setattr(part, name, f"{marker}-exile-{name}")
        part.save()
    return record


def test_every_value_under_the_files_key_is_marked_by_the_crawls():
    """The crawls mark the SHREDDED attributes: a new encrypted column must be listed."""
    for model in (ExileFile, SupportAction, Consent, HelpRequest):
        sealed = {f.name for f in model._meta.concrete_fields if f.name.endswith("_sealed")}
        assert {getattr(model, name).column for name in model.SHREDDED} == sealed, model


def reads_of(record) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(action="read", model="exiles.ExileFile", object_id=str(record.pk))
        .order_by("seq")
        .values_list("user_id", flat=True)
    )


def test_values_are_encrypted_under_the_files_own_key(key_store):
    record = make_file()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name_sealed, city_sealed FROM exiles_exilefile")
        stored = cursor.fetchone()
    assert all(value.startswith("cw1.") and MARK not in value for value in stored)
    again = ExileFile.objects.get(pk=record.pk)
    assert again.name == f"{MARK}-name-one" and again.consents.get().purposes == [
        "support",
        "statistics",
    ]
    assert list(key_store.iterdir()) == [key_store / f"{record.key_ref}.key"]
    assert MARK.encode() not in (key_store / f"{record.key_ref}.key").read_bytes()


def test_only_assigned_caseworkers_and_admins_read_a_file(client):
    carol = make_user("carol", "contributor")
    eddie = make_user("eddie", "editor")
    anna = make_user("anna", "admin")
    record = make_file(carol)
    assert list(permissions.readable_exile_files(carol)) == [record]
    assert list(permissions.readable_exile_files(anna)) == [record]
    assert not permissions.readable_exile_files(eddie).exists()
    assert not permissions.readable_exile_files(None).exists()

    url = f"/staff/exiles/{record.pk}/"
    sign_in(client, eddie)
    assert client.get(url).status_code == 404
    assert client.get("/staff/exiles/999999/").status_code == 404
    assert client.get(f"/api/exiles/files/{2**64}").status_code == 422
    assert MARK.encode() not in client.get("/staff/exiles/").content
    assert reads_of(record) == []

    sign_in(client, carol)
    page = client.get(url).content.decode()
    assert f"{MARK}-name-one" in page and f"{MARK}-outcome-one" in page
    assert f"{MARK}-scope-one" in page
    assert reads_of(record) == [carol.pk]
    sign_in(client, anna)
    assert client.get(url).status_code == 200
    assert reads_of(record) == [carol.pk, anna.pk]


@pytest.mark.django_db(transaction=True)
def test_erasure_is_refused_on_legal_hold_and_survives_no_backup(
    client,
    key_store,
    empty_home,  # noqa: F811
    monkeypatch,
    settings,
):
    backup_key = new_key()
    monkeypatch.setenv("CIVWATCH_BACKUP_KEY", backup_key)
    carol = make_user("carol", "contributor")
    gone = make_file(carol, "gone")
    kept = make_file(carol, "kept")
    home = key_store.parent
    archive = home / "before.backup"
    call_command("backup", "--output", str(archive), stdout=io.StringIO())

    gone.legal_hold = True
    gone.save()
    with pytest.raises(CommandError, match="legal hold"):
        call_command("exiles", "erase", str(gone.pk))
    assert ExileFile.objects.filter(pk=gone.pk).exists()
    gone.legal_hold = False
    gone.save()
    out = io.StringIO()
    call_command("exiles", "erase", str(gone.pk), stdout=out)
    assert "erased" in out.getvalue()
    assert not ExileFile.objects.filter(pk=gone.pk).exists()
    assert not SupportAction.objects.filter(file_id=gone.pk).exists()
    assert not (key_store / f"{gone.key_ref}.key").exists()
    with pytest.raises(CommandError, match="no exile file"):
        call_command("exiles", "erase", str(gone.pk))

    # No plaintext in the database file, the media folder or the backup archive.
    for name, data in files(home).items():
        assert MARK.encode() not in data, name

    # The old backup restored into an empty home, with the key store as it is now (its own
    # replication): the kept file reads, the erased one does not, however it is asked.
    target, env = empty_home
    env = {**env, "CIVWATCH_BACKUP_KEY": backup_key}
    restored = civwatch(env, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    shutil.copytree(key_store, target / "exile-keys")
    script = (
        "import json\nfrom civwatch.exiles.models import ExileFile\n"
        "from civwatch.exiles.keystore import KeyErased\nout = {}\n"
        "for f in ExileFile.objects.all():\n"
        "    try:\n        out[f.pk] = [f.name, f.notes, f.supportactions.get().outcome]\n"
        "    except KeyErased as e:\n        out[f.pk] = str(e)\n"
        "print(json.dumps(out))"
    )
    after = civwatch(env, "shell", "--no-imports", "-c", script)
    assert after.returncode == 0, after.stderr
    found = json.loads(after.stdout)
    assert found[str(kept.pk)] == [
        f"{MARK}-name-kept",
        f"{MARK}-notes-kept",
        f"{MARK}-outcome-kept",
    ]
    assert "erased" in found[str(gone.pk)]
    # The database as restored holds the erased file's rows, but only as ciphertext.
    db = target / "civwatch.sqlite3"
    if db.exists():
        assert MARK.encode() not in db.read_bytes()
    # `purge` in the restored home removes the rows whose key is gone.
    purged = civwatch(env, "exiles", "purge")
    assert purged.returncode == 0, purged.stderr
    assert "1 rows without a key removed" in purged.stdout


def test_closing_schedules_erasure_and_purge_spares_legal_hold(settings):
    settings.CIVWATCH_EXILE_RETENTION_DAYS = 30
    due, held, recent = make_file(label="due"), make_file(label="held"), make_file(label="new")
    for record, closed in ((due, DAY), (held, DAY), (recent, datetime.date.today())):
        record.close(closed)
        record.save()
    held.legal_hold = True
    held.save()
    assert due.erase_after == DAY + datetime.timedelta(days=30)
    report = records.purge()
    assert report.erased == [due.pk] and report.held == [held.pk]
    assert set(ExileFile.objects.values_list("pk", flat=True)) == {held.pk, recent.pk}


def test_the_subject_export_holds_the_whole_file(tmp_path):
    record = make_file(label="me")
    output = tmp_path / "subject.json"
    call_command("exiles", "export-subject", str(record.pk), "--output", str(output),
                 stdout=io.StringIO())  # fmt: skip
    data = json.loads(output.read_text())
    assert data["name"] == f"{MARK}-name-me" and data["city"] == f"{MARK}-city-me"
    assert data["support"][0]["amount"] == "1500.00" and data["support"][0]["currency"] == "EUR"
    assert data["consents"][0]["purposes"] == ["support", "statistics"]
    assert AuditEvent.objects.filter(action="export", details__kind="exile-subject").exists()
    assert reads_of(record) == [None]
    for bad in ("x1", str(2**64)):
        with pytest.raises(CommandError, match="not an exile file number"):
            call_command("exiles", "export-subject", bad, "--output", str(output))
    with pytest.raises(CommandError, match="no exile file"):
        call_command("exiles", "export-subject", "999999", "--output", str(output))
    pdf = tmp_path / "subject.pdf"
    call_command("exiles", "export-subject", str(record.pk), "--output", str(pdf),
                 "--format", "pdf", stdout=io.StringIO())  # fmt: skip
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert f"{MARK}-name-me" in text and f"{MARK}-scope-me" in text  # (table cells wrap)


def test_a_caseworker_adds_support_and_consent_through_the_pages(client):
    from tests.test_cases import make_incident

    carol, dan = make_user("carol", "contributor"), make_user("dan", "contributor")
    eddie = make_user("eddie", "editor")
    own = make_incident(carol, title="Search of Anna's flat")
    secret = make_incident(eddie, title="Confidential search", visibility="confidential")
    sign_in(client, carol)
    unreadable = {"name": "Anna K.", "country": "GE", "stay_status": "visa",
                  "incidents": str(secret.pk)}  # fmt: skip
    assert client.post("/staff/exiles/", unreadable).status_code == 404
    assert not ExileFile.objects.exists()
    bad = {**unreadable, "incidents": "1; DROP"}
    assert client.post("/staff/exiles/", bad).status_code == 400
    page = client.post(
        "/staff/exiles/",
        {
            "name": "Anna K.",
            "country": "ge",
            "stay_status": "visa",
            "review_on": "2020-01-01",
            "incidents": str(own.pk),
        },
    )
    assert page.status_code == 302
    record = ExileFile.objects.get()
    assert record.country == "GE" and list(record.assignees.all()) == [carol]
    assert list(record.incidents.all()) == [own]
    base = f"/staff/exiles/{record.pk}/"
    bad = client.post(base + "support/", {"kind": "grant", "amount": "100", "decided_on": DAY})
    assert bad.status_code == 400 and b"currency" in bad.content
    assert client.post(base + "support/", {"kind": "nonsense"}).status_code == 400
    done = client.post(
        base + "support/",
        {"kind": "grant", "amount": "100", "currency": "eur", "decided_on": DAY, "outcome": "paid"},
    )
    assert done.status_code == 302
    assert (
        client.post(
            base + "consents/",
            {"scope": "Keep my file", "purposes": ["support"], "method": "signed", "given_on": DAY},
        ).status_code
        == 302
    )
    bad = client.post(
        base + "consents/", {"scope": "x", "purposes": ["sell"], "method": "oral", "given_on": DAY}
    )
    assert bad.status_code == 400
    page = client.get(base).content.decode()
    assert "Anna K." in page and "100.00 EUR" in page and "Keep my file" in page
    assert "paid" in page and "overdue" in page
    assert f"/cases/staff/incidents/{own.pk}/" in page
    pdf = client.get(base + "subject.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # The account page lists the overdue review by number only.
    home = client.get("/accounts/").content.decode()
    assert f"File #{record.pk}" in home and "Anna K." not in home
    # Caseworkers are assigned by admins only.
    assert client.post(base + "caseworkers/", {"username": "dan"}).status_code == 403
    assert client.post(base + "state/", {"move": "hold"}).status_code == 403
    assert client.post(base + "state/", {"move": "fly"}).status_code == 400
    sign_in(client, dan)
    for url in (base, base + "edit/", base + "subject.json", base + "subject.pdf",
                f"/api/exiles/files/{record.pk}"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(base + "support/", {"kind": "grant", "decided_on": DAY}).status_code == 404
    assert SupportAction.objects.count() == 1
    anna = make_user("anna", "admin")
    sign_in(client, anna)
    assert client.post(base + "caseworkers/", {"username": "dan"}).status_code == 302
    assert client.post(base + "caseworkers/", {"username": "nobody"}).status_code == 400
    sign_in(client, dan)
    assert client.get(base).status_code == 200
    assert client.get(f"/api/exiles/files/{record.pk}").json()["name"] == "Anna K."
    bad_token = {"Authorization": "Bearer nonsense"}
    assert client.get(f"/api/exiles/files/{record.pk}", headers=bad_token).status_code == 401
    assert reads_of(record)[-2:] == [dan.pk, dan.pk]


def test_public_figures_suppress_small_counts(client, settings):
    settings.CIVWATCH_SUPPRESSION_THRESHOLD = 3
    for i in range(3):
        make_file(label=f"ge{i}", country="GE")
    make_file(label="am", country="AM")
    data = client.get("/api/exiles/figures").json()
    rows = {(r["country"], r["year"]): r["count"] for r in data["people_per_country_year"]}
    assert rows == {("AM", 2025): None, ("GE", 2025): 3}
    assert {(r["kind"], r["count"]) for r in data["people_per_kind_year"]} == {("grant", 4)}
    for url in ("/support-abroad/", "/ru/support-abroad/"):
        page = client.get(url).content.decode()
        assert MARK not in page and "AM" in page
    assert "fewer than 3" in client.get("/support-abroad/").content.decode()
    assert "меньше 3" in client.get("/ru/support-abroad/").content.decode()


def test_keys_rotate_rewraps_the_per_file_keys(monkeypatch, key_store):
    import os

    from civwatch.core import crypto
    from tests.test_encryption import OTHER_KEY

    record = make_file(label="rot")
    path = key_store / f"{record.key_ref}.key"
    before = path.read_bytes()
    monkeypatch.setenv(crypto.OLD_KEYS_VARIABLE, os.environ[crypto.KEY_VARIABLE])
    monkeypatch.setenv(crypto.KEY_VARIABLE, OTHER_KEY)
    crypto.reset_keyring()
    try:
        call_command("keys", "rotate", stdout=io.StringIO())
        after = path.read_bytes()
        assert after[4:12] != before[4:12] and after[4:12].hex() == crypto.keyring().current_id
        monkeypatch.delenv(crypto.OLD_KEYS_VARIABLE)
        crypto.reset_keyring()
        keystore.forget_cache()
        assert ExileFile.objects.get(pk=record.pk).name == f"{MARK}-name-rot"
    finally:
        monkeypatch.undo()
        crypto.reset_keyring()
        keystore.forget_cache()


def test_a_file_whose_key_is_gone_shows_as_erased_and_purge_guards_a_missing_store(
    client, key_store
):
    """Rows brought back by restoring an old backup, their key destroyed: no page fails."""
    carol = make_user("carol", "contributor")
    record = make_file(carol, "lost")
    other = make_file(carol, "other")
    keystore.destroy(record.key_ref)
    sign_in(client, carol)
    page = client.get(f"/staff/exiles/{record.pk}/")
    assert page.status_code == 200 and b"This file was erased" in page.content
    listing = client.get("/staff/exiles/").content.decode()
    assert "(erased)" in listing and f"{MARK}-name-other" in listing
    base = f"/staff/exiles/{record.pk}/"
    assert client.post(base + "support/", {"kind": "grant", "decided_on": DAY}).status_code == 410
    assert client.get(base + "edit/").status_code == 410
    assert client.get(base + "subject.json").status_code == 410
    assert client.get(f"/api/exiles/files/{record.pk}").json()["name"] == ""
    # A key store that is not there (not mounted) is not a mass erasure.
    keystore.destroy(other.key_ref)
    with pytest.raises(CommandError, match="holds no keys"):
        call_command("exiles", "purge")
    assert ExileFile.objects.count() == 2


def test_the_helpline_queue_acknowledges_escalates_and_keeps_need_to_know(client, settings):
    settings.CIVWATCH_HELPLINE_ACK_MINUTES = 120
    settings.CIVWATCH_HELPLINE_ESCALATE_MINUTES = 60
    settings.CIVWATCH_HELPLINE_ESCALATE_AGAIN_MINUTES = 90
    carol, dan = make_user("carol", "contributor"), make_user("dan", "contributor")
    eddie, anna = make_user("eddie", "editor"), make_user("anna", "admin")
    sign_in(client, carol)
    assert client.post("/staff/helpline/", {"channel": "pigeon", "summary": "x"}).status_code == 400
    done = client.post(
        "/staff/helpline/",
        {"channel": "signal", "summary": f"{MARK} needs a lawyer", "contact": "@anna"},
    )
    assert done.status_code == 302
    record = HelpRequest.objects.get()
    assert record.assigned_to == carol and record.state == "new"
    now = record.received_at
    minutes = datetime.timedelta(minutes=1)
    assert record.escalation(now + 59 * minutes) == 0
    assert record.escalation(now + 60 * minutes) == 1
    assert record.escalation(now + 95 * minutes) == 2
    assert not record.acknowledgement_late(now + 119 * minutes)
    assert record.acknowledgement_late(now + 121 * minutes)
    # Received 70 minutes ago and still unanswered: the queue shows level 1.
    HelpRequest.objects.filter(pk=record.pk).update(received_at=now - 70 * minutes)
    queue = client.get("/staff/helpline/").content.decode()
    assert "level 1" in queue and MARK not in queue  # the queue names no one
    url = f"/staff/helpline/{record.pk}/"
    assert f"{MARK} needs a lawyer" in client.get(url).content.decode()
    assert client.post(url, {"move": "acknowledge"}).status_code == 302
    assert client.post(url, {"move": "acknowledge"}).status_code == 400
    assert client.post(url, {"move": "assign", "username": "dan"}).status_code == 403
    assert client.post(url, {"move": "answer"}).status_code == 302
    record.refresh_from_db()
    assert record.state == "answered" and record.escalation() == 0
    for other in (dan, eddie):
        sign_in(client, other)
        assert client.get(url).status_code == 404
        assert client.post(url, {"move": "close"}).status_code == 404
        assert MARK not in client.get("/staff/helpline/").content.decode()
    sign_in(client, anna)
    assert client.post(url, {"move": "assign", "username": "dan"}).status_code == 302
    sign_in(client, dan)
    assert client.get(url).status_code == 200
    readers = AuditEvent.objects.filter(
        action="read", model="exiles.HelpRequest", object_id=str(record.pk)
    ).values_list("user_id", flat=True)
    assert set(readers) == {carol.pk, anna.pk, dan.pk}


def help_request(caseworker, label: str, **fields) -> HelpRequest:
    record = HelpRequest(channel="signal", assigned_to=caseworker, **fields)
    record.summary, record.contact = f"{MARK}-summary-{label}", f"{MARK}-contact-{label}"
    record.save()
    return record


def test_purge_keeps_the_keys_of_helpline_requests(key_store):
    """Files and helpline requests share the key store: purge took a request's key, older than
    a day and named by no file, for a left-over and destroyed it."""
    carol = make_user("carol", "contributor")
    make_file(carol)
    request = help_request(carol, "old")
    two_days_ago = datetime.datetime.now().timestamp() - 2 * 86400
    os.utime(key_store / f"{request.key_ref}.key", (two_days_ago, two_days_ago))
    call_command("exiles", "purge", stdout=io.StringIO())
    keystore.forget_cache()
    assert HelpRequest.objects.get(pk=request.pk).summary == f"{MARK}-summary-old"


def test_closed_helpline_requests_are_erased_after_their_retention(client, settings, key_store):
    settings.CIVWATCH_HELPLINE_RETENTION_DAYS = 90
    carol = make_user("carol", "contributor")
    sign_in(client, carol)
    old, recent, open_one = (help_request(carol, label) for label in ("old", "recent", "open"))
    for record in (old, recent):
        assert client.post(f"/staff/helpline/{record.pk}/", {"move": "close"}).status_code == 302
    recent.refresh_from_db()
    assert recent.state == "closed" and recent.closed_at is not None
    HelpRequest.objects.filter(pk=old.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=91)
    )
    out = io.StringIO()
    call_command("exiles", "purge", stdout=out)
    assert "1 closed helpline requests erased" in out.getvalue()
    assert set(HelpRequest.objects.values_list("pk", flat=True)) == {recent.pk, open_one.pk}
    assert not (key_store / f"{old.key_ref}.key").exists()
    assert (key_store / f"{recent.key_ref}.key").exists()


def test_escalations_are_mailed_once_per_level_and_name_no_one(settings, smtp):
    settings.CIVWATCH_HELPLINE_ESCALATE_MINUTES = 60
    settings.CIVWATCH_HELPLINE_ESCALATE_AGAIN_MINUTES = 90
    carol = make_user("carol", "contributor")
    carol.email = "carol@helpline.example.org"
    carol.save()
    anna = make_user("anna", "admin")
    anna.email = "anna@helpline.example.org"
    anna.save()
    record = help_request(carol, "waiting")
    unassigned = help_request(None, "nobody's")
    minutes = datetime.timedelta(minutes=1)
    start = record.received_at
    assert alert_escalations(start + 30 * minutes) == []
    assert sorted(alert_escalations(start + 61 * minutes)) == sorted(
        [(record.pk, 1), (unassigned.pk, 1)]
    )
    first, second = smtp.wait(2)
    to = {message["To"]: message for message in (first, second)}
    assert set(to) == {carol.email, anna.email}  # the unassigned one goes to the admins
    assert f"#{record.pk}" in to[carol.email]["Subject"]
    assert alert_escalations(start + 62 * minutes) == []  # once per level
    alert_escalations(start + 91 * minutes)
    messages = smtp.wait(4)
    assert len(messages) == 4
    assert {m["To"] for m in messages[2:]} == {f"{carol.email}, {anna.email}", anna.email}
    for message in messages:
        text = message["Subject"] + message.get_content()
        assert MARK not in text and "nobody" not in text and "/staff/helpline/" in text
    HelpRequest.objects.filter(pk=record.pk).update(state="answered")
    assert alert_escalations(start + 500 * minutes) == []
