import json
from pathlib import Path

from django.db import migrations

REFERENCE = Path(__file__).resolve().parent.parent / "reference.json"


def load_reference(apps, schema_editor):
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    Register = apps.get_model("registers", "Register")
    LegalBasis = apps.get_model("registers", "LegalBasis")
    for register in data["registers"]:
        Register.objects.update_or_create(slug=register["slug"], defaults=known(Register, register))
    for basis in data["legal_bases"]:
        LegalBasis.objects.update_or_create(code=basis["code"], defaults=known(LegalBasis, basis))


def known(model, values: dict) -> dict:
    # The data may describe columns a later migration adds (a register's caveat): at this
    # migration's state they do not exist yet; the seeding after `migrate` writes them.
    fields = {field.name for field in model._meta.get_fields()}
    return {name: value for name, value in values.items() if name in fields}


class Migration(migrations.Migration):
    dependencies = [("registers", "0001_initial")]
    operations = [migrations.RunPython(load_reference, migrations.RunPython.noop)]
