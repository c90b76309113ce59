"""The tamper-evident audit log: every write, move, export, login and confidential read is an
event in a hash chain; `civwatch audit verify` names what was changed directly in the database."""

import base64
import itertools
import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse

from civwatch.cases.models import Case, Participant
from civwatch.cases.workflow import move
from civwatch.core import audit
from civwatch.core.models import AuditEvent, AuditHead
from civwatch.entities.models import Entity
from civwatch.evidence.ingest import add_claim
from civwatch.registers.models import Designation, Snapshot
from tests.auth_helpers import sign_in
from tests.conftest import FOREIGN_AGENTS
from tests.processes import civwatch, database_url, environment
from tests.test_cases import make_incident, make_user, quote

pytestmark = pytest.mark.django_db

MARKER = "CONFIDENTIAL-MARKER-7Q"


def verify(*args: str) -> tuple[int, str]:
    """Run `civwatch audit verify`: (exit status, everything it printed)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    except SystemExit as exit:
        return exit.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def newest(count: int, **filters) -> list[AuditEvent]:
    """The `count` newest events matching `filters`, oldest first. The log is append-only:
    events committed by other modules (their imported history, exports) may be in it too."""
    return list(AuditEvent.objects.filter(**filters).order_by("-seq")[:count])[::-1]


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def documented():
    """A confidential incident with a participant, evidence, a claim, moved through review."""
    author, editor = make_user("carol", "contributor"), make_user("eddie", "editor")
    incident = make_incident(author, title=f"Search {MARKER}", visibility="confidential")
    judge = Entity.objects.create(id="cw-judge", kind="person", name=f"Judge {MARKER}")
    witness = Entity.objects.create(id="cw-witness", kind="person", name=f"Witness {MARKER}")
    participant = Participant(incident=incident, entity=judge, role="judge", visibility="public")
    participant.save_with_history(author)
    bystander = Participant(incident=incident, entity=witness, role="witness")
    bystander.save_with_history(author)
    first = quote(author, incident, "Memorial", text=f"quoted {MARKER}")
    second = quote(author, incident, "OVD-Info")
    claim = add_claim(
        incident=incident,
        statement=f"The judge ordered it {MARKER}",
        author=author,
        citations=[(first, "quoted"), (second, "police")],
        participant=participant,
    )
    move(incident, "in_review", author)
    return {
        "author": author,
        "editor": editor,
        "incident": incident,
        "participant": participant,
        "bystander": bystander,
        "claim": claim,
    }


def test_an_untouched_database_verifies(documented):
    code, output = verify()
    assert code == 0 and "audit log intact" in output
    # The writes above are events, with digests for the documented records.
    incident = documented["incident"]
    events = AuditEvent.objects.filter(model="cases.Incident", object_id=str(incident.pk))
    assert [e.action for e in events][-1] == "status"
    assert events.last().details == {
        "fields": ["status", "updated_at"],
        "from": "draft",
        "to": "in_review",
    }
    assert all(e.digest for e in events)
    assert AuditEvent.objects.filter(model="evidence.Claim").exists()


def test_the_chain_links_every_event_to_the_previous_one(documented):
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == audit.GENESIS
    for previous, event in itertools.pairwise(events):
        assert event.prev_hash == previous.hash
        assert audit.chain_hash(event.prev_hash, audit.event_content(event)) == event.hash


def middle_event() -> AuditEvent:
    events = list(AuditEvent.objects.order_by("seq"))
    return events[len(events) // 2]


def test_a_changed_event_is_named(documented):
    event = middle_event()
    sql("UPDATE core_auditevent SET actor = %s WHERE seq = %s", ["user:999", event.seq])
    code, output = verify()
    assert code == 1
    assert f"event #{event.seq} was changed" in output


def test_a_changed_event_detail_is_named(documented):
    event = AuditEvent.objects.filter(action="status").last()
    sql(
        "UPDATE core_auditevent SET details = %s WHERE seq = %s",
        [json.dumps({"fields": [], "from": "draft", "to": "published"}), event.seq],
    )
    code, output = verify()
    assert code == 1 and f"event #{event.seq} was changed" in output


def test_a_deleted_event_is_named(documented):
    event = middle_event()
    sql("DELETE FROM core_auditevent WHERE seq = %s", [event.seq])
    code, output = verify()
    assert code == 1
    assert f"events #{event.seq} are missing" in output


def test_reordered_events_are_named(documented):
    events = list(AuditEvent.objects.order_by("seq"))
    first, second = events[3], events[6]
    columns = ["at", "actor", "user_id", "action", "model", "object_id", "digest", "details",
               "prev_hash", "hash"]  # fmt: skip
    # Swap the two rows' content, keeping their positions in the sequence.
    with transaction.atomic():
        sql("UPDATE core_auditevent SET hash = %s WHERE seq = %s", ["x" * 64, first.seq])
        sql("UPDATE core_auditevent SET hash = %s WHERE seq = %s", ["y" * 64, second.seq])
        for row, source in ((first, second), (second, first)):
            assignments = ", ".join(f"{c} = %s" for c in columns)
            values = [getattr(source, c) for c in columns]
            values[columns.index("details")] = json.dumps(source.details)
            sql(f"UPDATE core_auditevent SET {assignments} WHERE seq = %s", [*values, row.seq])  # noqa: S608
    code, output = verify()
    assert code == 1
    assert f"event #{first.seq} holds the content of event #{second.seq}" in output
    assert f"event #{second.seq} holds the content of event #{first.seq}" in output
    assert output.index(f"event #{first.seq}") < output.index(f"event #{second.seq}")


def test_a_record_changed_with_raw_sql_is_named(documented):
    incident = documented["incident"]
    move(incident, "verified", documented["editor"])
    move(incident, "published", documented["editor"])
    assert verify()[0] == 0
    sql("UPDATE cases_incident SET title = %s WHERE id = %s", ["Rewritten", incident.pk])
    code, output = verify()
    assert code == 1
    assert f"cases.Incident #{incident.pk} was changed outside civwatch" in output
    # Only that record: the chain itself is intact.
    assert output.count("was changed") == 1


def test_a_field_visibility_change_with_raw_sql_is_named(documented):
    claim = documented["claim"]
    sql("UPDATE evidence_claim SET visibility = 'public' WHERE id = %s", [claim.pk])
    code, output = verify()
    assert code == 1 and f"evidence.Claim #{claim.pk} was changed outside civwatch" in output


def test_a_record_deleted_with_raw_sql_is_named(documented):
    bystander = documented["bystander"]
    sql("DELETE FROM cases_participant WHERE id = %s", [bystander.pk])
    code, output = verify()
    assert code == 1
    assert f"cases.Participant #{bystander.pk} is missing: deleted outside civwatch" in output


def test_a_record_inserted_with_raw_sql_is_named(documented):
    sql(
        "INSERT INTO cases_case (title, kind, article, court, case_status, summary, visibility,"
        " field_visibility, status, correction_note, internal_notes, created_at, updated_at)"
        " VALUES ('Forged', 'criminal', '', '', '', '', 'public', '{}', 'published', '', '',"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    forged = Case.objects.order_by("pk").last()  # titles are encrypted: not searchable in SQL
    code, output = verify()
    assert code == 1 and f"cases.Case #{forged.pk} has no audit event" in output


def test_deletes_through_civwatch_and_set_null_keep_the_log_intact(documented):
    incident = documented["incident"]
    case = Case(title="The case", kind="criminal")
    case.save_with_history(documented["author"])
    incident.case = case
    incident.save_with_history(documented["author"])
    documented["bystander"].delete()
    # Deleting the case sets incident.case to NULL without signals: its digest must follow.
    case.delete()
    code, output = verify()
    assert code == 0, output


def keys() -> tuple[str, str]:
    out = StringIO()
    call_command("audit", "keygen", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    return lines["CIVWATCH_AUDIT_SIGNING_KEY"], lines["CIVWATCH_AUDIT_PUBLIC_KEY"]


@pytest.fixture
def signing_key(monkeypatch):
    private, public = keys()
    monkeypatch.setenv("CIVWATCH_AUDIT_SIGNING_KEY", private)
    monkeypatch.delenv("CIVWATCH_AUDIT_SIGNING_KEY_FILE", raising=False)
    monkeypatch.delenv("CIVWATCH_AUDIT_PUBLIC_KEY", raising=False)
    return private, public


def test_a_removed_tail_is_caught_with_a_checkpoint(documented, signing_key, tmp_path):
    checkpoint = tmp_path / "checkpoint.json"
    for number in range(3):
        audit.record_export(None, "ftm", {"n": number})
    call_command("audit", "checkpoint", "--output", str(checkpoint), stdout=StringIO())
    saved = json.loads(checkpoint.read_text())
    # Later events are fine: the checkpoint only vouches for the history up to it.
    audit.record_export(None, "designations", {})
    assert verify("--checkpoint", str(checkpoint))[0] == 0
    # A careful insider removes the last events and resets the head to match.
    last = saved["seq"]
    sql("DELETE FROM core_auditevent WHERE seq >= %s", [last - 1])
    survivor = AuditEvent.objects.order_by("-seq").first()
    AuditHead.objects.filter(pk=1).update(seq=survivor.seq, hash=survivor.hash)
    assert verify()[0] == 0  # without the checkpoint nothing shows
    code, output = verify("--checkpoint", str(checkpoint))
    assert code == 1
    assert f"the checkpoint names event #{last} but the log ends at #{last - 2}" in output


def test_a_rewritten_history_is_caught_with_a_checkpoint(documented, signing_key, tmp_path):
    checkpoint = tmp_path / "checkpoint.json"
    call_command("audit", "checkpoint", "--output", str(checkpoint), stdout=StringIO())
    last = json.loads(checkpoint.read_text())["seq"]
    # Rewriting the whole chain from some event on, with valid hashes, does not match.
    events = list(AuditEvent.objects.filter(seq__gte=last - 2).order_by("seq"))
    previous = AuditEvent.objects.get(seq=last - 3).hash
    with transaction.atomic():
        for event in events:
            event.actor = "cli:someone-else"
            event.prev_hash = previous
            event.hash = audit.chain_hash(previous, audit.event_content(event))
            previous = event.hash
            AuditEvent.objects.filter(pk=event.pk).update(
                actor=event.actor, prev_hash=event.prev_hash, hash=event.hash
            )
        AuditHead.objects.filter(pk=1).update(seq=events[-1].seq, hash=events[-1].hash)
    assert verify()[0] == 0
    code, output = verify("--checkpoint", str(checkpoint))
    assert code == 1 and f"event #{last} is not the one the checkpoint signed" in output


def test_a_checkpoint_signed_with_another_key_is_refused(
    documented, signing_key, tmp_path, monkeypatch
):
    checkpoint = tmp_path / "checkpoint.json"
    call_command("audit", "checkpoint", "--output", str(checkpoint), stdout=StringIO())
    _, other_public = keys()
    with pytest.raises(CommandError, match="signature is not valid"):
        verify("--checkpoint", str(checkpoint), "--public-key", other_public)
    # A checkpoint whose key is the forger's own, trusted by nobody, is refused as well.
    forger, _ = keys()
    monkeypatch.setenv("CIVWATCH_AUDIT_SIGNING_KEY", forger)
    forged = tmp_path / "forged.json"
    call_command("audit", "checkpoint", "--output", str(forged), stdout=StringIO())
    with pytest.raises(CommandError, match="signature is not valid"):
        verify("--checkpoint", str(forged), "--public-key", signing_key[1])
    # An edited checkpoint (its seq lowered to hide a truncation) fails its signature.
    data = json.loads(checkpoint.read_text())
    data["seq"] -= 1
    checkpoint.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="signature is not valid"):
        verify("--checkpoint", str(checkpoint), "--public-key", signing_key[1])


def test_keys_come_from_the_environment_or_a_file(signing_key, tmp_path, monkeypatch):
    private, public = signing_key
    key_file = tmp_path / "audit.key"
    key_file.write_text(base64.b64decode(private).hex() + "\n")
    monkeypatch.delenv("CIVWATCH_AUDIT_SIGNING_KEY")
    monkeypatch.setenv("CIVWATCH_AUDIT_SIGNING_KEY_FILE", str(key_file))
    assert audit.public_key_text(audit.signing_key()) == public
    monkeypatch.delenv("CIVWATCH_AUDIT_SIGNING_KEY_FILE")
    with pytest.raises(CommandError, match="No signing key"):
        call_command("audit", "checkpoint", "--output", str(tmp_path / "c.json"))
    monkeypatch.setenv("CIVWATCH_AUDIT_SIGNING_KEY", "not a key")
    with pytest.raises(CommandError, match="32 bytes"):
        call_command("audit", "checkpoint", "--output", str(tmp_path / "c.json"))
    assert not (tmp_path / "c.json").exists()


def test_logins_logouts_and_failed_logins_are_events(client):
    user = make_user("alice", "researcher")
    signin = reverse("accounts:signin")
    client.post(signin, {"username": "alice", "password": "pw-alice"})
    assert "_auth_user_id" in client.session
    client.post(reverse("accounts:signout"))
    client.post(signin, {"username": "alice-typo", "password": "wrong-password"})
    assert "_auth_user_id" not in client.session
    login, logout, failed = newest(3, action__in=["login", "logout", "login_failed"])
    assert (login.action, login.actor, login.user_id) == ("login", f"user:{user.pk}", user.pk)
    assert (logout.action, logout.user_id) == ("logout", user.pk)
    assert failed.action == "login_failed" and failed.user_id is None
    text = dump_events()
    assert "alice-typo" not in text and "wrong-password" not in text
    assert len(failed.details["username_hmac"]) == 32
    # The login stamped last_login: bookkeeping, not a second "changed user" event.
    assert login.seq + 1 == logout.seq


def test_an_export_is_an_event(tmp_path):
    output = tmp_path / "designations.jsonl"
    call_command("export", "designations", "--register", "foreign-agents", "--output", str(output))
    [event] = newest(1, action="export")
    assert event.details["kind"] == "designations"
    assert event.details["params"]["output"] == str(output)
    assert "verbosity" not in event.details["params"]


def test_a_confidential_read_names_the_fields_never_their_values(documented):
    editor, claim = documented["editor"], documented["claim"]
    audit.record_read(editor, claim, ["statement", "internal_notes"])
    [event] = newest(1, action="read")
    assert (event.actor, event.model, event.object_id) == (
        f"user:{editor.pk}",
        "evidence.Claim",
        str(claim.pk),
    )
    assert event.details == {"fields": ["internal_notes", "statement"]}


def dump_events() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_auditevent")
        return "\n".join(" ".join(map(str, row)) for row in cursor.fetchall())


def test_no_confidential_value_reaches_the_events_table(documented):
    audit.record_read(documented["editor"], documented["incident"], ["title"])
    move(documented["incident"], "verified", documented["editor"])
    assert AuditEvent.objects.count() > 20
    assert MARKER not in dump_events()


def test_the_staff_page_shows_the_log_to_admins_only(client, documented):
    admin = make_user("ada", "admin")
    sign_in(client, documented["editor"])
    assert client.get("/staff/audit/").status_code == 403
    sign_in(client, admin)
    page = client.get("/staff/audit/", {"action": "status"})
    assert page.status_code == 200
    rows = page.content.decode()
    assert "cases.Incident" in rows and "evidence.Claim" not in rows
    incident = documented["incident"]
    page = client.get("/staff/audit/", {"record": f"cases.Incident {incident.pk}"})
    assert page.context["page"].paginator.count == incident_events(incident)
    page = client.get("/staff/audit/", {"user": str(documented["author"].pk), "verify": "1"})
    assert "The chain is intact" in page.content.decode()
    assert all(e.user_id == documented["author"].pk for e in page.context["page"])
    sql("UPDATE cases_incident SET title = 'x' WHERE id = %s", [incident.pk])
    page = client.get("/staff/audit/", {"verify": "1", "page": "999"})
    assert "NOT intact" in page.content.decode()
    assert MARKER not in page.content.decode()
    russian = client.get("/ru/staff/audit/", {"verify": "1"}).content.decode()
    assert "Журнал аудита НЕ цел: 1 проблема." in russian
    client.logout()
    assert client.get("/staff/audit/").status_code == 302


def incident_events(incident) -> int:
    return AuditEvent.objects.filter(model="cases.Incident", object_id=str(incident.pk)).count()


def test_web_writes_name_the_user(client, documented):
    editor, incident = documented["editor"], documented["incident"]
    sign_in(client, editor)
    response = client.post(f"/cases/staff/move/incident/{incident.pk}/", {"to": "verified"})
    assert response.status_code in (200, 302)
    event = AuditEvent.objects.filter(model="cases.Incident").last()
    assert (event.action, event.actor, event.user_id) == ("status", f"user:{editor.pk}", editor.pk)


def test_a_register_import_is_one_event_per_snapshot():
    # The log is append-only: events of earlier tests (and of modules' teardowns) stay in it.
    start = AuditEvent.objects.order_by("seq").values_list("seq", flat=True).last() or 0
    call_command("import", "foreign-agents", *map(str, FOREIGN_AGENTS[:3]), stdout=StringIO())
    snapshots = Snapshot.objects.order_by("pk")
    # The last events: the log is append-only, so imports of earlier tests stay in it.
    imports = list(AuditEvent.objects.filter(action="import").order_by("-seq")[:4])[::-1]
    assert [(e.model, e.object_id) for e in imports][-len(snapshots) :] == [
        ("registers.Snapshot", str(s.pk)) for s in snapshots
    ]
    assert Designation.objects.count() > 100
    assert not AuditEvent.objects.filter(
        seq__gt=start, model__in=["registers.Designation", "entities.Entity"]
    )
    assert imports[-len(snapshots)].details["changes"]["added"] > 100
    assert verify()[0] == 0


WRITER = """
import django, sys
django.setup()
from civwatch.core import audit
for number in range(int(sys.argv[1])):
    audit.record_export(None, "concurrency", {"process": sys.argv[2], "n": number})
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_appending_at_once_keep_one_chain(tmp_path):
    """Real concurrent appends: each process has its own connection, the head lock orders them."""
    # On SQLite the test database lives in this process's memory: a file database instead.
    env = environment(tmp_path, database=database_url())
    if connection.vendor == "sqlite":
        civwatch(env, "migrate", "-v0", check=True)
    # On PostgreSQL the suite's database may already hold events committed by other modules
    # (their imported history); on SQLite the processes share a new file database.
    before = AuditEvent.objects.count() if connection.vendor != "sqlite" else 0
    count = 40
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(count), name], env=env)
        for name in ("a", "b", "c")
    ]
    assert [w.wait(timeout=300) for w in writers] == [0, 0, 0]
    check = civwatch(env, "audit", "verify")
    assert check.returncode == 0, check.stderr
    assert f"{before + 3 * count} events" in check.stdout


