"""An entity's story on one page and in the API (civwatch.registers.timeline).

Real register history (the first four bundled foreign-agents snapshots: the Sova centre,
row 154, listed in 2016, seen in 2023-09-29, removed on 2023-10-19 and seen removed on
2023-10-21), then case records, sanctions links and accountability entries built around it.
What must not be public carries the markers of tests/test_visibility.py.
"""

import datetime
import json

import pytest
from django.core.management import call_command

from civwatch.accountability.models import Entry, EntryStatus
from civwatch.cases.models import Incident, IncidentType, Participant
from civwatch.entities.models import Entity
from civwatch.evidence.ingest import add_evidence
from civwatch.evidence.models import Citation, Claim
from civwatch.registers.timeline import Category, entity_timeline
from civwatch.sanctions.models import Dataset, Link, ListEntry
from tests.conftest import FOREIGN_AGENTS
from tests.test_visibility import MARK, hidden, published, staff

pytestmark = pytest.mark.django_db

SOVA = "fa-154"
INSPECTED = datetime.date(2023, 5, 16)


def incident(kind: str, title: str, date: datetime.date, **restricted: str) -> Incident:
    record = Incident(incident_type=IncidentType.objects.get(code=kind), title=title, date=date)
    return published(record, **restricted)


@pytest.fixture
def story(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("import", "foreign-agents", *map(str, FOREIGN_AGENTS[:4]))
    sova = Entity.objects.get(pk=SOVA)
    author, editor = staff("cora", "contributor"), staff("eddie", "editor")

    # A published, public inspection with the organisation as a public participant; its place
    # is confidential; one public and one internal evidence item cited by a published claim.
    inspection = incident("inspection", "Inspection of the office", INSPECTED, place="confidential")
    Participant.objects.create(
        incident=inspection, entity=sova, role="victim", visibility="public", status="published"
    )
    claim = published(Claim(incident=inspection, statement="Inspectors demanded documents."))
    for n, visibility in enumerate(["public", "internal"]):
        item = add_evidence(
            user=author,
            incident=inspection,
            kind="quote",
            title=f"Court report {n}",
            source=f"Outlet {n}",
            quoted_text="x",
            obtained_how="x",
            obtained_on=INSPECTED,
        )
        published(item) if visibility == "public" else hidden(item, "internal")
        Citation.objects.create(claim=claim, item=item, passage="demanded documents")

    # Participations the public must not see: a confidential participant of a public
    # incident, a public participant whose entity field is confidential, and a public
    # participant of a confidential incident.
    fine = incident("fine", f"{MARK}-fine", datetime.date(2023, 6, 1))
    Participant.objects.create(
        incident=fine, entity=sova, role="defendant", visibility="confidential", status="published"
    )
    raid = incident("search", f"{MARK}-raid", datetime.date(2023, 7, 1))
    Participant.objects.create(
        incident=raid,
        entity=sova,
        role="victim",
        visibility="public",
        status="published",
        field_visibility={"entity": "confidential"},
    )
    secret = hidden(
        Incident(
            incident_type=IncidentType.objects.get(code="liquidation"),
            date=datetime.date(2023, 8, 1),
        ),
        "confidential",
    )
    Participant.objects.create(
        incident=secret, entity=sova, role="defendant", visibility="public", status="published"
    )

    # Sanctions: a confirmed link to a UK listing, a proposed one to a US listing.
    for slug, jurisdiction, status, since in (
        ("gb-test", "uk", Link.Status.CONFIRMED, datetime.date(2023, 9, 1)),
        ("us-test", "us", Link.Status.PROPOSED, datetime.date(2023, 9, 2)),
    ):
        dataset = Dataset.objects.create(
            slug=slug, title=f"List {slug}", kind="official", jurisdiction=jurisdiction
        )
        listed = Entity.objects.create(id=f"{slug}-1", kind="organization", name=f"SOVA {slug}")
        ListEntry.objects.create(
            dataset=dataset,
            source_id="1",
            entity=listed,
            schema="Organization",
            name=f"SOVA {slug}",
            programmes=["RUSSIA"],
            listed_since=since,
        )
        Link.objects.create(
            left_dataset="registers",
            left_id=SOVA,
            left_entity=sova,
            right_dataset=slug,
            right_id="1",
            right_entity=listed,
            score=0.9,
            status=status,
        )

    # Accountability: the inspector is on the public list; a second official's entry is a draft.
    for name, status in (
        ("Inspector Ivanov", EntryStatus.PUBLISHED),
        (f"{MARK}-official", EntryStatus.CANDIDATE),
    ):
        person = Entity.objects.create(id=f"cw-{status}", kind="person", name=name)
        role = Participant.objects.create(
            incident=inspection,
            entity=person,
            role="official",
            visibility="public",
            status="published",
        )
        entry = Entry.objects.create(
            entity=person, status=status, summary=f"{name} summary", created_by=author
        )
        entry.acts.create(participant=role, approved_by=editor)
        if status == EntryStatus.PUBLISHED:
            entry.write_with_history(editor, action=EntryStatus.PUBLISHED)
    # The draft's participation would be public on its own; the entry is what must not show.
    return {"sova": sova, "inspection": inspection}


def test_the_timeline_tells_the_public_story_in_date_order(story):
    items = entity_timeline(story["sova"])
    seen = [(i.date_display, i.category, i.kind) for i in items]
    assert seen == [
        ("2016-12-30", Category.REGISTER, "listed"),
        ("2023-05-16", Category.INCIDENT, "inspection"),
        ("2023-09-01", Category.SANCTIONS, "uk"),
        ("2023-09-29", Category.REGISTER, "added"),
        ("2023-10-19", Category.REGISTER, "delisted"),
        ("2023-10-21", Category.REGISTER, "removed"),
        (datetime.date.today().isoformat(), Category.ACCOUNTABILITY, "published"),
    ]
    inspection = items[1]
    assert inspection.url == story["inspection"].get_absolute_url()
    assert [e.title for e in inspection.evidence] == ["Court report 0"]
    assert inspection.detail == "role: victim"
    removed = items[5]
    assert removed.source == "registry-2023-10-21.json"
    assert [(c.field, c.after) for c in removed.changes] == [("removed_on", "2023-10-19")]
    assert "Inspector Ivanov" in items[6].title
    assert [e.title for e in items[6].evidence] == []  # the act's claims cite nothing yet


@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_the_page_and_the_api_show_it_and_nothing_else(client, story, prefix):
    page = client.get(f"{prefix}/entities/{SOVA}/").content.decode()
    api = client.get(f"/api/entities/{SOVA}/timeline")
    assert api.status_code == 200
    body = json.dumps(api.json(), ensure_ascii=False)
    for text in (page, body):
        assert "Inspection of the office" in text and "Court report 0" in text
        assert "SOVA gb-test" in text and "Inspector Ivanov" in text
        assert MARK not in text
        assert "SOVA us-test" not in text and "Court report 1" not in text
    assert ("исключено из реестра" if prefix else "removed from the register") in page
    assert ("решение об исключении" if prefix else "decision to remove") in page
    assert ("Проверка или истребование документов" if prefix else "Inspection or document") in page
    assert [item["date"] for item in api.json()][:2] == ["2016-12-30", INSPECTED.isoformat()]


def test_the_markers_are_in_the_database(story):
    """The test above could not fail if the hidden records were never written."""
    sova = story["sova"]
    hidden_titles = {p.incident.title for p in Participant.objects.filter(entity=sova)}
    assert {f"{MARK}-fine", f"{MARK}-raid"} <= hidden_titles
    assert Link.objects.filter(status=Link.Status.PROPOSED, left_entity=sova).exists()
    assert Entry.objects.filter(status=EntryStatus.CANDIDATE).exists()


def test_an_unknown_entity_is_404(client, db):
    assert client.get("/api/entities/fa-999999/timeline").status_code == 404
