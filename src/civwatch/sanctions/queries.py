"""Queries shared by the pages and the API."""

from django.db.models import Q, QuerySet

from civwatch.entities.models import Entity
from civwatch.matching import search_key
from civwatch.sanctions.models import CASES, Link, ListEntry


def search_entries(entries: QuerySet, q: str = "", tag: str = "", programme: str = "") -> QuerySet:
    """Entries whose names match `q` in either script, carrying a tag and/or a programme."""
    if q:
        key = search_key(q)
        entries = entries.filter(
            Q(entity__search_text__icontains=key) | Q(entity__search_text__icontains=q.casefold())
        )
    # JSON lists: matched as text, which both SQLite and PostgreSQL can do.
    if tag:
        entries = entries.filter(tags__icontains=tag)
    if programme:
        entries = entries.filter(programmes__icontains=programme)
    return entries


def visible_links(user_can_read_internal: bool) -> QuerySet:
    """Every link for researchers and above; confirmed links between public datasets else."""
    links = Link.objects.all()
    if not user_can_read_internal:
        links = links.filter(status=Link.Status.CONFIRMED).exclude(
            Q(left_dataset=CASES) | Q(right_dataset=CASES)
        )
    return links


def links_of(entity_ids, user_can_read_internal: bool) -> QuerySet:
    return visible_links(user_can_read_internal).filter(
        Q(left_entity_id__in=entity_ids) | Q(right_entity_id__in=entity_ids)
    )


def public_entity(entity_id: str) -> Entity | None:
    """An entity a public page may show: on a list, or in a state register."""
    return (
        Entity.objects.filter(pk=entity_id)
        .filter(Q(list_entries__isnull=False) | Q(pk__in=Entity.objects.listed().values("pk")))
        .first()
    )


def entry_for(dataset: str, source_id: str) -> ListEntry | None:
    return ListEntry.objects.filter(dataset_id=dataset, source_id=source_id).first()
