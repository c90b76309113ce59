"""Writing one version of a dataset: entries added, changed, removed, all in one transaction.

A version is identified by the sha256s of its files: importing the same files again changes
nothing. Otherwise each entry of the new version is paired with the stored entry of the same
source id; what differs in their `record` is an `EntryChange` of kind `changed` (field ->
[before, after]); stored entries missing from the new version are marked absent (`removed`),
and come back as `reinstated`.
"""

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from civwatch.core import audit
from civwatch.entities.models import Entity, EntityName
from civwatch.sanctions.models import Dataset, DatasetVersion, EntryChange, ListEntry
from civwatch.sanctions.sources import ParsedDataset, ParsedEntry

ENTITY_KINDS = {"Person": Entity.Kind.PERSON}
BATCH = 1000


@dataclass(frozen=True)
class DatasetSpec:
    """What a dataset is, as the importer knows it (the command line may override parts)."""

    slug: str
    title: str
    publisher: str = ""
    source_url: str = ""
    licence: str = ""
    jurisdiction: str = ""
    kind: str = Dataset.Kind.EXTERNAL


@dataclass
class VersionReport:
    dataset: str
    version: DatasetVersion | None  # None: these files were imported before
    entries: int = 0

    def describe(self) -> str:
        if self.version is None:
            return f"{self.dataset}: these files were imported before, nothing to do"
        v = self.version
        lines = [
            f"{self.dataset}: {self.entries} entries; {v.added} added, {v.changed} changed, "
            f"{v.removed} removed"
        ]
        return "\n".join(lines + [f"  note: {note}" for note in v.notes])


def fingerprint(files: dict[str, str]) -> str:
    return hashlib.sha256("\n".join(sorted(files.values())).encode()).hexdigest()


def entity_id(slug: str, source_id: str) -> str:
    candidate = f"{slug}-{source_id}"
    if len(candidate) <= 64 and candidate.replace("-", "").replace("_", "").isalnum():
        return candidate
    digest = hashlib.sha1(source_id.encode(), usedforsecurity=False).hexdigest()[:16]
    return f"{slug[:40]}-{digest}"


def entity_names(entity: Entity, parsed: ParsedEntry) -> list[EntityName]:
    pairs = dict.fromkeys(
        [
            (parsed.name, EntityName.Kind.PRIMARY),
            *((n, EntityName.Kind.ALIAS) for n in parsed.aliases + parsed.weak_aliases),
        ]
    )
    entity.index_names([name for name, _ in pairs])
    return [EntityName(entity=entity, name=n[:1000], kind=k) for n, k in pairs]


def fill_entity(entity: Entity, parsed: ParsedEntry) -> list[EntityName]:
    entity.kind = ENTITY_KINDS.get(parsed.schema, Entity.Kind.ORGANIZATION)
    entity.name = parsed.name[:1000]
    entity.birth_date = parsed.birth_dates[0][:10] if parsed.birth_dates else ""
    countries = parsed.details.get("nationalities") or parsed.details.get("countries") or [""]
    entity.country = countries[0][:100]
    return entity_names(entity, parsed)


def fill_entry(entry: ListEntry, parsed: ParsedEntry) -> None:
    entry.schema = parsed.schema
    entry.name = parsed.name[:1000]
    entry.programmes = parsed.programmes
    entry.listed_since = parsed.listed_since
    entry.tags = parsed.tags
    entry.description = parsed.description
    entry.record = parsed.record


def record_diff(before: dict, after: dict) -> dict:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    }


@transaction.atomic
def write_version(
    spec: DatasetSpec,
    parsed: ParsedDataset,
    source_date: datetime.date | None,
    progress: Callable[[int], None] = lambda done: None,
) -> VersionReport:
    """Write the version unless its files were imported before; `progress` gets entry counts."""
    # One audit event per list version, with counts, instead of one per row (docs/audit.md).
    with audit.bulk("sanctions-version", dataset=spec.slug) as batch:
        report = _write_version(spec, parsed, source_date, progress)
        if report.version is not None:
            version = report.version
            batch.describe(
                version,
                added=version.added,
                changed=version.changed,
                removed=version.removed,
                entries=report.entries,
            )
        else:
            batch.describe(status="files imported before, nothing written")
        return report


