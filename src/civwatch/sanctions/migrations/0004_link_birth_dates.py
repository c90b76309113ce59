import json

from django.db import migrations, models

from civwatch.core.crypto import context, decrypt_text, is_sealed


def fill_birth_dates(apps, schema_editor):
    """Copy each link's explanation "tier" into the new column. The explanation is read as
    stored (raw SQL): a link with a case-only person keeps it encrypted, and the historical
    model cannot tell which rows are."""
    Link = apps.get_model("sanctions", "Link")
    table = Link._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, explanation FROM {table}")  # noqa: S608 (our table name)
        rows = cursor.fetchall()
    for pk, stored in rows:
        if not stored:
            continue
        if is_sealed(stored):
            stored = decrypt_text(
                stored, context(table, "explanation", pk), f"{table}.explanation of row {pk}"
            )
        tier = json.loads(stored).get("tier", "")
        if tier:
            Link.objects.filter(pk=pk).update(birth_dates=tier)


class Migration(migrations.Migration):
    """Links say in a column of their own how the two sides' birth dates compare."""

    dependencies = [
        ("sanctions", "0003_encrypt_case_links"),
    ]

    operations = [
        migrations.AddField(
            model_name="link",
            name="birth_dates",
            field=models.CharField(
                blank=True,
                choices=[
                    ("full", "birth dates agree"),
                    ("partial", "birth dates agree in part"),
                    ("unknown", "no birth date on one side"),
                ],
                db_index=True,
                max_length=8,
                verbose_name="birth dates",
            ),
        ),
        migrations.RunPython(fill_birth_dates, migrations.RunPython.noop),
    ]
