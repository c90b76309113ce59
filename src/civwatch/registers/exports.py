"""Open-data exports of the registers: designations, the change log, FollowTheMoney.

The shapes of the designation and change rows are a contract with the journalists and
researchers who use them (docs/registers.md): add columns at the end, never rename.
"""

import datetime
from collections.abc import Iterator

from django.db.models import Prefetch
from followthemoney import model
from followthemoney.proxy import EntityProxy

from civwatch.core.ftm import entity_proxy
from civwatch.entities.models import Entity
from civwatch.registers.models import Change, Designation, RegisterSlug
from civwatch.registers.queries import names_at_changes

DESIGNATION_COLUMNS = [
    "register", "row_id", "entity_id", "schema", "name", "legal_basis", "legal_basis_label",
    "listed_on", "published_on", "removed_on", "status", "first_seen", "last_seen",
]  # fmt: skip
CHANGE_COLUMNS = ["snapshot", "kind", "row_id", "entity_id", "name", "fields", "snapshot_file"]
AUTHORITY = "Ministry of Justice of the Russian Federation"
# Registers kept by another authority than the Ministry.
OTHER_AUTHORITIES = {RegisterSlug.RFM: "Federal Financial Monitoring Service (Rosfinmonitoring)"}


def iso(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def designation_rows(register: str) -> Iterator[dict]:
    designations = (
        Designation.objects.filter(register_id=register)
        .select_related("entity", "legal_basis", "first_seen", "last_seen")
        .order_by("listed_on", "id")
    )
    for d in designations.iterator(chunk_size=1000):
        yield {
            "register": d.register_id,
            "row_id": d.row_id,
            "entity_id": d.entity_id,
            "schema": d.entity.schema,
            "name": d.record["name"],
            "legal_basis": d.legal_basis_id or "",
            # Exports are language-independent: the label is the register's own (Russian).
            "legal_basis_label": d.legal_basis.label_ru if d.legal_basis else "",
            "listed_on": iso(d.listed_on),
            "published_on": iso(d.published_on),
            "removed_on": iso(d.removed_on),
            "status": d.status,
            "first_seen": iso(d.first_seen.as_of),
            "last_seen": iso(d.last_seen.as_of),
        }


def change_rows(register: str, since: datetime.date | None = None) -> Iterator[dict]:
    changes = Change.objects.filter(snapshot__register_id=register).select_related(
        "snapshot", "designation"
    )
    if since:
        changes = changes.filter(snapshot__as_of__gte=since)
    changes = list(changes.order_by("snapshot__as_of", "snapshot__file_name", "id"))
    # The name of each event's time, not the designation's current name (docs/registers.md).
    names = names_at_changes(changes)
    for change in changes:
        yield {
            "snapshot": iso(change.snapshot.as_of),
            "kind": change.kind,
            "row_id": change.row_id,
            "entity_id": change.designation.entity_id,
            "name": names.get(change.pk, change.designation.record["name"]),
            "fields": change.fields,
            "snapshot_file": change.snapshot.file_name,
        }


def designation_proxy(designation: Designation) -> EntityProxy:
    """A designation as an FtM Sanction: the state's listing of the entity."""
    proxy = model.make_entity("Sanction")
    proxy.id = f"{designation.entity_id}-{designation.register_id}-{designation.pk}"
    proxy.add("entity", designation.entity_id)
    proxy.add("authority", OTHER_AUTHORITIES.get(designation.register_id, AUTHORITY))
    proxy.add("program", designation.register.name_en)
    proxy.add("programId", designation.register_id)
    if designation.legal_basis:
        proxy.add("provisions", designation.legal_basis.label_en)
    proxy.add("startDate", iso(designation.listed_on) or None)
    proxy.add("listingDate", iso(designation.published_on) or None)
    proxy.add("endDate", iso(designation.removed_on) or None)
    proxy.add("status", designation.status)
    if designation.number:  # the authority's own number, not a row id of civwatch's
        proxy.add("authorityId", designation.number)
    return proxy


def ftm_entities(flagged: list[str] | None = None) -> Iterator[dict]:
    """The listed entities, their memberships and their designations, as FtM dicts.

    Only what a public list names (`Entity.objects.listed()`): an entity known only from a
    case record (a victim, a judge, a witness) or from an imported sanctions list is not
    ours to publish here, whatever its visibility in the case."""
    listed = Entity.objects.listed()
    entities = Entity.objects.filter(pk__in=listed.values("pk")).prefetch_related(
        "names",
        "identifiers",
        "websites",
        Prefetch("members", queryset=Entity.objects.filter(pk__in=listed.values("pk"))),
    )
    for entity in entities.order_by("id").iterator(chunk_size=500):
        yield entity_proxy(entity, flagged).to_dict()
        for member in entity.members.all():
            membership = model.make_entity("Membership")
            membership.id = f"{entity.id}-membership-{member.id}"
            membership.add("organization", entity.id)
            membership.add("member", member.id)
            yield membership.to_dict()
    designations = Designation.objects.select_related("register", "legal_basis")
    for designation in designations.order_by("id").iterator(chunk_size=1000):
        yield designation_proxy(designation).to_dict()