def test_writes_without_signals_are_logged_with_record_updates(documented):
    incident = documented["incident"]
    type(incident).objects.filter(pk=incident.pk).update(date_precision="month")
    assert verify()[0] == 1
    assert audit.record_updates(type(incident), [incident.pk, 10**9], reason="test") == 1
    assert verify()[0] == 0


def test_baseline_adopts_records_written_before_the_log(documented):
    incident = documented["incident"]
    AuditEvent.objects.all().delete()
    AuditHead.objects.all().delete()
    code, output = verify()
    assert code == 1 and f"cases.Incident #{incident.pk} has no audit event" in output
    out = StringIO()
    call_command("audit", "baseline", stdout=out)
    assert out.getvalue().startswith(f"{Case.objects.count() + 6} documented records")
    assert verify()[0] == 0


def test_a_removed_last_event_is_caught_by_the_chain_head(documented):
    audit.record_export(None, "ftm", {})
    last = AuditEvent.objects.order_by("-seq").first()
    sql("DELETE FROM core_auditevent WHERE seq = %s", [last.seq])
    code, output = verify()
    assert code == 1
    assert f"the chain head names event #{last.seq} but the last event is #{last.seq - 1}" in output


def test_a_stopped_import_leaves_no_event(tmp_path):
    """A snapshot stopped as suspect rolls back, and its import event with it."""
    call_command("import", "foreign-agents", str(FOREIGN_AGENTS[0]), stdout=StringIO())
    events = AuditEvent.objects.count()
    rows = json.loads(FOREIGN_AGENTS[0].read_text())[:5]
    shrunk = tmp_path / "registry-2030-01-01.json"
    shrunk.write_text(json.dumps(rows, ensure_ascii=False))
    with pytest.raises(CommandError, match="vanish"):
        call_command("import", "foreign-agents", str(shrunk), stdout=StringIO())
    assert AuditEvent.objects.count() == events
    assert verify()[0] == 0


