from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0004_register_fetches"),
    ]

    # The values come from reference.json, written by the seeding after `migrate`.
    operations = [
        migrations.AddField(
            model_name="register",
            name="publisher_en",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="register",
            name="publisher_ru",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="register",
            name="source_url",
            field=models.URLField(blank=True, max_length=500),
        ),
    ]
