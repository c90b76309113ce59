"""One entity's story on one page: register events, public incidents, sanctions listings and
accountability entries, as one list of `TimelineItem`s, oldest first.

Oldest first because a story is read from its beginning (a decision to list, years later an
inspection, a fine, liquidation) and because the register's own dates run that way; undated
items (an incident whose date is not public, a listing whose list gives no date) come last.
Items of the same day keep the order register, incident, sanctions, accountability.

Only public output: every case record, field and evidence item is chosen by the access policy
through `civwatch.cases.public` read as the anonymous public (`Reader(user=None)`, which also
requires a participant's incident to be public); sanctions listings come only through
confirmed public links (`sanctions_status(public_only=True)`, never proposed links);
accountability entries only when on the public list, through `accountability.public`.
The page and the API (`registers.api`) both call `entity_timeline`.

This module lives in `registers` (the entity page's app) rather than in `entities`: entities
are the shared kernel every domain imports, and must import none of them
(tests/test_structure.py).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, TextChoices
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civwatch.accountability import public as accountability_public
from civwatch.accountability.models import Act, EntryStatus
from civwatch.accounts.permissions import Reader
from civwatch.cases import public
from civwatch.cases.models import Participant
from civwatch.entities.models import Entity
from civwatch.evidence.models import Claim
from civwatch.registers.models import Change, Designation
from civwatch.registers.wording import FieldWords
from civwatch.sanctions.models import Jurisdiction
from civwatch.sanctions.status import SanctionsStatus, sanctions_status


class Category(TextChoices):
    """What kind of record a timeline item comes from (in the order of a day's items)."""

    REGISTER = "register", gettext_lazy("register")
    INCIDENT = "incident", gettext_lazy("incident")
    SANCTIONS = "sanctions", gettext_lazy("sanctions")
    ACCOUNTABILITY = "accountability", gettext_lazy("accountability list")


CATEGORY_ORDER = list(Category)


class RegisterEvent(TextChoices):
    """The register events of a designation: its decisions and what each snapshot showed."""

    LISTED = "listed", gettext_lazy("decision to list")
    PUBLISHED = "published", gettext_lazy("decision published")
    ADDED = Change.Kind.ADDED.value, gettext_lazy("added to the register")
    MODIFIED = Change.Kind.MODIFIED.value, gettext_lazy("entry modified in the register")
    REMOVED = Change.Kind.REMOVED.value, gettext_lazy("removed from the register")
    REINSTATED = Change.Kind.REINSTATED.value, gettext_lazy("reinstated in the register")
    DELISTED = "delisted", gettext_lazy("decision to remove")


@dataclass(frozen=True)
class EvidenceLink:
    """A public evidence item cited by a public claim about the item's record."""

    title: str
    source: str = ""
    url: str = ""  # the original address, when that field is public
    preview_url: str = ""  # our preview of it, when there is one


@dataclass
class TimelineItem:
    date: datetime.date | None
    date_display: str  # the date at its precision ("2023", "2023-10", "2023-10-19")
    category: str  # Category
    kind: str  # RegisterEvent; incident type code; jurisdiction code; entry status
    title: str
    detail: str = ""
    url: str = ""  # the record's page on this site
    source: str = ""  # where it is documented: a snapshot file, a list, a publisher
    source_url: str = ""
    changes: list[FieldWords] = field(default_factory=list)
    evidence: list[EvidenceLink] = field(default_factory=list)

    def sort_key(self) -> tuple:
        return (self.date is None, self.date or datetime.date.min,
                CATEGORY_ORDER.index(self.category))  # fmt: skip


def day(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


# ---------------------------------------------------------------------------------------------
# Register events


def designations_for_timeline() -> Prefetch:
    """The prefetch the API uses (the page's own does the same), so that register events cost
    no query each."""
    return Prefetch(
        "designations",
        Designation.objects.select_related(
            "register", "legal_basis", "first_seen", "last_seen"
        ).prefetch_related(
            Prefetch(
                "changes", Change.objects.select_related("snapshot").order_by("snapshot__as_of")
            )
        ),
    )


def register_items(entity: Entity) -> list[TimelineItem]:
    """Each designation's decisions (listing, publication, removal: the source is the snapshot
    that first showed the date) and every change a snapshot showed."""
    items = []
    for designation in entity.designations.all():
        register, changes = designation.register, list(designation.changes.all())
        where = f"{register.name} #{designation.number}" if designation.number else register.name
        removal = next((c.snapshot for c in changes if "removed_on" in c.fields),
                       designation.last_seen)  # fmt: skip
        basis = designation.legal_basis.label if designation.legal_basis else ""
        for event, date, seen in (
            (RegisterEvent.LISTED, designation.listed_on, designation.first_seen),
            (RegisterEvent.PUBLISHED, designation.published_on, designation.first_seen),
            (RegisterEvent.DELISTED, designation.removed_on, removal),
        ):
            if date:
                items.append(TimelineItem(
                    date, day(date), Category.REGISTER, event, str(event.label),
                    detail=f"{where}: {basis}" if basis and event == RegisterEvent.LISTED
                    else where,
                    url=seen.get_absolute_url(), source=seen.file_name,
                    source_url=seen.get_absolute_url(),
                ))  # fmt: skip
        for change in changes:
            snapshot = change.snapshot
            event = RegisterEvent(change.kind)
            items.append(TimelineItem(
                snapshot.as_of, day(snapshot.as_of), Category.REGISTER, event, str(event.label),
                detail=where, url=snapshot.get_absolute_url(),
                source=snapshot.file_name, source_url=snapshot.get_absolute_url(),
                changes=change.described()
                if change.kind != Change.Kind.ADDED else [],
            ))  # fmt: skip
    return items


# ---------------------------------------------------------------------------------------------
# Documented incidents


def evidence_links(claims: list[dict[str, Any]]) -> list[EvidenceLink]:
    """The public evidence of serialised claims, each item once."""
    links: dict[Any, EvidenceLink] = {}
    for claim in claims:
        for item in claim.get("evidence", []):
            links.setdefault(item["id"], EvidenceLink(
                item.get("title", ""), item.get("source", ""), item.get("url", ""),
                reverse("cases:evidence_preview", args=[item["id"]])
                if item.get("has_preview") else "",
            ))  # fmt: skip
    return list(links.values())


def incident_items(entity: Entity, reader: Reader) -> tuple[list[TimelineItem], list[int]]:
    """The public incidents in which the entity publicly took part, and their ids.

    A participation counts only when the participant record, its incident and its `entity`
    field are all public; its role is shown only when that field is."""
    participants = public.public_queryset(
        Participant.objects.filter(entity=entity).select_related("incident__incident_type"),
        reader,
    ).order_by("incident__date", "incident_id", "id")
    incidents: dict[int, tuple[Any, list[str]]] = {}
    for participant in participants:
        if "entity" not in public.field_names(participant, reader):
            continue
        incident = participant.incident
        if not public.visible(incident, reader):
            continue
        roles = incidents.setdefault(incident.pk, (incident, []))[1]
        if label := public.serialise(participant, reader).get("role_label"):
            roles.append(label)
    claims = public.public_queryset(
        Claim.objects.filter(incident__in=list(incidents)).prefetch_related("citations__item"),
        reader,
    ).order_by("id")
    claims_by_incident: dict[int, list[dict[str, Any]]] = {}
    for claim in claims:
        evidence = [
            {**public.serialise(c.item, reader), "has_preview": bool(c.item.preview)}
            for c in claim.citations.all()
            if public.evidence_visible(c.item, reader)
        ]
        claims_by_incident.setdefault(claim.incident_id, []).append({"evidence": evidence})
    items = []
    for pk, (incident, roles) in incidents.items():
        data = public.serialise(incident, reader)
        date = incident.date if "date" in data else None
        kind = incident.incident_type.code if "incident_type" in data else ""
        label = str(incident.incident_type.label) if kind else _("incident")
        title = f"{label}: {data['title']}" if data.get("title") else label
        detail = ", ".join(dict.fromkeys(roles))
        items.append(TimelineItem(
            date, incident.date_display if date else "", Category.INCIDENT, kind, title,
            detail=_("role: %(roles)s") % {"roles": detail} if detail else "",
            url=incident.get_absolute_url(), source=data.get("source_name", ""),
            evidence=evidence_links(claims_by_incident.get(pk, [])),
        ))  # fmt: skip
    return items, list(incidents)


# ---------------------------------------------------------------------------------------------
# Sanctions listings


def sanctions_items(status: SanctionsStatus) -> list[TimelineItem]:
    """Official listings of a public status: through confirmed public links only (proposed
    ones never count)."""
    items = []
    for code, listings in status.by_jurisdiction.items():
        for listing in listings:
            title = _("listed by %(jurisdiction)s") % {"jurisdiction": Jurisdiction(code).label}
            programme = f" ({listing.programme})" if listing.programme else ""
            url = reverse("sanctions:entry", args=[listing.dataset, listing.source_id])
            items.append(TimelineItem(
                listing.since, day(listing.since), Category.SANCTIONS, code, title,
                detail=f"{listing.dataset_title}{programme}: {listing.name}",
                url=url, source=listing.dataset_title,
                source_url=reverse("sanctions:dataset", args=[listing.dataset]),
            ))  # fmt: skip
    return items


# ---------------------------------------------------------------------------------------------
# Accountability entries


def accountability_items(
    entity: Entity, reader: Reader, incident_ids: list[int]
) -> list[TimelineItem]:
    """Entries on the public list: the entity's own, and those of officials held responsible
    for an incident of this timeline (through an approved act whose participation is public).
    Dated by the entry's publication."""
    acts = Act.objects.filter(participant__incident__in=incident_ids).exclude(approved_by=None)
    entries = (
        accountability_public.entries(reader)
        .filter(Q(entity=entity) | Q(pk__in=acts.values("entry_id")))
        .order_by("id")
    )
    items = []
    for entry in entries:
        own = entry.entity_id == entity.pk
        rows = entry.acts.select_related("participant__incident").exclude(approved_by=None)
        views = [accountability_public.act_view(act, reader) for act in rows]
        related = [v for v in views if v and (own or v["incident"]["id"] in incident_ids)]
        if not own and not related:
            continue
        summary = public.serialise(entry, reader).get("summary", "")
        published = entry.history().filter(action=EntryStatus.PUBLISHED).order_by("at").first()
        date = published.at.date() if published else None
        title = (_("on the accountability list") if own else
                 _("held responsible: %(name)s") % {"name": entry.entity.name})  # fmt: skip
        items.append(TimelineItem(
            date, day(date), Category.ACCOUNTABILITY, entry.status, title, detail=summary,
            url=entry.get_absolute_url(), source=_("accountability list"),
            source_url=reverse("accountability:list"),
            evidence=evidence_links([c for v in related for c in v["claims"]]),
        ))  # fmt: skip
    return items


def entity_timeline(entity: Entity, status: SanctionsStatus | None = None) -> list[TimelineItem]:
    """The entity's public story, oldest first (see the module's docstring). `status`: the
    entity's public sanctions status when the caller has it already (the page shows it)."""
    reader = Reader(user=None)  # the public, whoever asks: staff pages have their own views
    if status is None:
        status = sanctions_status(entity, public_only=True)
    incidents, incident_ids = incident_items(entity, reader)
    items = [
        *register_items(entity),
        *incidents,
        *sanctions_items(status),
        *accountability_items(entity, reader, incident_ids),
    ]
    return sorted(items, key=TimelineItem.sort_key)