def _write_version(
    spec: DatasetSpec,
    parsed: ParsedDataset,
    source_date: datetime.date | None,
    progress: Callable[[int], None],
) -> VersionReport:
    dataset, _ = Dataset.objects.update_or_create(
        slug=spec.slug,
        defaults={
            "title": spec.title,
            "publisher": spec.publisher,
            "source_url": spec.source_url,
            "licence": spec.licence,
            "jurisdiction": spec.jurisdiction,
            "kind": spec.kind,
        },
    )
    print_ = fingerprint(parsed.files)
    if dataset.versions.filter(fingerprint=print_).exists():
        return VersionReport(spec.slug, None)
    version = DatasetVersion.objects.create(
        dataset=dataset,
        source_date=source_date,
        files=parsed.files,
        fingerprint=print_,
        notes=parsed.notes,
    )
    stored = {e.source_id: e for e in dataset.entries.all()}
    taken = set(Entity.objects.filter(list_entries__dataset=dataset).values_list("pk", flat=True))
    new_entities, new_names, new_entries, changes = [], [], [], []
    updated_entries, updated_entities, renamed = [], [], []
    for number, item in enumerate(parsed.entries, 1):
        if number % BATCH == 0:
            progress(BATCH)
        entry = stored.pop(item.source_id, None)
        if entry is None:
            entity = Entity(id=entity_id(spec.slug, item.source_id))
            if entity.id in taken:
                raise ValueError(f"two entries of {spec.slug} map to entity {entity.id}")
            taken.add(entity.id)
            new_names += fill_entity(entity, item)
            new_entities.append(entity)
            entry = ListEntry(dataset=dataset, source_id=item.source_id, entity=entity)
            entry.first_version = entry.last_version = version
            fill_entry(entry, item)
            new_entries.append(entry)
            changes.append(EntryChange(version=version, entry=entry, kind=EntryChange.Kind.ADDED))
            continue
        diff = record_diff(entry.record, item.record)
        kind = EntryChange.Kind.REINSTATED if not entry.present else None
        kind = kind or (EntryChange.Kind.CHANGED if diff else None)
        entry.present, entry.last_version = True, version
        if diff:
            fill_entry(entry, item)
            renamed.append((entry.entity, item))
            updated_entities.append(entry.entity)
        updated_entries.append(entry)
        if kind:
            changes.append(EntryChange(version=version, entry=entry, kind=kind, fields=diff))
    for entry in stored.values():
        if entry.present:
            entry.present = False
            updated_entries.append(entry)
            changes.append(EntryChange(version=version, entry=entry, kind=EntryChange.Kind.REMOVED))
    Entity.objects.bulk_create(new_entities, batch_size=BATCH)
    ListEntry.objects.bulk_create(new_entries, batch_size=BATCH)
    EntityName.objects.bulk_create(new_names, batch_size=BATCH)
    for entity, item in renamed:
        entity.names.all().delete()
        EntityName.objects.bulk_create(fill_entity(entity, item))
    Entity.objects.bulk_update(
        updated_entities,
        ["kind", "name", "name_latin", "search_text", "birth_date", "country"],
        batch_size=BATCH,
    )
    ListEntry.objects.bulk_update(
        updated_entries,
        ["schema", "name", "programmes", "listed_since", "tags", "description", "record",
         "present", "last_version"],
        batch_size=BATCH,
    )  # fmt: skip
    EntryChange.objects.bulk_create(changes, batch_size=BATCH)
    counts = {kind: 0 for kind in EntryChange.Kind.values}
    for change in changes:
        counts[change.kind] += 1
    version.added = counts["added"]
    version.changed = counts["changed"] + counts["reinstated"]
    version.removed = counts["removed"]
    version.save(update_fields=["added", "changed", "removed"])
    progress(len(parsed.entries) % BATCH)
    return VersionReport(spec.slug, version, len(parsed.entries))
