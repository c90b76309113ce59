"""Where a page's data comes from and how old it is: "data as of DATE" on every list page and
the sources named in every page's footer.

A source is a list someone publishes (a register, a sanctions or external list) or that
civwatch keeps (the accountability list), with its publisher, the publisher's page where
known (`Register.source_url`, `Dataset.source_url`; data, like the registers' names) and the
date of the newest data of it we hold: the latest applied snapshot of a register, the latest
version's own date of a list, the latest publication on the accountability list.

List views put `data_sources` in their context (they know what they show: one register,
one list); `page_sources`, the context processor, gives every other page the sources of its
section, so that the footer never names a publisher whose data the page does not show (the
Ministry of Justice on a sanctions page). This module lives in `registers` for the reason
the timeline does: it reads several domains, which the kernel (`core`, `entities`) must not.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, OuterRef, Q, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from civwatch.accountability import public as accountability_public
from civwatch.accountability.models import Entry, EntryStatus
from civwatch.core.records import Revision
from civwatch.registers.models import Register, Snapshot
from civwatch.sanctions.models import Dataset, DatasetVersion


@dataclass(frozen=True)
class DataSource:
    title: str
    publisher: str
    url: str  # the publisher's page of the list ("" when unknown)
    as_of: datetime.date | None  # the date of the newest data of it we hold


def register_sources(slugs: Iterable[str] | None = None) -> list[DataSource]:
    """The registers (all, or `slugs`) of which a snapshot was applied, each as of its latest
    applied snapshot (one query)."""
    registers = Register.objects.all()
    if slugs is not None:
        registers = registers.filter(slug__in=list(slugs))
    applied = Q(snapshots__status=Snapshot.Status.APPLIED)
    registers = registers.annotate(day=Max("snapshots__as_of", filter=applied))
    return [
        DataSource(register.name, register.publisher, register.source_url, register.day)
        for register in registers.filter(day__isnull=False).order_by("slug")
    ]


def dataset_sources(
    slugs: Iterable[str] | None = None, kind: str | None = None
) -> list[DataSource]:
    """The imported lists (all, or `slugs`, or of one kind), each as of its latest version:
    the list's own date of it, else the day we imported it (one query)."""
    datasets = Dataset.objects.all()
    if slugs is not None:
        datasets = datasets.filter(slug__in=list(slugs))
    if kind is not None:
        datasets = datasets.filter(kind=kind)
    latest = DatasetVersion.objects.filter(dataset=OuterRef("pk")).order_by(
        *DatasetVersion.LATEST_FIRST
    )
    datasets = datasets.annotate(
        latest_date=Subquery(latest.values("source_date")[:1]),
        latest_import=Subquery(latest.values("imported_at")[:1]),
    )
    return [
        DataSource(dataset.title, dataset.publisher, dataset.source_url,
                   dataset.latest_date or dataset.latest_import.date())
        for dataset in datasets.filter(latest_import__isnull=False).order_by("slug")
    ]  # fmt: skip


def organisation() -> str:
    return settings.CIVWATCH_ORGANISATION_NAME or "civwatch"


def accountability_source() -> DataSource:
    """The accountability list as of its latest publication of a public entry."""
    public = accountability_public.entries().values_list("pk", flat=True)
    published = Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(Entry),
        object_id__in=[str(pk) for pk in public],
        action=EntryStatus.PUBLISHED,
    ).aggregate(at=Max("at"))["at"]
    return DataSource(
        _("Accountability list"),
        organisation(),
        reverse("accountability:list"),
        published.date() if published else None,
    )


def latest(sources: Iterable[DataSource]) -> datetime.date | None:
    days = [source.as_of for source in sources if source.as_of]
    return max(days) if days else None


# The sources of each section of the site, by URL namespace: what its pages show. Sections
# not here (case records, letters, initiatives...) are civwatch's own documentation.
SECTIONS: dict[str, Any] = {
    "registers": register_sources,
    "sanctions": dataset_sources,
    "accountability": lambda: [accountability_source(), *dataset_sources(kind="official")],
    "releases": lambda: [*register_sources(), accountability_source()],
    "screening": lambda: [*register_sources(), *dataset_sources(), accountability_source()],
}


def section_sources(request: HttpRequest) -> list[DataSource]:
    match = getattr(request, "resolver_match", None)
    sources = SECTIONS.get(match.namespace if match else "")
    return sources() if sources else []


def page_sources(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the footer's sources, read only when a page's footer asks."""
    return {"page_sources": SimpleLazyObject(lambda: section_sources(request))}
