"""Adding a person or organisation to an incident: the staff form and the API share this."""

import uuid
from typing import Any

from django.db import transaction

from civwatch.cases.models import Incident, Participant
from civwatch.entities.models import Entity


def new_entity(name: str, kind: str) -> Entity:
    """A person or organisation known only from a case record (not on any public list)."""
    entity = Entity(
        id=f"cw-{uuid.uuid4().hex[:16]}",
        kind=kind,
        name=name.strip(),
        confidential=True,  # known only from case records: its names are encrypted
    )
    entity.index_names([entity.name])
    entity.save()
    return entity


def add_participant(
    *,
    incident: Incident,
    user: Any,
    role: str,
    involvement: str = "",
    visibility: str,
    entity: Entity | None = None,
    name: str = "",
    kind: str = Entity.Kind.PERSON,
) -> Participant:
    """A draft participant: a known entity, or a new one with this name and kind."""
    with transaction.atomic():
        participant = Participant(
            incident=incident,
            entity=entity if entity is not None else new_entity(name, kind),
            role=role,
            involvement=involvement,
            visibility=visibility,
            created_by=user,
        )
        participant.save_with_history(user)
    return participant
