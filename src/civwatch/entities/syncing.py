"""Keeping an entity's names, identifiers, websites and members in step with a source row."""

import hashlib
import re
from collections.abc import Callable

from civwatch.entities.models import Entity, EntityName, Identifier, Website
from civwatch.entities.names import parse_name

PATRONYMIC = re.compile(r"(вич|вна|ична|оглы|кызы|улы)$")
# Legal basis codes (registers/reference.json) that tell what kind of entity is listed.
PERSON_LAWS = {"272-FZ-2.1"}
ASSOCIATION_LAWS = {"82-FZ-29.1"}
MEDIA_LAWS = {"2124-1-6", "2124-1-25.1"}


def looks_like_person_name(name: str) -> bool:
    words = name.split()
    return (
        len(words) == 3
        and all(w[:1].isupper() for w in words)
        and bool(PATRONYMIC.search(words[2].casefold()))
    )


def entity_kind(register: str, record: dict) -> str:
    """Decide the kind from what the row says; the register has no column for it."""
    if register == "undesirable":
        return Entity.Kind.ORGANIZATION
    law = record.get("legal_basis")
    person_ids = record.get("birth_date") or record.get("snils")
    if person_ids or len(record.get("inn") or "") == 12 or law in PERSON_LAWS:
        return Entity.Kind.PERSON
    if record.get("members") or law in ASSOCIATION_LAWS:
        return Entity.Kind.ASSOCIATION
    if record.get("ogrn"):
        return Entity.Kind.ORGANIZATION
    if looks_like_person_name(parse_name(record["name"])[0]):
        return Entity.Kind.PERSON
    return Entity.Kind.MEDIA if law in MEDIA_LAWS else Entity.Kind.ORGANIZATION


class EntityWriter:
    """Creates and updates entities from source rows, in bulk where it can.

    Identifiers are looked up across every register, so the same organisation listed in
    two registers is one entity.
    """

    def __init__(self, name_form: Callable[[str], str] = str) -> None:
        # How a source's name is written for people: unchanged by default; a register that
        # writes names in capitals passes `names.readable_name` (the row keeps the source).
        self.name_form = name_form
        self.by_identifier = {
            (scheme, value): entity_id
            for scheme, value, entity_id in Identifier.objects.values_list(
                "scheme", "value", "entity_id"
            )
        }
        self.taken_ids = set(Entity.objects.values_list("id", flat=True))

    def find(self, record: dict) -> str | None:
        for scheme in Identifier.Scheme.values:
            found = self.by_identifier.get((scheme, record.get(scheme)))
            if found:
                return found
        return None

    def new_id(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.taken_ids:
            n += 1
            candidate = f"{base}-{n}"
        self.taken_ids.add(candidate)
        return candidate

    def create(self, rows: list[tuple[str, str, dict]]) -> list[Entity]:
        """Entities for (id base, kind, record) rows; an identifier already known is reused."""
        entities, created, names, identifiers, websites = [], [], [], [], []
        new_in_batch: dict[str, Entity] = {}
        for id_base, kind, record in rows:
            existing = self.find(record)
            if existing in new_in_batch:  # two rows of one snapshot, one entity
                entities.append(new_in_batch[existing])
                continue
            if existing:
                entity = Entity.objects.get(pk=existing)
                self.update(entity, record)
                entities.append(entity)
                continue
            entity = Entity(id=self.new_id(id_base), kind=kind)
            names += self._names(entity, record)
            websites += self._websites(entity, record)
            for identifier in self._identifiers(entity, record):
                identifiers.append(identifier)
                self.by_identifier[(identifier.scheme, identifier.value)] = entity.id
            entities.append(entity)
            created.append((entity, record))
            new_in_batch[entity.id] = entity
        Entity.objects.bulk_create([entity for entity, _ in created], batch_size=500)
        EntityName.objects.bulk_create(names, batch_size=500)
        Identifier.objects.bulk_create(identifiers, batch_size=500)
        Website.objects.bulk_create(websites, batch_size=500)
        for entity, record in created:
            if record.get("members"):
                entity.members.set([self._member(entity, cell) for cell in record["members"]])
        return entities

    def update(self, entity: Entity, record: dict, changed: set[str] | None = None) -> None:
        """Make an existing entity say what the row says (only the `changed` fields)."""
        changed = set(record) if changed is None else changed
        if changed & {"name", "birth_date", "aliases"}:
            wanted = self._names(entity, record)
            current = {(n.name, n.kind): n for n in entity.names.all()}
            keep = {(n.name, n.kind) for n in wanted}
            stale = [n.pk for k, n in current.items() if k not in keep]
            entity.names.filter(pk__in=stale).delete()
            EntityName.objects.bulk_create([n for n in wanted if (n.name, n.kind) not in current])
            entity.save()
        if changed & set(Identifier.Scheme.values):
            # Identifiers accumulate: a corrected INN does not make the old one untrue as a lead.
            known = set(entity.identifiers.values_list("scheme", "value"))
            Identifier.objects.bulk_create(
                [i for i in self._identifiers(entity, record) if (i.scheme, i.value) not in known]
            )
        if "resources" in changed:
            entity.websites.all().delete()
            Website.objects.bulk_create(self._websites(entity, record))
        if "members" in changed:
            members = record.get("members") or ()
            entity.members.set([self._member(entity, cell) for cell in members])

    def _names(self, entity: Entity, record: dict) -> list[EntityName]:
        primary, others = parse_name(record["name"])
        primary = self.name_form(primary)
        entity.name = primary
        if record.get("birth_date"):
            entity.birth_date = record["birth_date"]
        # Other names listed on their own (the Rosfinmonitoring list's alias lines).
        others += [(alias, EntityName.Kind.ALIAS) for alias in record.get("aliases") or ()]
        others = [(self.name_form(name), kind) for name, kind in others]
        pairs = dict.fromkeys([(primary, EntityName.Kind.PRIMARY), *others])
        entity.index_names([name for name, _ in pairs])
        return [EntityName(entity=entity, name=n, kind=k) for n, k in pairs]

    def _identifiers(self, entity: Entity, record: dict) -> list[Identifier]:
        return [
            Identifier(entity=entity, scheme=scheme, value=record[scheme])
            for scheme in Identifier.Scheme.values
            if record.get(scheme)
        ]

    def _websites(self, entity: Entity, record: dict) -> list[Website]:
        urls = dict.fromkeys(u[:2000] for u in record.get("resources") or ())
        return [Website(entity=entity, url=url) for url in urls]

    def _member(self, association: Entity, cell: str) -> Entity:
        primary, _ = parse_name(cell)
        digest = hashlib.sha1(primary.casefold().encode(), usedforsecurity=False).hexdigest()[:10]
        member_id = f"{association.id}-m-{digest}"
        if member_id in self.taken_ids:
            return Entity.objects.get(pk=member_id)
        self.taken_ids.add(member_id)
        member = Entity(id=member_id, kind=Entity.Kind.PERSON)
        names = self._names(member, {"name": cell})
        member.save(force_insert=True)
        EntityName.objects.bulk_create(names)
        return member
