"""A documented official, built through the model API of cases and evidence (their own staff
pages are tested in test_cases_browser.py): the starting point of the accountability tests."""

import datetime

from civwatch.accountability.models import Entry
from civwatch.cases.models import Incident, IncidentType, Participant, Position
from civwatch.cases.workflow import move
from civwatch.entities.models import Entity
from civwatch.evidence.ingest import add_claim, add_evidence

# A made-up judge: the tests must not attribute acts to a real person.
NAME = "Подъячев Юрий Иванович"
DAY = datetime.date(2024, 3, 1)


def evidence(author, source: str, text: str):
    return add_evidence(
        user=author, kind="quote", title=f"{source} report", source=source, quoted_text=text,
        obtained_how="copied from the court's website", obtained_on=DAY, visibility="public",
        published_on=DAY, reliability="B", credibility="2",
    )  # fmt: skip


def documented_official(author, editor, *, sources=("Mediazona", "OVD-Info")):
    """A judge, a published verdict incident in which he jailed a protester, a position, and a
    claim about his part citing one evidence item per source, published by the editor when it
    has the two independent sources the review requires (else it stays a draft)."""
    judge = Entity(id="cw-judge-1", kind="person", name=NAME, birth_date="1971-05-02")
    judge.index_names([judge.name])
    judge.save()
    incident = Incident(
        incident_type=IncidentType.objects.get(code="verdict"), title="Verdict against Ivanova",
        date=DAY, place="Moscow, Tverskoy District Court", created_by=author, visibility="public",
        description="Sentenced to two years for an anti-war leaflet.",
    )  # fmt: skip
    incident.save_with_history(author)
    victim = Entity.objects.create(id="cw-victim-1", kind="person", name="Иванова Анна")
    Participant.objects.create(
        incident=incident, entity=victim, role="defendant", visibility="public", created_by=author
    )
    participant = Participant(
        incident=incident, entity=judge, role="judge", involvement="committed",
        visibility="public", created_by=author,
    )  # fmt: skip
    participant.save_with_history(author)
    position = Position(
        entity=judge, post="Judge", agency="Tverskoy District Court of Moscow",
        started_on=datetime.date(2015, 1, 1), date_precision="year", visibility="public",
        created_by=author,
    )  # fmt: skip
    position.save_with_history(author)
    items = [evidence(author, s, f"Judge {NAME} sentenced Ivanova ({s}).") for s in sources]
    claim = add_claim(
        incident=incident, participant=participant, author=author, visibility="public",
        statement="Judge Podyachev sentenced Anna Ivanova to two years in a penal colony.",
        citations=[(item, f"Judge {NAME} sentenced Ivanova") for item in items],
    )  # fmt: skip
    for record in [incident, position, *([claim] if len(sources) > 1 else [])]:
        record.status = "in_review"
        record.save()
        move(record, "verified", editor)
        move(record, "published", editor)
    return {"judge": judge, "incident": incident, "participant": participant, "claim": claim,
            "items": items, "position": position}  # fmt: skip


def entry_for(official, author) -> Entry:
    entry = Entry(
        entity=official["judge"], created_by=author, nationality="Russian Federation",
        birth_place="Tula", summary="Judge who jailed an anti-war protester.",
    )  # fmt: skip
    entry.save_with_history(author)
    entry.acts.create(participant=official["participant"], created_by=author)
    return entry
