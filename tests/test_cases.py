"""Cases and incidents: the review workflow, its publication rules and the history of records."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from civwatch.cases.models import Case, Incident, IncidentType, Participant
from civwatch.cases.workflow import move, review_moves
from civwatch.core.errors import UserError
from civwatch.core.records import Revision
from civwatch.entities.models import Entity
from civwatch.evidence.ingest import add_claim, add_evidence

pytestmark = pytest.mark.django_db


def make_user(name: str, role: str):
    user = get_user_model().objects.create_user(name, password="pw-" + name)
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=role))
    return user


def make_incident(author, **fields) -> Incident:
    incident = Incident(
        incident_type=IncidentType.objects.get(code=fields.pop("type", "search")),
        title=fields.pop("title", "Search of the office"),
        date=datetime.date(2024, 3, 1),
        created_by=author,
        **fields,
    )
    incident.save_with_history(author)
    return incident


def quote(author, incident, source: str, text: str = "The police entered the office."):
    return add_evidence(
        user=author,
        incident=incident,
        kind="quote",
        title=f"Report by {source}",
        source=source,
        quoted_text=text,
        obtained_how="copied from the publication",
        obtained_on=datetime.date(2024, 3, 2),
    )


@pytest.fixture
def team():
    return {
        "contributor": make_user("carol", "contributor"),
        "researcher": make_user("rita", "researcher"),
        "editor": make_user("eddie", "editor"),
        "editor2": make_user("erin", "editor"),
    }


def test_incident_types_are_seeded_in_both_languages():
    detention = IncidentType.objects.get(code="detention")
    assert (detention.label_en, detention.label_ru) == ("Detention", "Задержание")
    assert IncidentType.objects.count() == 15


def test_the_workflow_runs_draft_to_published_with_an_editor_other_than_the_author(team):
    incident = make_incident(team["contributor"])
    assert [m.to for m in review_moves(incident, team["contributor"])] == ["in_review"]
    move(incident, "in_review", team["contributor"])
    with pytest.raises(UserError, match="editor"):
        move(incident, "verified", team["contributor"])
    move(incident, "verified", team["editor"])
    move(incident, "published", team["editor"])
    incident.refresh_from_db()
    assert (incident.status, incident.approved_by) == ("published", team["editor"])


def test_an_editor_cannot_approve_their_own_record(team):
    incident = make_incident(team["editor"])
    move(incident, "in_review", team["editor"])
    with pytest.raises(UserError, match="other than the author"):
        move(incident, "verified", team["editor"])
    move(incident, "verified", team["editor2"])


def test_skipping_a_step_is_refused(team):
    incident = make_incident(team["contributor"])
    with pytest.raises(UserError, match="cannot go"):
        move(incident, "published", team["editor"])


def test_a_claim_needs_two_independent_sources_to_be_verified(team):
    author, editor = team["contributor"], team["editor"]
    incident = make_incident(author)
    first = quote(author, incident, "Mediazona")
    same_publisher = quote(author, incident, "  mediazona ", "A second article, same outlet.")
    claim = add_claim(
        incident=incident,
        statement="Police searched the office.",
        author=author,
        citations=[(first, "entered the office"), (same_publisher, "second article")],
    )
    move(claim, "in_review", author)
    with pytest.raises(UserError, match="two independent sources"):
        move(claim, "verified", editor)
    other = quote(author, incident, "OVD-Info")
    claim.citations.create(item=other, passage="entered the office")
    assert claim.independent_sources() == 2
    move(claim, "verified", editor)
    move(claim, "published", editor)
    assert claim.status == "published"


def test_withdrawing_needs_a_public_note_and_keeps_it(team):
    incident = make_incident(team["contributor"])
    for step, user in (
        ("in_review", "contributor"),
        ("verified", "editor"),
        ("published", "editor"),
    ):
        move(incident, step, team[user])
    with pytest.raises(UserError, match="correction note"):
        move(incident, "corrected", team["editor"])
    move(incident, "corrected", team["editor"], "The date was 1 March, not 2 March.")
    assert incident.correction_note == "The date was 1 March, not 2 March."
    move(incident, "withdrawn", team["editor"], "Duplicate of another record.")
    assert not incident.is_public()


def test_history_records_who_changed_which_field(team):
    incident = make_incident(team["contributor"], place="Moscow")
    incident.place = "Saint Petersburg"
    incident.save_with_history(team["editor"])
    created, changed = incident.history()
    assert created.action == "created" and created.user == team["contributor"]
    assert changed.user == team["editor"]
    assert changed.changes == {"place": ["Moscow", "Saint Petersburg"]}


def test_history_is_append_only(team):
    incident = make_incident(team["contributor"])
    revision = incident.history().get()
    revision.note = "rewritten"
    with pytest.raises(PermissionDenied):
        revision.save()
    with pytest.raises(PermissionDenied):
        revision.delete()
    with pytest.raises(PermissionDenied):
        Revision.objects.filter(pk=revision.pk).update(note="rewritten")
    with pytest.raises(PermissionDenied):
        Revision.objects.all().delete()
    assert Revision.objects.get(pk=revision.pk).note == ""


def test_participants_link_entities_with_role_and_involvement(team):
    incident = make_incident(team["contributor"])
    judge = Entity.objects.create(id="cw-judge", kind="person", name="Иванов Иван Иванович")
    Participant.objects.create(
        incident=incident, entity=judge, role="judge", involvement="committed"
    )
    case = Case.objects.create(title="Case against the NGO", kind="administrative")
    incident.case = case
    incident.save()
    assert list(case.incidents.values_list("participants__entity__name", flat=True)) == [
        "Иванов Иван Иванович"
    ]


def test_a_claim_without_evidence_is_refused(team):
    incident = make_incident(team["contributor"])
    with pytest.raises(UserError, match="at least one evidence"):
        add_claim(incident=incident, statement="x", author=team["contributor"], citations=[])


def test_public_and_staff_pages_speak_russian(client, team):
    assert "Дела и события" in client.get("/ru/cases/").content.decode()
    client.force_login(team["contributor"])
    page = client.get("/ru/cases/staff/incidents/new/").content.decode()
    assert "Записать событие" in page and "Обыск или рейд" in page


def test_staff_form_restricts_single_fields_and_rejects_unknown_ones(client, team):
    client.force_login(team["contributor"])
    form = {
        "incident_type": IncidentType.objects.get(code="search").pk,
        "title": "Search",
        "date_precision": "day",
        "visibility": "public",
        "field_visibility": '{"place": "confidential"}',
    }
    response = client.post("/cases/staff/incidents/new/", form)
    assert response.status_code == 302
    assert Incident.objects.get().field_visibility == {"place": "confidential"}
    response = client.post(
        "/cases/staff/incidents/new/", {**form, "field_visibility": '{"internal_notes": "public"}'}
    )
    assert response.status_code == 200 and "is not a public field" in response.content.decode()
    assert Incident.objects.count() == 1


def test_participants_are_reviewed_and_published_with_their_incident(client, team):
    incident = make_incident(team["contributor"], visibility="public")
    entity = Entity.objects.create(id="cw-lawyer", kind="person", name="Адвокат Петров")
    Participant.objects.create(incident=incident, entity=entity, role="lawyer", visibility="public")
    for step, user in (
        ("in_review", "contributor"),
        ("verified", "editor"),
        ("published", "editor"),
    ):
        move(incident, step, team[user])
    assert incident.participants.get().status == "published"
    assert "Адвокат Петров" in client.get(f"/cases/incidents/{incident.pk}/").content.decode()