def test_api_writes_name_the_token_user(client):
    from civwatch.accounts.models import ApiToken

    cora = make_user("cora", "contributor")
    token = ApiToken.issue(cora)
    payload = {"incident_type": "search", "title": "Search of the office", "date": "2024-03-01"}
    created = client.post(
        "/api/cases/incidents",
        json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201
    [event] = newest(1, model="cases.Incident", action="create")
    assert (event.actor, event.user_id) == (f"user:{cora.pk}", cora.pk)
    assert event.object_id == str(created.json()["id"])


def test_commands_name_the_operating_system_account():
    """`civwatch ...` runs as cli:USER; a job acts as the system for the user who started it."""
    from civwatch.core.actor import cli_actor, process_actor, set_process_actor

    before = process_actor()
    set_process_actor(cli_actor())
    try:
        audit.record_export(None, "ftm", {})
        with audit.acting_as(user=make_user("olga", "editor")):
            audit.record_export(None, "designations", {})
    finally:
        set_process_actor(before)
    plain, acting = newest(2, action="export")
    assert plain.actor.startswith("cli:") and plain.user_id is None
    assert acting.actor == plain.actor and acting.user_id is not None


def test_a_page_logs_one_read_per_record_with_every_confidential_field_it_showed(client):
    """A staff page shows a record in several places (its fields, its form, the moves); the
    log keeps one event per reader and record, with the union of the fields, and the chain
    stays whole."""
    editor = make_user("eddie", "editor")
    incident = make_incident(editor, place="Tver", description="Beaten in the van")
    incident.field_visibility = {"place": "confidential", "description": "confidential"}
    incident.save_with_history(editor)
    sign_in(client, editor)
    before = AuditEvent.objects.count()
    assert client.get(f"/cases/staff/incidents/{incident.pk}/").status_code == 200
    reads = AuditEvent.objects.filter(action="read", seq__gt=before, model="cases.Incident")
    [event] = reads.filter(object_id=str(incident.pk))
    assert event.user_id == editor.pk
    assert {"place", "description"} <= set(event.details["fields"])
    assert audit.verify().ok
    # A second request is a second read.
    client.get(f"/cases/staff/incidents/{incident.pk}/")
    assert reads.filter(object_id=str(incident.pk)).count() == 2


def test_a_role_change_through_the_user_is_seen_at_once():
    """role_rank keeps the rank on the user object; changing its groups forgets it."""
    from django.contrib.auth.models import Group

    from civwatch.accounts.models import role_rank

    user = make_user("rita", "researcher")
    assert role_rank(user) == 2
    user.groups.add(Group.objects.get(name="editor"))
    assert role_rank(user) == 3
    user.groups.clear()
    assert role_rank(user) == 0
