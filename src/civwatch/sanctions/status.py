"""Who has sanctioned a person, under which programme, since when, and who has not yet.

The public entry point for other apps (the accountability list, dossiers) is
`sanctions_status(entity)`.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from civwatch.entities.models import Entity
from civwatch.sanctions.models import (
    CASES,
    JURISDICTIONS,
    Dataset,
    Link,
    ListEntry,
)
from civwatch.sanctions.programmes import kind_label, regime_kinds


@dataclass(frozen=True)
class Listing:
    """One programme of one official list that names the person."""

    dataset: str  # slug
    dataset_title: str
    programme: str  # "" when the list gives none
    since: datetime.date | None
    source_id: str
    name: str  # as the list gives it
    # Kinds of regime (programmes.json): "human_rights", "anti_corruption", "russia", "other".
    kinds: tuple[str, ...] = ()

    @property
    def kind_labels(self) -> list[str]:
        return [kind_label(kind) for kind in self.kinds]


@dataclass(frozen=True)
class ExternalListing:
    """An entry on an external (non-governmental) list, e.g. the ACF list."""

    dataset: str
    dataset_title: str
    source_id: str
    name: str
    tags: tuple[str, ...]
    description: str


@dataclass
class SanctionsStatus:
    by_jurisdiction: dict[str, list[Listing]] = field(default_factory=dict)
    not_acted: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    external: list[ExternalListing] = field(default_factory=list)
    entity_ids: frozenset[str] = frozenset()
    # Per jurisdiction, the date of its latest imported official list (None when no list of
    # it is imported, or its versions have no date): "not listed" holds as of that date.
    as_of: dict[str, datetime.date | None] = field(default_factory=dict)
    # Per jurisdiction with no confirmed listing, the official listings of possible matches
    # (proposed links an editor has not decided); only when asked (`with_possible`, staff
    # views and dossiers). Such a jurisdiction is not in `not_acted`: it may well have acted.
    awaiting_review: dict[str, list["PossibleListing"]] = field(default_factory=dict)

    @property
    def sanctioned(self) -> bool:
        return any(self.by_jurisdiction.values())

    def kinds(self, code: str) -> set[str]:
        """The kinds of regime under which jurisdiction `code` lists the person."""
        return {kind for listing in self.by_jurisdiction.get(code, []) for kind in listing.kinds}

    def as_dict(self) -> dict:
        """The JSON form used by the API."""
        return {
            "jurisdictions": {
                code: [
                    {
                        "dataset": listing.dataset,
                        "dataset_title": listing.dataset_title,
                        "programme": listing.programme,
                        "since": listing.since.isoformat() if listing.since else None,
                        "source_id": listing.source_id,
                        "name": listing.name,
                        "kinds": list(listing.kinds),
                    }
                    for listing in listings
                ]
                for code, listings in self.by_jurisdiction.items()
            },
            "as_of": {
                code: date.isoformat() if date else None for code, date in self.as_of.items()
            },
            "not_acted": self.not_acted,
            "awaiting_review": {
                code: [
                    {
                        "dataset": p.listing.dataset,
                        "dataset_title": p.listing.dataset_title,
                        "programme": p.listing.programme,
                        "source_id": p.listing.source_id,
                        "name": p.listing.name,
                        "link_id": p.link_id,
                        "score": p.score,
                    }
                    for p in possible
                ]
                for code, possible in self.awaiting_review.items()
            },
            "unchecked": self.unchecked,
            "external": [
                {
                    "dataset": e.dataset,
                    "dataset_title": e.dataset_title,
                    "source_id": e.source_id,
                    "name": e.name,
                    "tags": list(e.tags),
                }
                for e in self.external
            ],
        }


def confirmed_links(public_only: bool = False):
    links = Link.objects.filter(status=Link.Status.CONFIRMED)
    if public_only:
        links = links.exclude(left_dataset=CASES).exclude(right_dataset=CASES)
    return links


def confirmed_component(entity_ids: Iterable[str], public_only: bool = False) -> set[str]:
    """The entities joined to these by confirmed links, directly or through others."""
    found, frontier = set(entity_ids), set(entity_ids)
    while frontier:
        pairs = confirmed_links(public_only).filter(
            Q(left_entity_id__in=frontier) | Q(right_entity_id__in=frontier)
        )
        reached = {
            e for pair in pairs.values_list("left_entity_id", "right_entity_id") for e in pair
        }
        frontier = reached - found
        found |= reached
    return found


def sanctions_status(
    entity: Entity | str, public_only: bool = False, with_possible: bool = False
) -> SanctionsStatus:
    """The sanctions status of a person or organisation, across every imported dataset.

    Counts the entity's own list entries and those of every entity joined to it by confirmed
    links (proposed and rejected links never count). Only entries present in their dataset's
    latest version count. With `public_only=True` only public links are followed (confirmed
    links that do not involve a case record): what public pages and the public API use. A
    caller that publishes a record of its own (a published accountability-list entry)
    decides itself whether the links of that record may be shown.

    Returns a `SanctionsStatus` with:
    - `by_jurisdiction`: for each of "us", "uk", "eu", "ca", the `Listing`s (dataset slug and
      title, programme, listed since or None, the list's own id, the name as listed) of the
      official lists of that jurisdiction; an entry with several programmes gives one
      `Listing` per programme;
    - `not_acted`: the jurisdictions with no listing, in that order (with `with_possible`,
      less those awaiting review);
    - `awaiting_review` (only with `with_possible`, never for public output): per
      jurisdiction with no confirmed listing, the `PossibleListing`s reached through proposed
      links, which an editor has yet to confirm or reject;
    - `unchecked`: those of `not_acted` for which no official list is imported at all, so
      "not acted" only means "not known to have acted";
    - `external`: entries on external lists (tags, description);
    - `entity_ids`: the entities whose entries were counted;
    - `as_of`: per jurisdiction, the date of its latest imported official list (None when
      none is imported or undated), so "not listed" reads "not listed as of that date".

    Each `Listing` carries the kinds of regime of its programme (programmes.json):
    `status.kinds("uk")` is e.g. {"human_rights"}.
    """
    entity_id = entity.pk if isinstance(entity, Entity) else entity
    ids = confirmed_component([entity_id], public_only)
    entries = (
        ListEntry.objects.filter(entity_id__in=ids, present=True)
        .select_related("dataset")
        .order_by("dataset_id", "source_id")
    )
    status = SanctionsStatus(by_jurisdiction={code: [] for code in JURISDICTIONS})
    for entry in entries:
        dataset = entry.dataset
        if is_official(dataset):
            status.by_jurisdiction[dataset.jurisdiction] += listings_of(entry)
        else:
            status.external.append(
                ExternalListing(
                    dataset.slug,
                    dataset.title,
                    entry.source_id,
                    entry.name,
                    tuple(entry.tags),
                    entry.description,
                )
            )
    covered = set(
        Dataset.objects.filter(kind=Dataset.Kind.OFFICIAL).values_list("jurisdiction", flat=True)
    )
    if with_possible and not public_only:
        for member in sorted(ids):
            for possible in possible_listings(member):
                if possible.listing.source_id and not status.by_jurisdiction.get(
                    possible.jurisdiction, True
                ):
                    status.awaiting_review.setdefault(possible.jurisdiction, []).append(possible)
    status.not_acted = [
        code
        for code in JURISDICTIONS
        if not status.by_jurisdiction[code] and code not in status.awaiting_review
    ]
    status.unchecked = [code for code in status.not_acted if code not in covered]
    status.entity_ids = frozenset(ids)
    status.as_of = list_dates()
    return status


def list_dates() -> dict[str, datetime.date | None]:
    """Per jurisdiction, the latest source date of the latest version of its official lists."""
    dates: dict[str, datetime.date | None] = dict.fromkeys(JURISDICTIONS)
    for dataset in Dataset.objects.filter(kind=Dataset.Kind.OFFICIAL).exclude(jurisdiction=""):
        version = dataset.latest_version
        date = version.source_date if version else None
        if date and (dates.get(dataset.jurisdiction) is None or date > dates[dataset.jurisdiction]):
            dates[dataset.jurisdiction] = date
    return dates


def is_official(dataset: Dataset) -> bool:
    return dataset.kind == Dataset.Kind.OFFICIAL and bool(dataset.jurisdiction)


def listings_of(entry: ListEntry) -> list[Listing]:
    """One `Listing` per programme of an official list's entry, each with its own listing
    date when the list gives one per programme (the UK's `programme_since`)."""
    dataset = entry.dataset
    per_programme = entry.record.get("programme_since") or {}
    return [
        Listing(
            dataset.slug,
            dataset.title,
            programme,
            datetime.date.fromisoformat(per_programme[programme])
            if per_programme.get(programme)
            else entry.listed_since,
            entry.source_id,
            entry.name,
            regime_kinds(dataset.slug, programme),
        )
        for programme in entry.programmes or [""]
    ]


@dataclass(frozen=True)
class PossibleListing:
    """An official listing of a possible match: a proposed link an editor has not decided."""

    jurisdiction: str
    listing: Listing
    link_id: int
    score: float


def possible_listings(entity: Entity | str) -> list[PossibleListing]:
    """Official listings reached through proposed links, best score first. Internal: staff
    pages show them so that a researcher sees at once who may already be sanctioned; they
    never count in `sanctions_status` until an editor confirms the link."""
    entity_id = entity.pk if isinstance(entity, Entity) else entity
    links = Link.objects.filter(status=Link.Status.PROPOSED).filter(
        Q(left_entity_id=entity_id) | Q(right_entity_id=entity_id)
    )
    link_to = {
        (link.right_entity_id if link.left_entity_id == entity_id else link.left_entity_id): link
        for link in links
    }
    entries = ListEntry.objects.filter(entity_id__in=link_to, present=True).select_related(
        "dataset"
    )
    possible = [
        PossibleListing(entry.dataset.jurisdiction, listing, link.pk, link.score)
        for entry in entries
        if is_official(entry.dataset)
        for link in [link_to[entry.entity_id]]
        for listing in listings_of(entry)
    ]
    return sorted(possible, key=lambda p: (-p.score, p.jurisdiction, p.listing.programme))


def linked_to_official_lists() -> set[str]:
    """Entities joined by a proposed or confirmed link to an entry of an official list."""
    official = set(
        ListEntry.objects.filter(present=True, dataset__kind=Dataset.Kind.OFFICIAL)
        .exclude(dataset__jurisdiction="")
        .values_list("entity_id", flat=True)
    )
    pairs = Link.objects.exclude(status=Link.Status.REJECTED).values_list(
        "left_entity_id", "right_entity_id"
    )
    return {a for pair in pairs for a, b in (pair, pair[::-1]) if b in official}
