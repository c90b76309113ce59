"""The FollowTheMoney mapping of an entity: the one place that turns an `entities.Entity`
(names in every script, identifiers, websites, birth date) into an FtM proxy.

Exports, the screening index, cross-referencing and intake's gazetteer all read entities
through it, so a name kind or an identifier scheme is mapped once for all of them.
"""

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry

from civwatch.entities.models import Entity, EntityName, Identifier

FTM_IDENTIFIERS = {
    Identifier.Scheme.INN: "innCode",
    Identifier.Scheme.OGRN: "ogrnCode",
    Identifier.Scheme.SNILS: "idNumber",
    Identifier.Scheme.REG_NUM: "registrationNumber",
}
FTM_NAMES = {
    EntityName.Kind.PRIMARY: "name",
    EntityName.Kind.FORMER: "previousName",
    EntityName.Kind.ALIAS: "alias",
    EntityName.Kind.PSEUDONYM: "alias",
}


def failed_inn(value: str) -> bool:
    """An INN whose check digits do not add up (FollowTheMoney's own check of `innCode`)."""
    return registry.identifier.clean(value, format="inn") is None


def entity_proxy(entity: Entity, flagged: list[str] | None = None) -> EntityProxy:
    """The entity as FtM; an INN failing its checksum is appended to `flagged` (entity ids)."""
    proxy = model.make_entity(entity.schema)
    proxy.id = entity.id
    for name in entity.names.all():
        proxy.add(FTM_NAMES[name.kind], name.name)
    proxy.add("name", entity.name)
    for identifier in entity.identifiers.all():
        if identifier.scheme == Identifier.Scheme.INN and failed_inn(identifier.value):
            # FtM would silently drop it from innCode. The register publishes it, so it is
            # kept as a plain tax number, with a note saying why it is not an innCode.
            proxy.add("taxNumber", identifier.value)
            proxy.add(
                "notes",
                f"INN {identifier.value} as published in the register fails the INN checksum",
            )
            if flagged is not None:
                flagged.append(entity.id)
            continue
        proxy.add(FTM_IDENTIFIERS[identifier.scheme], identifier.value)
    proxy.add("website", [w.url for w in entity.websites.all()])
    if entity.birth_date and proxy.schema.get("birthDate"):
        proxy.add("birthDate", entity.birth_date)
    return proxy
