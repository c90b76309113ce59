"""The lists in the database as a screening index, rebuilt when they change."""

import threading

from django.db.models import Max

from civwatch.entities.models import Entity
from civwatch.matching import ScreeningIndex, record_from_ftm
from civwatch.registers.exports import entity_proxy

_lock = threading.Lock()
_cached: tuple[tuple, ScreeningIndex] | None = None


def lists_version() -> tuple:
    latest = Entity.objects.aggregate(created=Max("created_at"), last=Max("pk"))
    return latest["created"], latest["last"], Entity.objects.count()


def database_index() -> ScreeningIndex:
    """The index of every entity in the database, shared by the process until they change."""
    global _cached
    version = lists_version()
    with _lock:
        if _cached is None or _cached[0] != version:
            entities = Entity.objects.listed().prefetch_related("names", "identifiers", "websites")
            index = ScreeningIndex(
                record_from_ftm(entity_proxy(e).to_dict())
                for e in entities.order_by("pk").iterator(chunk_size=2000)
            )
            _cached = (version, index)
        return _cached[1]
