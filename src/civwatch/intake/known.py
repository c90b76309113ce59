"""The entities intake looks for: those the registers list and those in case records."""

import threading

from django.db.models import Exists, OuterRef, Q

from civwatch.cases.models import Participant, Position
from civwatch.core.ftm import entity_proxy
from civwatch.entities.models import Entity
from civwatch.intake.gazetteer import Gazetteer, build_gazetteer
from civwatch.registers.models import Designation
from civwatch.screening.lists import lists_version

_lock = threading.Lock()
_cached: tuple[tuple, Gazetteer] | None = None


def known_entities():
    return Entity.objects.filter(
        Q(pk__in=Entity.objects.listed().values("pk"))
        | Q(pk__in=Participant.objects.values("entity_id"))
        | Q(pk__in=Position.objects.values("entity_id"))
    )


def database_gazetteer() -> Gazetteer:
    """Built once per process, rebuilt when entities or case participants change."""
    global _cached
    version = (
        *lists_version(),
        Participant.objects.count(),
        Position.objects.count(),
    )
    with _lock:
        if _cached is None or _cached[0] != version:
            own_designations = Designation.objects.filter(entity=OuterRef("pk"))
            entities = known_entities().prefetch_related("names", "identifiers", "websites")
            gazetteer = build_gazetteer(
                {**entity_proxy(e).to_dict(), "caption": e.name, "rank": 0 if e.designated else 1}
                for e in entities.annotate(designated=Exists(own_designations))
                .order_by("pk")
                .iterator(chunk_size=2000)
            )
            _cached = (version, gazetteer)
        return _cached[1]
