from django.db import migrations

# The controlled vocabulary of incident types, in English and Russian. Admins can add more.
INCIDENT_TYPES = [
    ("designation", "Designation", "Включение в реестр"),
    ("inspection", "Inspection or document demand", "Проверка или истребование документов"),
    ("search", "Search or raid", "Обыск или рейд"),
    ("attack", "Attack", "Нападение"),
    ("vandalism", "Vandalism or arson", "Вандализм или поджог"),
    ("detention", "Detention", "Задержание"),
    ("arrest", "Arrest", "Арест"),
    ("charge", "Charge", "Предъявление обвинения"),
    ("hearing", "Hearing", "Судебное заседание"),
    ("verdict", "Verdict", "Приговор"),
    ("fine", "Fine", "Штраф"),
    ("blocking", "Website blocking", "Блокировка сайта"),
    ("liquidation", "Liquidation or closure", "Ликвидация или закрытие"),
    ("forced-departure", "Forced departure", "Вынужденный отъезд"),
    ("death-in-custody", "Death in custody", "Смерть под стражей"),
]


def seed(apps, schema_editor):
    IncidentType = apps.get_model("cases", "IncidentType")
    for code, label_en, label_ru in INCIDENT_TYPES:
        IncidentType.objects.update_or_create(
            code=code, defaults={"label_en": label_en, "label_ru": label_ru}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
