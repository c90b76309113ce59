"""The staff list's questions: entries by name, role, agency, status, origin and order."""

from typing import Any

from django.db.models import Q, QuerySet

from civwatch.accountability.models import Act, Entry
from civwatch.accounts import permissions
from civwatch.cases.models import Participant
from civwatch.entities.models import named_like
from civwatch.sanctions.models import ListEntry

ENTRY_ORDERS = {
    "status": ("status", "entity__name", "pk"),
    "name": ("entity__name", "pk"),
    "-updated": ("-updated_at", "pk"),
}


def role_word(role: str) -> str:
    """How a list's English description names a role ("police_officer": "police officer")."""
    return role.replace("_", " ")


def filter_entries(
    entries: QuerySet,
    user: Any,
    *,
    name: str = "",
    role: str = "",
    agency: str = "",
    status: str = "",
    origin: str = "",
    listed: Any = None,
) -> QuerySet:
    """Entries named like `name` (either script); holding `role` in an act the user may read
    or by the description of a list naming them; whose lists' descriptions name `agency`; in
    a status; loaded from a list (`origin`); `listed`: a set of entity ids to keep."""
    if name and name.strip():
        entries = entries.filter(named_like(name, "entity__"))
    if role:
        acts = permissions.readable(user, Participant.objects.filter(role=role))
        described = ListEntry.objects.filter(description__icontains=role_word(role))
        entries = entries.filter(
            Q(acts__participant__in=acts) | Q(entity_id__in=described.values("entity_id"))
        ).distinct()
    if agency:
        described = ListEntry.objects.filter(description__icontains=agency)
        entries = entries.filter(entity_id__in=described.values("entity_id"))
    if status:
        entries = entries.filter(status=status)
    if origin:
        entries = entries.filter(origin=origin)
    if listed is not None:
        entries = entries.filter(entity_id__in=listed)
    return entries


def entry_roles(user: Any, entries: list[Entry]) -> dict[int, list[str]]:
    """Each entry's roles as the page shows them: the roles of the acts the user may read,
    else what the list it came from says the person does."""
    readable = permissions.readable(user, Participant.objects.all())
    participants = Act.objects.filter(entry__in=entries, participant__in=readable).values_list(
        "entry_id", "participant__role"
    )
    roles: dict[int, list[str]] = {}
    labels = dict(Participant.Role.choices)
    for entry_id, role in participants:
        label = str(labels.get(role, role))
        if label not in roles.setdefault(entry_id, []):
            roles[entry_id].append(label)
    origins = ListEntry.objects.filter(
        entity_id__in=[e.entity_id for e in entries if e.pk not in roles]
    ).values_list("entity_id", "description")
    described = {entity_id: text for entity_id, text in origins if text}
    for entry in entries:
        if entry.pk not in roles and entry.entity_id in described:
            roles[entry.pk] = [described[entry.entity_id].split(". ")[0]]
    return roles
