"""Keeping an entity's names, identifiers, websites and members in step with a source row."""

import hashlib
import re

from civwatch.entities.models import Entity, EntityName, Identifier, Website
from civwatch.entities.names import parse_name

PATRONYMIC = re.compile(r"(вич|вна|ична|оглы|кызы|улы)$")
PERSON_LAWS = {("272-ФЗ", "2.1")}
ASSOCIATION_LAWS = {("82-ФЗ", "29.1")}
MEDIA_LAWS = {("2124-1", "6"), ("2124-1", "25.1")}


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
    law = tuple(record.get("legal_basis") or ())
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


def find_entity_by_identifiers(record: dict, schemes: tuple[str, ...]) -> Entity | None:
    for scheme in schemes:
        if record.get(scheme):
            found = Identifier.objects.filter(scheme=scheme, value=record[scheme]).first()
            if found:
                return found.entity
    return None


def sync_entity(entity: Entity, record: dict) -> None:
    """Make the entity say what the row says (names, identifiers, websites, members)."""
    primary, others = parse_name(record["name"])
    entity.name = primary
    if record.get("birth_date"):
        entity.birth_date = record["birth_date"]
    entity.save()
    wanted_names = {(primary, EntityName.Kind.PRIMARY), *others}
    _replace(
        entity.names,
        wanted_names,
        lambda n, k: EntityName(entity=entity, name=n, kind=k),
        key=lambda o: (o.name, o.kind),
    )
    wanted_ids = {
        (scheme, record[scheme]) for scheme in Identifier.Scheme.values if record.get(scheme)
    }
    # Identifiers accumulate: a corrected INN does not make the old one untrue as a lead.
    existing = set(entity.identifiers.values_list("scheme", "value"))
    Identifier.objects.bulk_create(
        [Identifier(entity=entity, scheme=s, value=v) for s, v in wanted_ids - existing]
    )
    _replace(
        entity.websites,
        {(u,) for u in record.get("resources") or ()},
        lambda u: Website(entity=entity, url=u[:2000]),
        key=lambda o: (o.url,),
    )
    if record.get("members"):
        entity.members.set([_member(entity, name) for name in record["members"]])
    entity.refresh_search_text()
    entity.save(update_fields=["search_text", "name_latin"])


def _member(association: Entity, cell: str) -> Entity:
    primary, _ = parse_name(cell)
    digest = hashlib.sha1(primary.casefold().encode(), usedforsecurity=False).hexdigest()[:10]
    member, created = Entity.objects.get_or_create(
        id=f"{association.id}-m-{digest}",
        defaults={"kind": Entity.Kind.PERSON, "name": primary},
    )
    if created:
        sync_entity(member, {"name": cell})
    return member


def _replace(manager, wanted: set, build, key) -> None:
    current = {key(o): o for o in manager.all()}
    stale = [o.pk for k, o in current.items() if k not in wanted]
    if stale:
        manager.filter(pk__in=stale).delete()
    missing = [build(*k) for k in wanted if k not in current]
    manager.model.objects.bulk_create(missing)
