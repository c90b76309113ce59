"""Four-eyes review that holds (issue 9, part 3).

Once an editor has approved a record's content, a change to it waits: the public keeps seeing
the approved version until an editor who wrote none of the change approves it. Whoever changed
content since the last approval cannot approve it, and records loaded from the command line
have the importing user as their author.
"""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civwatch.accountability import workflow as entries
from civwatch.accountability.models import Entry
from civwatch.cases.models import Incident, Participant
from civwatch.cases.workflow import approve_change, change_content, move, reject_change
from civwatch.core.errors import UserError
from civwatch.core.models import AuditEvent
from civwatch.core.records import PendingChange
from civwatch.entities.models import Entity
from civwatch.evidence.ingest import add_claim
from tests.accountability_data import documented_official, entry_for
from tests.auth_helpers import sign_in
from tests.processes import civwatch, environment
from tests.test_cases import make_incident, make_user, quote

ACF = Path(__file__).parent / "data" / "acf-candidates-sample.csv"

pytestmark = pytest.mark.django_db
REVIEWED = "Search of the Memorial office"
UNREVIEWED = "Search of the office of a foreign agent (unreviewed)"


@pytest.fixture
def team(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return {
        "carol": make_user("carol", "contributor"),
        "rita": make_user("rita", "researcher"),
        "eddie": make_user("eddie", "editor"),
        "erin": make_user("erin", "editor"),
    }


def published_incident(author, editor, **fields) -> Incident:
    """An incident by `author`, verified and published by `editor`."""
    incident = make_incident(author, title=REVIEWED, visibility="public", place="Moscow", **fields)
    move(incident, "in_review", author)
    move(incident, "verified", editor)
    move(incident, "published", editor)
    return incident


def form_data(incident: Incident, **changes) -> dict:
    data = {
        "incident_type": incident.incident_type_id, "title": incident.title,
        "description": incident.description, "date": incident.date.isoformat(),
        "date_precision": incident.date_precision, "place": incident.place,
        "people_count": incident.people_count or "", "case": "",
        "source_name": incident.source_name, "visibility": incident.visibility,
        "field_visibility": "{}", "internal_notes": incident.internal_notes,
    }  # fmt: skip
    return {**data, **changes}


def edit(client, user, incident: Incident, **changes):
    sign_in(client, user)
    response = client.post(
        f"/cases/staff/incidents/{incident.pk}/edit/", form_data(incident, **changes)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def public_page(client, incident: Incident) -> str:
    client.logout()
    return client.get(f"/cases/incidents/{incident.pk}/").content.decode()


def public_api(client, incident: Incident) -> dict:
    client.logout()
    return client.get(f"/api/cases/incidents/{incident.pk}").json()


def decide(client, user, change: PendingChange, decision: str) -> str:
    sign_in(client, user)
    response = client.post(
        f"/cases/staff/changes/{change.pk}/", {"decision": decision}, follow=True
    )
    return response.content.decode()


@pytest.mark.parametrize("role", ["carol", "eddie"])
def test_an_authors_edit_of_a_published_incident_waits_for_a_second_editor(client, team, role):
    author = team[role]
    approver = team["erin"]
    incident = published_incident(author, approver if role == "eddie" else team["eddie"])
    edit(client, author, incident, title=UNREVIEWED)

    # The live record, the public page and the API keep the reviewed version.
    incident.refresh_from_db()
    assert incident.title == REVIEWED and incident.status == "published"
    assert REVIEWED in public_page(client, incident)
    assert UNREVIEWED not in public_page(client, incident)
    assert public_api(client, incident)["title"] == REVIEWED

    # Staff see the proposal with its diff; its author cannot approve it.
    change = incident.pending_change()
    assert change.values == {"title": UNREVIEWED} and change.author_ids() == {author.pk}
    sign_in(client, author)
    staff_page = client.get(f"/cases/staff/incidents/{incident.pk}/").content.decode()
    assert "Waiting for review" in staff_page and UNREVIEWED in staff_page
    answer = decide(client, author, change, "approve")
    assert "other than the author" in answer or "Only a editor" in answer
    with pytest.raises(UserError):
        approve_change(change, author)
    assert REVIEWED in public_page(client, incident)

    # An editor who wrote none of it approves: now it is public, with the history to show it.
    decide(client, approver, change, "approve")
    assert UNREVIEWED in public_page(client, incident)
    assert public_api(client, incident)["title"] == UNREVIEWED
    incident.refresh_from_db()
    assert incident.approved_by == approver
    assert [r.action for r in incident.history()][-2:] == ["proposed", "change approved"]


def test_a_second_edit_joins_the_pending_change_and_its_author_cannot_approve_either(team):
    incident = published_incident(team["carol"], team["eddie"])
    incident.title = UNREVIEWED
    incident.save_with_history(team["carol"])
    incident = Incident.objects.get().with_pending_values()
    assert incident.title == UNREVIEWED  # what the edit form starts from
    incident.place = "Saint Petersburg"
    incident.save_with_history(team["erin"])
    change = PendingChange.objects.get()
    assert change.values == {"title": UNREVIEWED, "place": "Saint Petersburg"}
    assert change.author_ids() == {team["carol"].pk, team["erin"].pk}
    with pytest.raises(UserError, match="other than the author"):
        approve_change(change, team["erin"])
    approve_change(change, team["eddie"])
    live = Incident.objects.get()  # encrypted fields are compared in memory, not in SQL
    assert (live.title, live.place) == (UNREVIEWED, "Saint Petersburg")


def test_a_rejected_change_leaves_the_reviewed_version(client, team):
    incident = published_incident(team["carol"], team["eddie"])
    edit(client, team["carol"], incident, title=UNREVIEWED)
    decide(client, team["erin"], incident.pending_change(), "reject")
    assert REVIEWED in public_page(client, incident)
    assert PendingChange.objects.get().state == "rejected"
    assert Incident.objects.get().title == REVIEWED


def test_internal_notes_are_written_at_once_they_are_never_public(client, team):
    incident = published_incident(team["carol"], team["eddie"])
    edit(client, team["carol"], incident, internal_notes="called the lawyer")
    assert Incident.objects.get().internal_notes == "called the lawyer"
    assert incident.pending_change() is None


def test_loosening_a_field_restriction_is_held_for_review(client, team):
    incident = published_incident(team["carol"], team["eddie"])
    # An editor's restriction only hides more: it applies at once.
    edit(client, team["eddie"], incident, field_visibility='{"place": "confidential"}')
    assert Incident.objects.get().field_visibility == {"place": "confidential"}
    assert incident.pending_change() is None
    assert "Moscow" not in public_page(client, incident)

    # The author lifts it: held, the place stays hidden until a second editor approves.
    edit(client, team["carol"], incident, field_visibility="{}")
    assert Incident.objects.get().field_visibility == {"place": "confidential"}
    assert "Moscow" not in public_page(client, incident)
    assert "place" not in public_api(client, incident)
    change = incident.pending_change()
    assert change.values == {"field_visibility": {}}
    approve_change(change, team["erin"])
    assert "Moscow" in public_page(client, incident)


def test_making_a_record_public_is_a_held_change(client, team):
    incident = published_incident(team["carol"], team["eddie"])
    edit(client, team["eddie"], incident, visibility="internal")  # hiding: at once
    assert Incident.objects.get().visibility == "internal"
    assert REVIEWED not in public_page(client, incident)
    edit(client, team["carol"], incident, visibility="public")  # showing again: waits
    assert Incident.objects.get().visibility == "internal"
    assert REVIEWED not in public_page(client, incident)
    assert incident.pending_change().values == {"visibility": "public"}


def test_an_editor_who_edited_someone_elses_record_cannot_approve_it(client, team):
    carol, eddie, erin = team["carol"], team["eddie"], team["erin"]
    draft = make_incident(carol)
    draft.title = "Rewritten by the editor"
    draft.save_with_history(eddie)  # a draft: written at once, and eddie is now an author
    move(draft, "in_review", carol)
    with pytest.raises(UserError, match="other than the author"):
        move(draft, "verified", eddie)
    move(draft, "verified", erin)
    move(draft, "published", erin)

    published = published_incident(carol, erin)
    edit(client, eddie, published, title=UNREVIEWED)
    change = published.pending_change()
    answer = decide(client, eddie, change, "approve")
    assert "other than the author" in answer
    assert Incident.objects.get(pk=published.pk).title == REVIEWED
    decide(client, erin, change, "approve")
    assert Incident.objects.get(pk=published.pk).title == UNREVIEWED


def test_the_correction_workflow_publishes_a_pending_change_with_its_note(team):
    incident = published_incident(team["carol"], team["eddie"])
    incident.title = UNREVIEWED
    incident.save_with_history(team["eddie"])
    with pytest.raises(UserError, match="other than the author"):
        move(incident, "corrected", team["eddie"], "The title was wrong.")
    move(incident, "corrected", team["erin"], "The title was wrong.")
    incident.refresh_from_db()
    assert (incident.title, incident.status) == (UNREVIEWED, "corrected")
    assert incident.correction_note == "The title was wrong."
    assert PendingChange.objects.get().state == "approved"


def test_a_participant_added_to_a_published_incident_waits_for_review(client, team):
    incident = published_incident(team["carol"], team["eddie"])
    sign_in(client, team["erin"])
    witness = {"new_name": "Petrov Pyotr", "new_kind": "person", "role": "witness",
               "visibility": "public"}  # fmt: skip
    response = client.post(f"/cases/staff/incidents/{incident.pk}/participants/", witness)
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert participant.status == "draft"
    assert "Petrov Pyotr" not in public_page(client, incident)
    change = participant.pending_change()
    assert change.kind == "addition"
    sign_in(client, team["erin"])
    staff_page = client.get(f"/cases/staff/incidents/{incident.pk}/").content.decode()
    assert f'id="change-{change.pk}"' in staff_page
    with pytest.raises(UserError, match="other than the author"):
        approve_change(change, team["erin"])
    # The incident's own review moves carry its unapproved participants: same check.
    with pytest.raises(UserError, match="other than the author"):
        move(incident, "corrected", team["erin"], "A witness added.")
    approve_change(change, team["eddie"])
    assert Participant.objects.get().status == "published"
    assert "Petrov Pyotr" in public_page(client, incident)


def test_a_rejected_participant_stays_off_the_public_page(client, team):
    incident = published_incident(team["carol"], team["eddie"])
    witness = Entity.objects.create(id="cw-w", kind="person", name="Sidorov Semyon")
    participant = Participant(incident=incident, entity=witness, role="witness",
                              visibility="public", created_by=team["carol"])  # fmt: skip
    participant.save_with_history(team["carol"])
    reject_change(participant.pending_change(), team["erin"], "Not in the sources.")
    move(incident, "corrected", team["erin"], "Place corrected.")
    assert Participant.objects.get().status == "withdrawn"
    assert "Sidorov" not in public_page(client, incident)


def test_evidence_cited_by_a_published_claim_is_reviewed_too(team):
    author, editor = team["carol"], team["eddie"]
    incident = published_incident(author, editor)
    items = [quote(author, incident, s) for s in ("Mediazona", "OVD-Info")]
    claim = add_claim(incident=incident, statement="Police searched the office.", author=author,
                      citations=[(i, "entered") for i in items], visibility="public")  # fmt: skip
    move(claim, "in_review", author)
    move(claim, "verified", editor)
    item = items[0]
    item.title = "A title nobody reviewed"
    item.save_with_history(author)
    item.refresh_from_db()
    assert item.title == "Report by Mediazona"
    assert item.pending_change().values == {"title": "A title nobody reviewed"}


def test_a_published_entrys_summary_change_waits_for_review(client, team):
    official = documented_official(team["rita"], team["eddie"])
    entry = entry_for(official, team["rita"])
    for to, user in [("documented", team["rita"]), ("verified", team["eddie"]),
                     ("published", team["eddie"])]:  # fmt: skip
        entries.move(entry, to, user)
    sign_in(client, team["rita"])
    form = {"summary": "Unreviewed accusation.", "birth_place": "Tula",
            "nationality": "Russian Federation"}  # fmt: skip
    assert client.post(f"/accountability/staff/{entry.pk}/edit/", form).status_code == 302
    client.logout()
    assert (
        "Unreviewed accusation." not in client.get(f"/accountability/{entry.pk}/").content.decode()
    )
    change = Entry.objects.get().pending_change()
    approve_change(change, team["erin"])
    assert "Unreviewed accusation." in client.get(f"/accountability/{entry.pk}/").content.decode()


@pytest.fixture
def imported_entry(team):
    """A candidate entry loaded from the command line by eddie, with an act attributed by rita
    on a documented official."""
    official = documented_official(team["carol"], team["erin"])
    call_command("import", "acf-list", str(ACF), stdout=io.StringIO())
    call_command("accountability", "candidates", "--dataset", "acf-list", "--as", "eddie",
                 stdout=io.StringIO())  # fmt: skip
    entry = Entry.objects.filter(origin="acf-list").order_by("pk").first()
    # Give the candidate the documented official's act (the person is the same in this test).
    Entry.objects.filter(pk=entry.pk).update(entity=official["judge"])
    entry = Entry.objects.get(pk=entry.pk)
    entry.acts.create(participant=official["participant"], created_by=team["rita"])
    return entry


def test_an_entry_loaded_from_the_command_line_needs_two_different_editors(imported_entry, team):
    entry = imported_entry
    assert entry.created_by == team["eddie"]
    entries.move(entry, "documented", team["rita"])
    with pytest.raises(UserError, match="other than the author"):
        entries.move(entry, "verified", team["eddie"])  # the importer is its author
    entries.move(entry, "verified", team["erin"])
    entries.move(entry, "published", team["erin"])
    assert entry.acts.get().approved_by == team["erin"]


def test_an_act_added_after_publication_is_public_only_once_another_editor_approves_it(
    client, team
):
    official = documented_official(team["rita"], team["eddie"])
    entry = entry_for(official, team["rita"])
    entries.move(entry, "documented", team["rita"])
    entries.move(entry, "verified", team["eddie"])
    entries.move(entry, "published", team["eddie"])
    # A second act, attributed by an editor after publication.
    second_incident = published_incident(team["rita"], team["eddie"], type="verdict")
    participation = Participant.objects.create(
        incident=second_incident, entity=official["judge"], role="judge", visibility="public",
        status="published",
    )  # fmt: skip
    items = [quote(team["rita"], second_incident, s) for s in ("Mediazona", "Novaya Gazeta")]
    claim = add_claim(incident=second_incident, participant=participation, author=team["rita"],
                      statement="He sentenced a second protester.", visibility="public",
                      citations=[(i, "entered") for i in items])  # fmt: skip
    move(claim, "in_review", team["rita"])
    move(claim, "verified", team["eddie"])
    move(claim, "published", team["eddie"])
    late = entry.acts.create(participant=participation, created_by=team["erin"])

    client.logout()
    assert (
        "He sentenced a second protester."
        not in client.get(f"/accountability/{entry.pk}/").content.decode()
    )
    with pytest.raises(UserError, match="other than the author"):
        entries.approve_act(late, team["erin"])
    sign_in(client, team["eddie"])
    assert client.post(f"/accountability/staff/acts/{late.pk}/approve/").status_code == 302
    client.logout()
    assert (
        "He sentenced a second protester."
        in client.get(f"/accountability/{entry.pk}/").content.decode()
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ((), "Say who the new records are attributed to: --as USER"),
        (("--as", "ghost"), "--as ghost: no active user of that name"),
        (("--as", "carol"), "--as carol: this needs the role researcher or higher"),
    ],
)
def test_candidates_need_a_known_importer(team, options, message):
    call_command("import", "acf-list", str(ACF), stdout=io.StringIO())
    with pytest.raises(CommandError, match=message):
        call_command("accountability", "candidates", "--dataset", "acf-list", *options)
    assert not Entry.objects.exists()


def test_the_command_line_refuses_without_as_and_exits_non_zero(tmp_path):
    result = civwatch(
        environment(tmp_path), "accountability", "candidates", "--dataset", "x", timeout=120
    )
    assert result.returncode != 0
    assert "--as USER" in result.stderr


def test_history_dates_round_trip_through_a_pending_change(team):
    incident = published_incident(team["carol"], team["eddie"])
    incident.date = datetime.date(2024, 3, 5)
    incident.save_with_history(team["carol"])
    assert Incident.objects.get().date == datetime.date(2024, 3, 1)
    approve_change(incident.pending_change(), team["erin"])
    assert Incident.objects.get().date == datetime.date(2024, 3, 5)


def test_change_content_is_the_one_door_for_write_apis(team):
    incident = published_incident(team["carol"], team["eddie"])
    change = change_content(incident, team["carol"], {"title": UNREVIEWED, "place": "Tver"})
    assert change is not None and change.values == {"title": UNREVIEWED, "place": "Tver"}
    assert Incident.objects.get().title == REVIEWED
    with pytest.raises(UserError, match="“status” cannot be changed here"):
        change_content(incident, team["carol"], {"status": "draft"})
    draft = make_incident(team["carol"])
    assert change_content(draft, team["carol"], {"title": "Fixed typo"}) is None
    assert Incident.objects.get(pk=draft.pk).title == "Fixed typo"


def test_the_review_queue_lists_changes_waiting_for_review(client, team):
    incident = published_incident(team["carol"], team["eddie"])
    edit(client, team["carol"], incident, title=UNREVIEWED)
    sign_in(client, team["erin"])
    queue = client.get("/cases/staff/review/").content.decode()
    change = incident.pending_change()
    assert f"/cases/staff/incidents/{incident.pk}/#change-{change.pk}" in queue


def test_removing_a_participant_of_a_published_incident_waits_for_review(client, team):
    incident = published_incident(team["carol"], team["eddie"])
    lawyer = Entity.objects.create(id="cw-l", kind="person", name="Lawyer Lvova")
    Participant.objects.create(incident=incident, entity=lawyer, role="lawyer",
                               visibility="public", status="published")  # fmt: skip
    assert "Lawyer Lvova" in public_page(client, incident)
    sign_in(client, team["eddie"])
    participant = Participant.objects.get()
    assert client.post(f"/cases/staff/participants/{participant.pk}/remove/").status_code == 302
    assert "Lawyer Lvova" in public_page(client, incident)  # still there until approved
    change = participant.pending_change()
    assert change.kind == "removal"
    with pytest.raises(UserError, match="other than the author"):
        approve_change(change, team["eddie"])
    approve_change(change, team["erin"])
    assert Participant.objects.get().status == "withdrawn"
    assert "Lawyer Lvova" not in public_page(client, incident)


def test_the_review_queue_lists_every_kind_of_record_waiting_for_an_editor(client, team):
    from civwatch.cases.models import Case, Position

    official = documented_official(team["carol"], team["eddie"])
    case = Case(title="The leaflet case", created_by=team["carol"], status="in_review")
    case.save_with_history(team["carol"])
    position = Position.objects.create(entity=official["judge"], post="judge", agency="Court",
                                       created_by=team["carol"], status="in_review")  # fmt: skip
    entry = entry_for(official, team["rita"])
    entries.move(entry, "documented", team["rita"])
    sign_in(client, team["erin"])
    queue = client.get("/cases/staff/review/").content.decode()
    assert f"/cases/staff/cases/{case.pk}/" in queue
    assert f"/cases/staff/positions/{position.pk}/" in queue
    assert f"/accountability/staff/{entry.pk}/" in queue
    entries.move(entry, "candidate", team["rita"])
    queue = client.get("/cases/staff/review/").content.decode()
    assert f"/accountability/staff/{entry.pk}/" not in queue


def test_the_staff_home_shows_the_readers_drafts_and_what_waits_for_an_editor(client, team):
    draft = make_incident(team["carol"], title="Raid on the newsroom")
    waiting = make_incident(team["rita"], title="Search of the office")
    move(waiting, "in_review", team["rita"])
    sign_in(client, team["carol"])
    home = client.get("/accounts/").content.decode()
    assert f"/cases/staff/incidents/{draft.pk}/" in home and "Raid on the newsroom" in home
    assert "Search of the office" not in home and "Waiting for your review" not in home
    sign_in(client, team["erin"])
    home = client.get("/ru/accounts/").content.decode()
    assert "Ждёт вашей проверки" in home and "1 событие" in home
    drafts = home.split("Последние изменения")[0]
    assert "Raid on the newsroom" not in drafts  # another's draft


def test_the_staff_home_lists_recent_changes_to_records_the_reader_may_read(client, team):
    own = make_incident(team["carol"], title="Raid on the newsroom")
    hidden = make_incident(team["eddie"], title="Search of the office", place="Tver")
    hidden.field_visibility = {"title": "confidential"}
    hidden.save_with_history(team["eddie"])
    move(hidden, "in_review", team["eddie"])
    sign_in(client, team["carol"])
    activity = client.get("/accounts/").content.decode().split("Recent activity")[1]
    assert f"/cases/staff/incidents/{own.pk}/" in activity and "Raid on the newsroom" in activity
    assert f"/cases/staff/incidents/{hidden.pk}/" not in activity  # not hers, not public
    # An editor reads both; the confidential title is named, and that read is logged.
    sign_in(client, team["erin"])
    reads = AuditEvent.objects.filter(action="read", object_id=str(hidden.pk)).count()
    activity = client.get("/accounts/").content.decode().split("Recent activity")[1]
    rows = activity.split("<tr>")[2:]
    assert "sent for review" in rows[0] and "Search of the office" in rows[0]  # newest first
    assert any("Raid on the newsroom" in row and "created" in row for row in rows)
    assert AuditEvent.objects.filter(action="read", object_id=str(hidden.pk)).count() > reads
    # A researcher may not read the confidential title: the record is listed without it.
    sign_in(client, team["rita"])
    activity = client.get("/accounts/").content.decode().split("Recent activity")[1]
    assert f"/cases/staff/incidents/{hidden.pk}/" in activity
    assert "Search of the office" not in activity
