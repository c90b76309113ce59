"""Every public list in the database as one screening index, scoped by dataset.

What is screened: the state registers (designations, and the members the designated
organisations list), every imported sanctions and external list (entries present in their
latest version) and the published accountability list. Case records are not: their people
are confidential, and this index is served to anyone.

Persons that an editor confirmed to be the same (sanctions.Link, confirmed, between two
public datasets) are one record: their names pooled, one result, whose `referents` are the
other members' ids and whose listings are all of theirs.

Dataset names are the lists' own slugs (register slugs, sanctions dataset slugs) and the
collections `default` (everything here), `sanctions` (official sanctions lists), `registers`
and `accountability`. A record is in a scope when any of its listings is.
"""

import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Max
from followthemoney import model
from followthemoney.exc import InvalidData

from civwatch.accountability.models import PUBLIC_ENTRY_STATUSES
from civwatch.core.cache import VersionedCache
from civwatch.core.ftm import entity_proxy
from civwatch.core.records import Visibility
from civwatch.entities.models import Entity, EntityName, Identifier, Website
from civwatch.matching import DEFAULT_THRESHOLD, Record, Result, ScreeningIndex, record_from_ftm
from civwatch.registers.models import Designation, Register
from civwatch.sanctions.models import CASES, Dataset, Link, ListEntry
from civwatch.screening import index_file
from civwatch.screening.models import ListsChange
from civwatch.screening.signals import forget_recorded

DEFAULT, SANCTIONS, REGISTERS = "default", "sanctions", "registers"
ACCOUNTABILITY = "accountability"
EXTERNAL = "external"  # the group of external lists: not a dataset name of its own
COLLECTIONS = (DEFAULT, SANCTIONS, REGISTERS, ACCOUNTABILITY)
# Older clients of POST /api/match used this name for everything.
ALIASES = {"civwatch": DEFAULT}
# Which member's id and name a pooled record goes by: a register's own entity first.
GROUP_ORDER = {REGISTERS: 0, ACCOUNTABILITY: 1, SANCTIONS: 2, EXTERNAL: 3}
# FtM topics by group, for yente's `topics` filter: the Russian state registers designate
# critics of the state (OpenSanctions files such lists as counter-sanctions); external lists
# and the accountability list name persons of interest.
GROUP_TOPICS = {SANCTIONS: "sanction", REGISTERS: "sanction.counter", EXTERNAL: "poi",
                ACCOUNTABILITY: "poi"}  # fmt: skip
# The name search ranks what the index's scorer returns (its best-voted candidates); the
# pages list the rows that merely contain the typed text after these.
NAME_SEARCH_LIMIT = 50
ID_CHUNK = 900  # SQLite's limit on query parameters, with room to spare


class UnknownDataset(LookupError):
    def __init__(self, name: str, known: list[str]):
        super().__init__(f"unknown dataset {name!r}; use one of {', '.join(known)}")
        self.name = name


@dataclass(frozen=True)
class Listing:
    """Where a list names the person: the dataset, the programme or legal basis, the date,
    and the list's own reference (register row, list entry id)."""

    dataset: str
    group: str  # registers, sanctions, external, accountability
    title: str
    programme: str = ""
    date: datetime.date | None = None
    reference: str = ""
    status: str = ""
    url: str = ""
    via: str = ""  # for a member listed through its organisation: that organisation

    def as_dict(self) -> dict:
        return {
            "dataset": self.dataset,
            "group": self.group,
            "title": self.title,
            "programme": self.programme,
            "date": self.date.isoformat() if self.date else None,
            "reference": self.reference,
            "status": self.status,
            "url": self.url,
            "via": self.via,
        }


