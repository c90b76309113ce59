"""Queries shared by the pages and the API."""

from typing import Any

from django.db.models import Q, QuerySet

from civwatch.accounts import permissions
from civwatch.accounts.models import has_role
from civwatch.cases.models import Participant
from civwatch.core.records import Visibility
from civwatch.entities.models import Entity, named_like
from civwatch.matching import search_key
from civwatch.sanctions.models import CASES, Link, ListEntry
from civwatch.screening import ranking


def search_entries(entries: QuerySet, q: str = "", tag: str = "", programme: str = "") -> QuerySet:
    """Entries carrying a tag and/or a programme, named like `q` in any spelling (annotated
    with its score: order by `ranking.best_first(q)` first)."""
    # JSON lists: matched as text, which both SQLite and PostgreSQL can do.
    if tag:
        entries = entries.filter(tags__icontains=tag)
    if programme:
        entries = entries.filter(programmes__icontains=programme)
    if q and q.strip():
        key = search_key(q)
        contains = Q(entity__search_text__icontains=key) | Q(
            entity__search_text__icontains=q.casefold()
        )
        entries = ranking.named(entries, q, contains)
    return entries


def visible_links(user: Any) -> QuerySet:
    """The links a user may see (None: the public).

    The public sees confirmed links between public datasets. Researchers and above see every
    link, except that a link's `cases` side names a person documented in case records: it is
    shown only to whom the access policy lets read a participation of that person (a
    confidential judge stays with the editors).
    """
    links = Link.objects.all()
    if not has_role(user, "researcher"):
        return links.filter(status=Link.Status.CONFIRMED).exclude(
            Q(left_dataset=CASES) | Q(right_dataset=CASES)
        )
    known = permissions.readable(user, Participant.objects.all()).values("entity_id")
    return links.exclude(Q(left_dataset=CASES) & ~Q(left_entity_id__in=known)).exclude(
        Q(right_dataset=CASES) & ~Q(right_entity_id__in=known)
    )


def filter_links(
    links: QuerySet,
    *,
    name: str = "",
    status: str = "",
    dataset: str = "",
    programme: str = "",
    score: tuple[float | None, float | None] | None = None,
    birth_dates: str = "",
) -> QuerySet:
    """Links with a side named like `name` (either script), in a status, with a side in a
    dataset, a side listed under a programme, a score in [lowest, below), birth dates that
    compare so."""
    if name and name.strip():
        links = links.filter(named_like(name, "left_entity__") | named_like(name, "right_entity__"))
    if status:
        links = links.filter(status=status)
    if dataset:
        links = links.filter(Q(left_dataset=dataset) | Q(right_dataset=dataset))
    if programme:
        listed = ListEntry.objects.filter(programmes__icontains=programme).values("entity_id")
        links = links.filter(Q(left_entity_id__in=listed) | Q(right_entity_id__in=listed))
    if score:
        lowest, below = score
        if lowest is not None:
            links = links.filter(score__gte=lowest)
        if below is not None:
            links = links.filter(score__lt=below)
    if birth_dates:
        links = links.filter(birth_dates=birth_dates)
    return links


def shown_links(user: Any, links) -> list[Link]:
    """The links as shown to `user`: a `cases` side naming a person documented only in
    confidential participations (a confidential judge) passes through the access policy's
    confidential-read hook. Every page, API answer and command that lists links lists what
    this returns."""
    links = list(links)
    case_people = {
        entity_id
        for link in links
        for dataset, entity_id in (
            (link.left_dataset, link.left_entity_id),
            (link.right_dataset, link.right_entity_id),
        )
        if dataset == CASES
    }
    below_confidential = set(
        permissions.filter_at(
            Participant.objects.filter(entity_id__in=case_people), Visibility.INTERNAL
        ).values_list("entity_id", flat=True)
    )
    for link in links:
        fields = [
            f"{side}_name"
            for side, dataset, entity_id in (
                ("left", link.left_dataset, link.left_entity_id),
                ("right", link.right_dataset, link.right_entity_id),
            )
            if dataset == CASES and entity_id not in below_confidential
        ]
        if fields:
            permissions.note_confidential_read(user, link, fields)
    return links


def links_of(entity_ids, user: Any) -> QuerySet:
    return visible_links(user).filter(
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
