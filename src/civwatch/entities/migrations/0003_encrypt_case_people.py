from django.db import migrations

from civwatch.core import crypto
from civwatch.matching import search_key


def forward(apps, schema_editor) -> None:
    """Entities in no register and no sanctions list are known only from case records: mark
    them confidential, replace their plain search keys by a blind index, encrypt their names
    and identifiers."""
    crypto.keyring()
    Entity = apps.get_model("entities", "Entity")
    Designation = apps.get_model("registers", "Designation")
    ListEntry = apps.get_model("sanctions", "ListEntry")
    listed = set(Designation.objects.values_list("entity_id", flat=True))
    listed |= set(ListEntry.objects.values_list("entity_id", flat=True))
    through = Entity.members.through
    listed |= set(
        through.objects.filter(from_entity_id__in=listed).values_list("to_entity_id", flat=True)
    )
    ids = set(Entity.objects.exclude(pk__in=listed).values_list("pk", flat=True))
    EntityName = apps.get_model("entities", "EntityName")
    for pk, name in Entity.objects.filter(pk__in=ids).values_list("pk", "name"):
        names = [name, *EntityName.objects.filter(entity_id=pk).values_list("name", flat=True)]
        keys = [k for n in names for k in (search_key(n), n.casefold()) if k]
        Entity.objects.filter(pk=pk).update(
            confidential=True, search_text="", name_index=crypto.blind_index(keys)
        )
    crypto.encrypt_existing(Entity, ["name", "name_latin", "birth_date"], lambda e: e.pk in ids)
    for model_name, field in (("EntityName", "name"), ("Identifier", "value"), ("Website", "url")):
        model = apps.get_model("entities", model_name)
        crypto.encrypt_existing(model, [field], lambda row: row.entity_id in ids)


def backward(apps, schema_editor) -> None:
    crypto.keyring()
    Entity = apps.get_model("entities", "Entity")
    crypto.decrypt_existing(Entity, ["name", "name_latin", "birth_date"])
    for model_name, field in (("EntityName", "name"), ("Identifier", "value"), ("Website", "url")):
        crypto.decrypt_existing(apps.get_model("entities", model_name), [field])
    # search_text is rebuilt when the entity is next saved through index_names().
    Entity.objects.filter(confidential=True).update(confidential=False, name_index="")


class Migration(migrations.Migration):
    dependencies = [
        ("entities", "0002_confidential_entities"),
        ("registers", "0002_reference_data"),
        ("sanctions", "0003_encrypt_case_links"),
    ]

    operations = [migrations.RunPython(forward, backward)]
