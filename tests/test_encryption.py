"""Encryption at rest (docs/security.md): a copy of the database or of the media folder
holds no confidential or internal value in plain text, and the keys behave as documented.

Every encrypted field of every model gets a marker (the test fails if a field is added
without one); the database is then dumped (SQLite: iterdump; PostgreSQL: pg_dump of the test
database) and grepped together with the media folder.
"""

import base64
import datetime
import hashlib
import importlib
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from civwatch.accountability.models import Entry, Exculpatory, ReplyRecord
from civwatch.cases.models import Case, Incident, IncidentType, Participant, Position
from civwatch.core import crypto
from civwatch.core.apps import check_master_key
from civwatch.core.records import PendingChange, Revision
from civwatch.entities.models import Entity, EntityName, Identifier, Website, confidential_named
from civwatch.evidence.ingest import add_claim, add_evidence, read_original, read_preview
from civwatch.evidence.models import EvidenceItem
from civwatch.evidence.storage import DamagedFile
from civwatch.intake.models import Article, ArticleMention, ArticleSuggestion
from civwatch.sanctions.models import Link
from tests.auth_helpers import sign_in
from tests.conftest import seed_reference_data
from tests.test_cases import make_user

MARK = "QQCRYPTMARK"
OTHER_KEY = base64.b64encode(hashlib.sha256(b"another key").digest()).decode()


