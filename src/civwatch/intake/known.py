"""The entities intake looks for: those the registers list and those in case records."""

from django.db.models import Exists, OuterRef, Q

from civwatch.cases.models import Participant, Position
from civwatch.core.cache import VersionedCache
from civwatch.core.ftm import entity_proxy
from civwatch.entities.models import Entity
from civwatch.intake.gazetteer import Gazetteer, build_gazetteer
from civwatch.registers.models import Designation
from civwatch.screening.lists import lists_version


def known_entities():
    return Entity.objects.filter(
        Q(pk__in=Entity.objects.listed().values("pk"))
        | Q(pk__in=Participant.objects.values("entity_id"))
        | Q(pk__in=Position.objects.values("entity_id"))
    )


def gazetteer_version() -> tuple:
    return (*lists_version(), Participant.objects.count(), Position.objects.count())


def build_known_gazetteer() -> Gazetteer:
    own_designations = Designation.objects.filter(entity=OuterRef("pk"))
    entities = known_entities().prefetch_related("names", "identifiers", "websites")
    return build_gazetteer(
        {**entity_proxy(e).to_dict(), "caption": e.name, "rank": 0 if e.designated else 1}
        for e in entities.annotate(designated=Exists(own_designations))
        .order_by("pk")
        .iterator(chunk_size=2000)
    )


_gazetteer: VersionedCache[Gazetteer] = VersionedCache(gazetteer_version, build_known_gazetteer)


def database_gazetteer() -> Gazetteer:
    """Built once per process, rebuilt when entities or case participants change."""
    return _gazetteer.get()
