from django.db import migrations

from civwatch.core.crypto import encrypt_columns


class Migration(migrations.Migration):
    """Links with a case-only person: their names and explanation encrypted in place."""

    dependencies = [
        ("sanctions", "0002_encrypted_fields"),
    ]

    operations = [
        encrypt_columns(
            "sanctions",
            {"Link": ["left_name", "right_name", "explanation"]},
            only={"Link": lambda link: "cases" in (link.left_dataset, link.right_dataset)},
        ),
    ]
