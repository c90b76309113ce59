"""What an entry shows at a reading level: the public list, staff pages and dossiers use this.

Built on `civwatch.cases.public`: an act appears only when its incident and the person's
participation are visible at the level, and each claim and evidence item likewise. At the
public level only entries on the public list (published and after) are reachable at all.
"""

from typing import Any

from django.db.models import QuerySet

from civwatch.accountability.models import Act, Entry
from civwatch.accounts.permissions import reader
from civwatch.cases import public
from civwatch.cases.models import Participant, Position, format_date
from civwatch.core.records import Visibility

VICTIM_ROLES = (Participant.Role.VICTIM, Participant.Role.DEFENDANT)


def entries(level: public.Level = Visibility.PUBLIC) -> QuerySet[Entry]:
    return public.public_queryset(Entry.objects.select_related("entity"), level)


def positions(entry: Entry, level: public.Level) -> list[dict[str, Any]]:
    rows = public.public_queryset(
        Position.objects.filter(entity=entry.entity).select_related("entity", *public.STAFF_FIELDS),
        level,
    )
    return [
        {**public.serialise(position, level), "dates": position_dates(position)}
        for position in rows.order_by("started_on", "id")
    ]


def position_dates(position: Position) -> str:
    start = format_date(position.started_on, position.date_precision)
    end = format_date(position.ended_on, position.date_precision)
    return f"{start or '?'} – {end}" if (start or end) else ""


# What an act's view reads: its participation and incident, with their people and authors.
ACT_ROWS = (
    "participant__entity",
    "participant__incident__incident_type",
    *(f"participant__{name}" for name in public.STAFF_FIELDS),
    *(f"participant__incident__{name}" for name in public.STAFF_FIELDS),
)


def act_view(act: Act, level: public.Level) -> dict[str, Any] | None:
    participant, incident = act.participant, act.participant.incident
    if not (public.visible(incident, level) and public.visible(participant, level)):
        return None
    victims = public.public_queryset(
        incident.participants.filter(role__in=VICTIM_ROLES).select_related("entity"), level
    )
    claims = []
    for claim in public.public_queryset(participant.claims.all(), level):
        evidence = [
            {**public.serialise(citation.item, level), "passage": citation.passage}
            for citation in claim.citations.select_related("item").order_by("item_id")
            if public.evidence_visible(citation.item, level)
        ]
        claims.append({**public.serialise(claim, level), "evidence": evidence})
    return {
        "id": act.pk,
        "approved": act.approved_by_id is not None,
        "incident": {**public.serialise(incident, level), "date_display": incident.date_display},
        "incident_type": incident.incident_type.code,
        "participation": public.serialise(participant, level),
        "victims": [v.entity.name for v in victims if "entity" in public.field_names(v, level)],
        "claims": claims,
        "sources": sorted({e["source"] for c in claims for e in c["evidence"] if "source" in e}),
    }


def entry_view(entry: Entry, level: public.Level = Visibility.PUBLIC) -> dict[str, Any]:
    rows = entry.acts.select_related(*ACT_ROWS)
    if reader(level).level == Visibility.PUBLIC:
        # The public list says every act was approved by an editor other than its author.
        rows = rows.exclude(approved_by=None)
    acts = [act_view(act, level) for act in rows]
    return {
        **public.serialise(entry, level),
        "name": entry.entity.name,
        "status_label": entry.get_status_display(),
        "positions": positions(entry, level),
        "acts": [act for act in acts if act is not None],
        "corrections": [
            {"note": c.note, "date": c.created_at.date().isoformat()}
            for c in entry.corrections.all()
        ],
    }