@dataclass
class Listed:
    """One screened record: a person or organisation with every listing naming it."""

    id: str
    caption: str
    schema: str
    properties: dict[str, list[str]]
    listings: list[Listing]
    referents: list[str] = field(default_factory=list)
    # When we first stored any member, and the latest of that and its listings' dates.
    first_seen: datetime.datetime | None = None
    last_change: datetime.datetime | None = None

    # A record is not changed once its index is built (a change builds a new index), so what
    # every answer derives from it is derived once: hits and filters cost no work per record.
    @cached_property
    def topics(self) -> list[str]:
        return sorted({GROUP_TOPICS[listing.group] for listing in self.listings})

    @cached_property
    def datasets(self) -> list[str]:
        return sorted({listing.dataset for listing in self.listings})

    def as_ftm(self) -> dict:
        """The record as a flat FtM entity with yente's envelope (datasets, referents, times);
        a new dict each time, for callers to extend."""
        return {
            "id": self.id, "caption": self.caption, "schema": self.schema,
            "properties": {**self.properties, "topics": self.topics},
            "datasets": self.datasets, "referents": self.referents, "target": True,
            "first_seen": iso(self.first_seen), "last_seen": iso(self.last_change),
            "last_change": iso(self.last_change),
        }  # fmt: skip

    @cached_property
    def match_json(self) -> str:
        """The record's part of a /match result as JSON text without its closing brace:
        serialised at the record's first hit and kept with the index, so an answer only adds
        each hit's score and explanation (civwatch.screening.api.result_json)."""
        data = {**self.as_ftm(), "listings": [listing.as_dict() for listing in self.listings]}
        return json.dumps(data, ensure_ascii=False)[:-1]

    @property
    def url(self) -> str:
        return self.listings[0].url if self.listings else ""


@dataclass
class Hit:
    """A search result with the record it found (the index's own copy: no database query)."""

    id: str
    score: float
    match: bool
    explanation: dict
    listed: Listed


def iso(moment: datetime.datetime | None) -> str | None:
    return moment.replace(microsecond=0).isoformat() if moment else None


def aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    """A time given without a zone (`changed_since=2024-01-01`) is taken as UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    return moment


@dataclass(frozen=True)
class Filters:
    """yente's filter parameters. A record is kept when one of its datasets is among
    `include_datasets` (if given) and one is outside `exclude_datasets`, its schema is not
    excluded (and among `schemata`, if given), neither its id nor a referent is excluded,
    it has one of `topics` (if given) and it changed at or after `changed_since`."""

    include_datasets: frozenset[str] = frozenset()
    exclude_datasets: frozenset[str] = frozenset()
    exclude_schemata: frozenset[str] = frozenset()
    schemata: frozenset[str] = frozenset()  # if given, only these (search's `schema`)
    exclude_ids: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    changed_since: datetime.datetime | None = None

    def active(self) -> bool:
        return any((self.include_datasets, self.exclude_datasets, self.exclude_schemata,
                    self.schemata, self.exclude_ids, self.topics,
                    self.changed_since))  # fmt: skip

    def keeps(self, listed: Listed) -> bool:
        datasets = set(listed.datasets)
        if self.include_datasets and not datasets & self.include_datasets:
            return False
        if self.exclude_datasets and not datasets - self.exclude_datasets:
            return False
        if listed.schema in self.exclude_schemata:
            return False
        if self.schemata and listed.schema not in self.schemata:
            return False
        if self.exclude_ids & {listed.id, *listed.referents}:
            return False
        if self.topics and not self.topics & set(listed.topics):
            return False
        if self.changed_since is not None:
            return listed.last_change is not None and listed.last_change >= self.changed_since
        return True


class ListsIndex:
    def __init__(self, listed: list[Listed], records: list[Record], datasets: list[str]):
        self.listed = listed
        self.index = ScreeningIndex(records)
        self.number = {entry.id: n for n, entry in enumerate(listed)}
        for n, entry in enumerate(listed):
            for referent in entry.referents:
                self.number.setdefault(referent, n)
        self.scopes: dict[str, frozenset[int]] = {}
        members: dict[str, set[int]] = defaultdict(set)
        for n, entry in enumerate(listed):
            for listing in entry.listings:
                members[listing.dataset].add(n)
                if listing.group != EXTERNAL:
                    members[listing.group].add(n)
        for name in {*datasets, SANCTIONS, REGISTERS, ACCOUNTABILITY}:
            self.scopes[name] = frozenset(members.get(name, ()))
        self.by_schema: dict[str, set[int]] = defaultdict(set)
        for n, entry in enumerate(listed):
            self.by_schema[entry.schema].add(n)
        self.allowed: dict[tuple[str, str | None], frozenset[int] | None] = {}

    def __len__(self) -> int:
        return len(self.listed)

    def dataset_names(self) -> list[str]:
        return sorted({DEFAULT, *self.scopes})

    def resolve(self, dataset: str) -> str:
        name = ALIASES.get(dataset, dataset)
        if name != DEFAULT and name not in self.scopes:
            raise UnknownDataset(dataset, self.dataset_names())
        return name

    def search(
        self,
        query: Record,
        dataset: str = DEFAULT,
        limit: int = 10,
        threshold: float = DEFAULT_THRESHOLD,
        cutoff: float = 0.0,
        schema: str | None = None,
        filters: Filters | None = None,
        complete: bool = False,
    ) -> list[Hit]:
        """The best records of the dataset; with `schema`, only those an entity of that
        schema can match (FtM's can_match: a Person query never finds an Organization); with
        `complete`, the query's last word may be unfinished (matching.ScreeningIndex.search)."""
        within = self.filtered(dataset, schema, filters)
        results = self.index.search(
            query, limit=limit, threshold=threshold, within=within, complete=complete
        )
        return [self.hit(result) for result in results if result.score >= cutoff]

    def search_name(
        self, text: str, among: Iterable[str] | None = None, dataset: str = DEFAULT
    ) -> dict[str, float]:
        """The public lists' search by name, any spelling: the ids of the entities whose
        record matches every word of `text` (in any script, romanisation, or as an initial),
        with the record's score, best first. Every member of a pooled record (its referents)
        gets the record's score. With `among`, only records with a member among those ids:
        the filters of a page narrow the search before the best candidates are picked.

        Every word must match: a search lists the records it names, not the nearest ones
        ("Angela Merkel" would otherwise find an Anzhela or a company called Angola)."""
        query = name_record(text)
        if not query.names:
            return {}
        within = self.filtered(dataset)
        if among is not None:
            numbers = {self.number[x] for x in among if x in self.number}
            within = frozenset(numbers if within is None else numbers & within)
        results = self.index.search(query, limit=NAME_SEARCH_LIMIT, within=within)
        found: dict[str, float] = {}
        for result in results:
            name = result.explanation.get("name") or {}
            if not name or name.get("unmatched_query"):
                continue
            listed = self.listed[self.number[result.id]]
            for entity_id in (listed.id, *listed.referents):
                found.setdefault(entity_id, result.score)
        return found

    def filtered(
        self,
        dataset: str,
        schema: str | None = None,
        filters: Filters | None = None,
    ) -> frozenset[int] | None:
        """The records a search may return: the dataset's, of a compatible schema, narrowed
        by yente's filter parameters (None: every record)."""
        allowed = self.within(self.resolve(dataset), schema)
        if filters is None or not filters.active():
            return allowed
        numbers = range(len(self.listed)) if allowed is None else allowed
        return frozenset(n for n in numbers if filters.keeps(self.listed[n]))

    def within(self, name: str, schema: str | None) -> frozenset[int] | None:
        key = (name, schema)
        if key not in self.allowed:
            allowed = None if name == DEFAULT else self.scopes[name]
            if schema is not None:
                wanted = model.get(schema)
                compatible = set().union(*(
                    numbers for other, numbers in self.by_schema.items()
                    if wanted is not None and wanted.can_match(model.get(other))
                ))  # fmt: skip
                allowed = frozenset(compatible if allowed is None else compatible & allowed)
            self.allowed[key] = allowed
        return self.allowed[key]

    def hit(self, result: Result) -> Hit:
        listed = self.listed[self.number[result.id]]
        return Hit(result.id, result.score, result.match, result.explanation, listed)

    def get(self, entity_id: str) -> Listed | None:
        number = self.number.get(entity_id)
        return None if number is None else self.listed[number]


def name_record(name: str, schema: str = "Thing", birth_date: str | None = None) -> Record:
    """A typed name as a query record: the screening page's, yente's text search and the
    lists' name search. "Thing" when the type is not known: persons and organisations."""
    properties = {"name": [name]}
    if birth_date:
        properties["birthDate"] = [birth_date]
    return record_from_ftm({"schema": schema, "properties": properties})


def collect_listings() -> dict[str, list[Listing]]:
    """Every public listing, by the id of the entity it names."""
    listings: dict[str, list[Listing]] = defaultdict(list)
    designations = Designation.objects.select_related("register", "legal_basis", "entity")
    by_organisation: dict[str, list[Designation]] = defaultdict(list)
    for designation in designations.order_by("listed_on", "pk"):
        by_organisation[designation.entity_id].append(designation)
        listings[designation.entity_id].append(designation_listing(designation))
    memberships = Entity.members.through.objects.filter(from_entity_id__in=list(by_organisation))
    for organisation_id, member_id in memberships.values_list("from_entity_id", "to_entity_id"):
        for designation in by_organisation.get(organisation_id, ()):
            listings[member_id].append(
                designation_listing(designation, via=designation.entity.name)
            )
    entries = ListEntry.objects.filter(present=True).select_related("dataset")
    entries = entries.defer("record", "description", "tags")
    for entry in entries.order_by("dataset_id", "pk"):
        official = entry.dataset.kind == Dataset.Kind.OFFICIAL
        listings[entry.entity_id].append(
            Listing(
                dataset=entry.dataset_id,
                group=SANCTIONS if official else EXTERNAL,
                title=entry.dataset.title,
                programme="; ".join(str(p) for p in entry.programmes or ()),
                date=entry.listed_since,
                reference=entry.source_id,
                url=entry.get_absolute_url(),
            )
        )
    for entry in published_entries():
        listing = Listing(
            dataset=ACCOUNTABILITY, group=ACCOUNTABILITY, title="Accountability list",
            programme=entry.get_status_display(), reference=str(entry.pk),
            status=entry.status, url=entry.get_absolute_url(),
        )  # fmt: skip
        listings[entry.entity_id].append(listing)
    return listings


def published_entries():
    from civwatch.accountability import public

    return public.entries(Visibility.PUBLIC).filter(status__in=PUBLIC_ENTRY_STATUSES)


def designation_listing(designation: Designation, via: str = "") -> Listing:
    basis = designation.legal_basis
    return Listing(
        dataset=designation.register_id,
        group=REGISTERS,
        title=designation.register.name_en,
        programme=basis.short_en if basis else "",
        date=designation.listed_on,
        reference=designation.row_id,
        status=designation.status,
        url=designation.entity.get_absolute_url(),
        via=via,
    )


def confirmed_groups(entity_ids: set[str]) -> list[list[str]]:
    """Entities joined by confirmed public links, as groups (union-find; singletons too)."""
    parent = {entity_id: entity_id for entity_id in entity_ids}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    links = Link.objects.filter(status=Link.Status.CONFIRMED).exclude(left_dataset=CASES)
    links = links.exclude(right_dataset=CASES)
    for left, right in links.values_list("left_entity_id", "right_entity_id"):
        if left in parent and right in parent:
            parent[root(left)] = root(right)
    groups: dict[str, list[str]] = defaultdict(list)
    for entity_id in sorted(entity_ids):
        groups[root(entity_id)].append(entity_id)
    return list(groups.values())


def load_entities(entity_ids: list[str]) -> Iterator[Entity]:
    """The entities with their names, identifiers and websites, in four queries a chunk.

    prefetch_related would do the same but clones a queryset per entity and relation: two
    thirds of the build time at 18,000 entities. The lists are put where it puts them, so
    entity_proxy reads them without a query."""
    for start in range(0, len(entity_ids), ID_CHUNK):
        chunk = entity_ids[start : start + ID_CHUNK]
        related: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for name, kind in (("names", EntityName), ("identifiers", Identifier),
                           ("websites", Website)):  # fmt: skip
            for row in kind.objects.filter(entity_id__in=chunk).order_by("pk"):
                related[row.entity_id][name].append(row)
        for entity in Entity.objects.filter(pk__in=chunk):
            rows = related[entity.pk]
            entity._prefetched_objects_cache = {
                name: rows[name] for name in ("names", "identifiers", "websites")
            }
            yield entity


def build_lists_index(on_step: Callable[[str], None] | None = None) -> ListsIndex:
    """The index of every public list, from the database. `on_step` is told each of
    BUILD_STEPS as it is done (the screening-index job's progress)."""
    step = on_step or (lambda line: None)
    listings = collect_listings()
    step(f"{len(listings)} listed entities found")
    entities = {entity.pk: entity for entity in load_entities(sorted(listings))}
    step(f"{len(entities)} entities with their names and identifiers read")
    listed, records = [], []
    for group in confirmed_groups(set(entities)):
        for members in split_by_schema(group, entities):
            members.sort(key=lambda m: (min(GROUP_ORDER[x.group] for x in listings[m]), m))
            first = entities[members[0]]
            proxy = entity_proxy(first)
            for other in members[1:]:
                try:
                    proxy.merge(entity_proxy(entities[other]))
                except InvalidData:  # schemas that cannot merge stay apart (not expected)
                    continue
            data = proxy.to_dict()
            listed.append(
                Listed(
                    id=first.pk,
                    caption=first.name,
                    schema=data["schema"],
                    properties=data["properties"],
                    listings=[x for m in members for x in listings[m]],
                    referents=members[1:],
                    first_seen=min(entities[m].created_at for m in members),
                    last_change=last_change(members, entities, listings),
                )
            )
            records.append(record_from_ftm(data))
    step(f"{len(listed)} records made")
    datasets = [*Register.objects.values_list("slug", flat=True)]
    datasets += Dataset.objects.values_list("slug", flat=True)
    index = ListsIndex(listed, records, datasets)
    step("index built")
    return index


BUILD_STEPS = 4  # the calls of build_lists_index's on_step


def last_change(
    members: list[str], entities: dict[str, Entity], listings: dict[str, list[Listing]]
) -> datetime.datetime:
    """The latest of the members' storing and their listings' dates (a listing's date is
    taken as the start of that day, in UTC)."""
    times = [entities[m].created_at for m in members]
    for member in members:
        times += [
            datetime.datetime.combine(x.date, datetime.time(), datetime.UTC)
            for x in listings[member]
            if x.date is not None
        ]
    return max(times)


def split_by_schema(group: list[str], entities: dict[str, Entity]) -> list[list[str]]:
    """A confirmed link joins two persons; should one side be an organisation, keep it apart."""
    by_schema: dict[str, list[str]] = defaultdict(list)
    for entity_id in group:
        by_schema[entities[entity_id].schema].append(entity_id)
    return list(by_schema.values())


def lists_version() -> tuple:
    """Moves with every change to a list (civwatch.screening.signals) this connection can see.
    With the time: a row of a rolled-back transaction may have had the id the next one gets
    (SQLite reuses it), never its microsecond."""
    forget_recorded()
    changes = ListsChange.objects.aggregate(last=Max("pk"), count=Count("pk"), at=Max("at"))
    return changes["last"], changes["count"], changes["at"]


def load_index_file(version: tuple) -> ListsIndex | None:
    """The index the background worker built for this version, if it wrote one."""
    index = index_file.load(version)
    return index if isinstance(index, ListsIndex) else None


_index: VersionedCache[ListsIndex] = VersionedCache(
    lists_version, build_lists_index, load=load_index_file
)


def database_index() -> ListsIndex:
    """The index of every public list, shared by the process until a list changes: the one
    the worker wrote for the current version (civwatch.screening.index_file), else built here."""
    return _index.get()