def png_with_marker() -> bytes:
    """A real PNG whose bytes carry the marker (a text chunk)."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", f"{MARK}-png-chunk")
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="PNG", pnginfo=info)
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CIVWATCH_EXILE_KEYS = tmp_path / "exile-keys"  # people abroad (civwatch.exiles)
    yield settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_keyring():
    crypto.reset_keyring()
    yield
    crypto.reset_keyring()


def marked(record, **extra):
    """Every encrypted text field of the record gets a marker naming model and field."""
    for field in crypto.encrypted_fields(type(record)):
        if isinstance(field, crypto.EncryptedJSONField):
            continue
        value = f"{MARK}-{record._meta.model_name}-{field.name}"
        if field.name in {"url"} and record._meta.model_name == "evidenceitem":
            value = f"https://example.org/{value}"
        setattr(record, field.attname, value[: field.max_length] if field.max_length else value)
    for name, value in extra.items():
        setattr(record, name, value)
    return record


def make_records():
    """Records with markers in every encrypted field, confidential and internal, and a
    confidential person known only from the case. Returns a dict of the main records."""
    editor = make_user("erin", "editor")
    person = marked(Entity(id="cw-secretperson", kind=Entity.Kind.PERSON, confidential=True))
    person.name = f"{MARK} Ivanov Ivan Ivanovich"
    person.birth_date = "1970-01-01"
    person.index_names([person.name])
    person.save()
    EntityName.objects.create(entity=person, name=f"{MARK}-alias", kind="alias")
    Identifier.objects.create(entity=person, scheme="inn", value=f"{MARK}-inn"[:64])
    Website.objects.create(entity=person, url=f"https://{MARK}.example.org")
    public = Entity.objects.create(id="ru-public", kind=Entity.Kind.PERSON, name="Public Person")

    case = marked(Case(kind="criminal", visibility="confidential", created_by=editor))
    case.save_with_history(editor, note=f"{MARK}-revision-note")
    incident = marked(
        Incident(
            case=case,
            incident_type=IncidentType.objects.get(code="search"),
            date=datetime.date(2024, 3, 1),
            visibility="internal",
            created_by=editor,
        )
    )
    incident.save_with_history(editor)
    participant = marked(
        Participant(incident=incident, entity=person, role="victim", visibility="confidential")
    )
    participant.save_with_history(editor)
    marked(Position(entity=person, visibility="internal")).save_with_history(editor)

    fields = {
        f.name: getattr(marked(EvidenceItem()), f.name)
        for f in crypto.encrypted_fields(EvidenceItem)
        if f.name not in {"original_name", "derived_text"}
    }
    upload = add_evidence(
        user=editor,
        incident=incident,
        name=f"{MARK}-upload.txt",
        data=f"A statement naming {MARK}-file-content.".encode(),
        obtained_on=datetime.date(2024, 3, 2),
        kind="file",
        visibility="confidential",
        **fields,
    )
    image = add_evidence(
        user=editor,
        incident=incident,
        name="photo.png",
        data=png_with_marker(),
        obtained_on=datetime.date(2024, 3, 2),
        kind="file",
        visibility="internal",
        **fields,
    )
    quote = add_evidence(
        user=editor,
        incident=incident,
        obtained_on=datetime.date(2024, 3, 2),
        kind="quote",
        visibility="internal",
        **fields,
    )
    claim = add_claim(
        incident=incident,
        statement=f"{MARK}-claim-statement",
        author=editor,
        citations=[(upload, f"{MARK}-passage-1"), (quote, f"{MARK}-passage-2")],
        participant=participant,
        visibility="confidential",
    )
    claim.internal_notes = f"{MARK}-claim-internal_notes"
    claim.correction_note = f"{MARK}-claim-correction_note"
    claim.save_with_history(editor)

    # A change of a reviewed record waiting for a second editor holds content too.
    PendingChange.objects.create(
        content_type=ContentType.objects.get_for_model(Incident),
        object_id=str(incident.pk),
        values={"title": f"{MARK}-proposed-title"},
        decision_note=f"{MARK}-decision-note",
    )

    entry = marked(Entry(entity=person, visibility="confidential", created_by=editor))
    entry.save_with_history(editor)
    marked(ReplyRecord(entry=entry, contacted_on=datetime.date(2024, 4, 1))).save()
    marked(Exculpatory(entry=entry)).save()

    Article.objects.create(item=upload, language="en")
    crypto.bulk_create_sealed(
        ArticleMention,
        [marked(ArticleMention(item=upload, start=0, end=5, entity=person, score=0.9))],
    )
    crypto.bulk_create_sealed(
        ArticleSuggestion, [marked(ArticleSuggestion(item=upload, start=0, end=5, schema="P"))]
    )
    link = Link(
        left_dataset="cases",
        left_id=person.pk,
        left_name=person.name,
        left_entity=person,
        right_dataset="registers",
        right_id=public.pk,
        right_name=f"{MARK}-right-name",
        right_entity=public,
        score=0.9,
        explanation={"matched": f"{MARK}-explanation"},
    )
    crypto.bulk_create_sealed(Link, [link])

    # Open letters: the signer's name and e-mail address and the editor's note.
    from civwatch.letters.models import Signature
    from tests.letters_data import make_letter

    marked(Signature(letter=make_letter("marked-letter"), organisation="Org", country="DE",
                     website="https://org.example", display="hidden")).save()  # fmt: skip

    # Citizens' initiatives (civwatch.initiatives).
    from civwatch.initiatives.models import Initiative, Message, SupportAction

    day = datetime.date(2026, 1, 5)
    initiative = marked(
        Initiative(kind="rally", city="Perm", date=day, receipt_hash="0" * 64, submitted_on=day)
    )
    initiative.save()
    marked(Message(initiative=initiative, sender="staff", sent_on=day)).save()
    marked(SupportAction(initiative=initiative, kind="funding", decided_on=day)).save()
    return {
        "editor": editor,
        "person": person,
        "case": case,
        "incident": incident,
        "upload": upload,
        "image": image,
        "link": Link.objects.get(),
    }


def marked_fields() -> set[tuple[str, str]]:
    """(model, field) pairs that hold a marker in the database, read through the ORM."""
    found = set()
    for model, fields in crypto.models_with_encrypted_fields():
        # People abroad (civwatch.exiles): the column holds a token sealed under the file's
        # own key; the model's attribute over it gives the value.
        shredded = {getattr(model, n).column: n for n in getattr(model, "SHREDDED", ())}
        for row in model._base_manager.all():
            for field in fields:
                if MARK in str(getattr(row, shredded.get(field.name, field.attname))):
                    found.add((model._meta.label, field.name))
    return found


def database_dump() -> str:
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    settings = connection.settings_dict
    command = [
        shutil.which("pg_dump") or "pg_dump",
        "--data-only",
        "-h",
        settings["HOST"] or "127.0.0.1",
        "-p",
        str(settings["PORT"] or 5432),
        "-U",
        settings["USER"],
        settings["NAME"],
    ]
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    return subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout


def media_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


# SQLite's iterdump reads the test's own connection, uncommitted rows included; pg_dump is
# another session, so on PostgreSQL the rows must be committed: a transactional test,
# restored afterwards from the serialized copy (on SQLite no flush is needed at all).
@pytest.mark.skipif(POSTGRES, reason="SQLite: see the transactional variant for PostgreSQL")
@pytest.mark.django_db
def test_a_sqlite_dump_and_the_media_folder_hold_no_marker(media):
    dump_and_media_hold_no_marker(media)


@pytest.fixture
def restored_after_flush(django_db_blocker):
    """Set up before transactional_db, so torn down after its flush (which recreates the
    content types under new ids): seed what data migrations seed (role groups, vocabularies)
    and forget the cached content type ids, for whichever test comes next, even one whose
    connection has no serialized copy to restore from (the browser tests')."""
    yield
    with django_db_blocker.unblock():
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
        seed_reference_data()


@pytest.mark.skipif(not POSTGRES, reason="pg_dump needs PostgreSQL")
def test_a_pg_dump_and_the_media_folder_hold_no_marker(
    restored_after_flush, transactional_db, media
):
    dump_and_media_hold_no_marker(media)


def dump_and_media_hold_no_marker(media):
    seed_reference_data()
    records = make_records()
    from tests.test_exiles import marked_exile_file  # people abroad (civwatch.exiles)

    marked_exile_file(MARK)
    # Every encrypted field of every model carries a marker, read back in plain text.
    expected = {
        (model._meta.label, field.name)
        for model, fields in crypto.models_with_encrypted_fields()
        for field in fields
    }
    assert marked_fields() == expected - {("entities.Entity", "birth_date")}  # a date
    dump = database_dump()
    assert "1970-01-01" not in dump
    assert "erin" in dump and "cw-secretperson" in dump  # the dump is real and complete
    assert MARK not in dump
    assert "Ivanov" not in dump
    files = media_bytes(media)
    assert len(files) > 100 and MARK.encode() not in files
    assert b"\x89PNG" not in files and b"file-content" not in files
    # The ORM gives every value back.
    upload = EvidenceItem.objects.get(pk=records["upload"].pk)
    assert upload.original_name == f"{MARK}-upload.txt"
    assert upload.derived_text == f"A statement naming {MARK}-file-content."
    assert read_original(upload).decode() == upload.derived_text
    image = EvidenceItem.objects.get(pk=records["image"].pk)
    assert read_preview(image).startswith(b"\x89PNG")
    assert Entity.objects.get(pk="cw-secretperson").name == f"{MARK} Ivanov Ivan Ivanovich"
    history = Revision.objects.filter(object_id=str(records["case"].pk)).first()
    assert history.changes["title"][1] == f"{MARK}-case-title"
    assert history.note == f"{MARK}-revision-note"
    assert Link.objects.get().explanation == {"matched": f"{MARK}-explanation"}


@pytest.mark.django_db
def test_public_entities_and_links_stay_plain_and_searchable():
    public = Entity.objects.create(id="ru-a", kind=Entity.Kind.PERSON, name="Petrov Petr")
    public.index_names([public.name])
    public.save()
    raw = Entity.objects.filter(pk="ru-a").values_list("name", "search_text").get()
    assert raw[0] == "Petrov Petr" and "petrov" in raw[1]


@pytest.mark.django_db
def test_a_confidential_person_is_found_by_blind_index_only():
    person = Entity(id="cw-x", kind=Entity.Kind.PERSON, name="Сидоров Сидор", confidential=True)
    person.index_names([person.name])
    person.save()
    raw = Entity.objects.filter(pk="cw-x").values_list("name", "search_text", "name_index").get()
    assert raw[0].startswith(crypto.VALUE_PREFIX) and raw[1] == ""
    assert "сидор" not in raw[2].casefold() and "sidor" not in raw[2]
    assert list(confidential_named("Sidorov Sidor")) == [person]  # either script finds it
    assert list(confidential_named("сидоров  СИДОР")) == [person]
    assert not confidential_named("Petrov Petr").exists()


@pytest.mark.django_db
def test_the_staff_form_creates_case_only_people_encrypted(client):
    seed_reference_data()
    editor = make_user("erin", "editor")
    incident = Incident.objects.create(
        incident_type=IncidentType.objects.get(code="search"), title="Search", created_by=editor
    )
    sign_in(client, editor)
    response = client.post(
        reverse("cases:staff_participant_add", args=[incident.pk]),
        {"new_name": "Secretname Victim", "new_kind": "person", "role": "victim",
         "visibility": "confidential"},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:500]
    person = Participant.objects.get().entity
    assert person.confidential and person.name == "Secretname Victim"
    raw = Entity.objects.filter(pk=person.pk).values_list("name", flat=True).get()
    assert "Secretname" not in raw


@pytest.mark.django_db
def test_a_ciphertext_moved_to_another_row_or_column_does_not_decrypt():
    seed_reference_data()
    kind = IncidentType.objects.get(code="search")
    first = Incident.objects.create(incident_type=kind, title="first title", place="first place")
    second = Incident.objects.create(incident_type=kind, title="second title")
    table = Incident._meta.db_table
    select = f"SELECT title FROM {table} WHERE id = %s"  # noqa: S608 (a model's table)
    with connection.cursor() as cursor:
        cursor.execute(select, [first.pk])
        first_title = cursor.fetchone()[0]
        cursor.execute(select, [second.pk])
        second_title = cursor.fetchone()[0]
        for column, value, pk in (
            ("title", second_title, first.pk),
            ("title", first_title, second.pk),
            ("place", first_title, first.pk),
        ):
            cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608
    for pk, name in ((first.pk, "title"), (second.pk, "title"), (first.pk, "place")):
        with pytest.raises(crypto.DecryptionError, match=f"{table}.{name} of row {pk}"):
            getattr(Incident.objects.get(pk=pk), name)


@pytest.mark.django_db
def test_a_swapped_evidence_file_does_not_decrypt(media):
    editor = make_user("erin", "editor")
    items = [
        add_evidence(user=editor, name=f"{n}.txt", data=f"text {n}".encode(), kind="file",
                     title=n, source=n, obtained_how="x", obtained_on=datetime.date(2024, 1, 1))
        for n in ("one", "two")
    ]  # fmt: skip
    paths = [media / i.file_path for i in items]
    paths[0].write_bytes(paths[1].read_bytes())
    with pytest.raises(DamagedFile):
        read_original(items[0])


@pytest.mark.django_db
def test_bulk_writes_and_sql_searches_of_encrypted_fields_are_refused():
    seed_reference_data()
    kind = IncidentType.objects.get(code="search")
    with pytest.raises(TypeError, match=r"Incident\.title is encrypted"), transaction.atomic():
        Incident.objects.bulk_create([Incident(incident_type=kind, title="x")])
    Incident.objects.create(incident_type=kind, title="y")
    with pytest.raises(TypeError, match="change it through save"), transaction.atomic():
        Incident.objects.update(title="plain")
    incident = Incident.objects.get()
    incident.title = "z"
    with pytest.raises(TypeError, match="change it through save"), transaction.atomic():
        Incident.objects.bulk_update([incident], ["title"])
    assert Incident.objects.get().title == "y"
    with pytest.raises(TypeError, match="cannot be compared or searched in SQL"):
        Incident.objects.filter(title__icontains="y").exists()
    assert Incident.objects.filter(description="").exists()  # empty values stay comparable
    [raw] = Incident.objects.values_list("title", flat=True)
    assert raw.startswith(crypto.VALUE_PREFIX)  # values() gives what is stored


@pytest.mark.django_db
def test_rotation_rewraps_every_data_key_and_the_old_key_can_then_go(monkeypatch, media):
    seed_reference_data()
    records = make_records()
    old_id = crypto.keyring().current_id
    before = {
        "title": records["case"].title,
        "person": records["person"].name,
        "original": read_original(records["upload"]),
    }
    old_usage = crypto.key_usage()
    assert set(old_usage) == {old_id}
    monkeypatch.setenv(crypto.OLD_KEYS_VARIABLE, os.environ[crypto.KEY_VARIABLE])
    monkeypatch.setenv(crypto.KEY_VARIABLE, OTHER_KEY)
    crypto.reset_keyring()
    new_id = crypto.keyring().current_id
    out = io.StringIO()
    call_command("keys", "rotate", stdout=out)
    report = out.getvalue()
    assert f"Master key {new_id}: {old_usage[old_id]} values" in report
    assert "3 files re-wrapped" in report and "1 blind indexes recomputed" in report
    assert crypto.key_usage() == {new_id: old_usage[old_id]}
    # Running it again changes nothing.
    out = io.StringIO()
    call_command("keys", "rotate", stdout=out)
    assert f"Master key {new_id}: 0 values in 0 rows" in out.getvalue()
    # The old key removed: everything still reads, the blind index follows the new key.
    monkeypatch.delenv(crypto.OLD_KEYS_VARIABLE)
    crypto.reset_keyring()
    assert Case.objects.get(pk=records["case"].pk).title == before["title"]
    assert Entity.objects.get(pk="cw-secretperson").name == before["person"]
    assert read_original(records["upload"]) == before["original"]
    assert list(confidential_named(before["person"])) == [records["person"]]
    assert all(isinstance(r.changes, dict) for r in Revision.objects.all())
    # The rows changed without model signals; the audit log was told, so it still verifies.
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "audit log intact" in out.getvalue()
    out = io.StringIO()
    call_command("keys", "status", stdout=out)
    assert f"{new_id} (current): {old_usage[old_id]} values" in out.getvalue()


@pytest.mark.django_db
def test_a_wrong_master_key_gives_a_clear_error(monkeypatch):
    seed_reference_data()
    kind = IncidentType.objects.get(code="search")
    pk = Incident.objects.create(incident_type=kind, title="a title").pk
    old_id = crypto.keyring().current_id
    monkeypatch.setenv(crypto.KEY_VARIABLE, OTHER_KEY)
    crypto.reset_keyring()
    with pytest.raises(crypto.DecryptionError) as error:
        Incident.objects.get(pk=pk).title  # noqa: B018
    message = str(error.value)
    assert old_id in message and "CIVWATCH_MASTER_KEY" in message and "a title" not in message
    with pytest.raises(Exception, match="which is not configured"):
        call_command("keys", "rotate")


@pytest.mark.django_db
def test_without_a_key_the_runtime_and_the_migrations_refuse(monkeypatch):
    monkeypatch.delenv(crypto.KEY_VARIABLE)
    monkeypatch.delenv(crypto.KEY_FILE_VARIABLE, raising=False)
    crypto.reset_keyring()
    with pytest.raises(ImproperlyConfigured, match="CIVWATCH_MASTER_KEY_FILE"):
        crypto.keyring()
    [error] = check_master_key()
    assert error.id == "civwatch.E001" and "CIVWATCH_MASTER_KEY" in error.msg
    migration = importlib.import_module("civwatch.entities.migrations.0003_encrypt_case_people")
    with pytest.raises(ImproperlyConfigured, match="CIVWATCH_MASTER_KEY"):
        migration.forward(django_apps, None)
    seed_reference_data()
    with pytest.raises(ImproperlyConfigured, match="CIVWATCH_MASTER_KEY"):
        Incident.objects.create(incident_type=IncidentType.objects.first(), title="x")


@pytest.mark.parametrize("text", ["", "not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_key_is_refused_by_name(text):
    with pytest.raises(ImproperlyConfigured, match="CIVWATCH_MASTER_KEY must hold"):
        crypto.load_keyring({crypto.KEY_VARIABLE: text or " "})


def test_keys_generate_prints_or_writes_a_key_once(tmp_path):
    out = io.StringIO()
    call_command("keys", "generate", stdout=out)
    assert len(base64.b64decode(out.getvalue().strip())) == 32
    path = tmp_path / "keys" / "master.key"
    call_command("keys", "generate", "--file", str(path), stdout=io.StringIO())
    assert path.stat().st_mode & 0o777 == 0o600
    ring = crypto.load_keyring({crypto.KEY_FILE_VARIABLE: str(path)})
    assert ring.current == base64.b64decode(path.read_text())
    with pytest.raises(Exception, match="never overwritten"):
        call_command("keys", "generate", "--file", str(path))
