"""The sanctions lists' entry and version pages speak to people (issue 11, "Readable records"):
every field of an entry and of its changes is labelled in the page's language, dates are
written in words, lists are joined, and no reader's key (`birth_dates`, `programme_since`...)
reaches the page."""

import datetime
import html
import re
from pathlib import Path

import pytest

from civwatch.sanctions.importers import READERS
from civwatch.sanctions.models import EntryChange
from civwatch.sanctions.sources import ParsedDataset, ParsedEntry
from civwatch.sanctions.wording import RecordField
from civwatch.sanctions.writing import DatasetSpec, write_version

REPO = Path(__file__).resolve().parent.parent
LISTS = REPO / "data" / "sanctions"
FIXTURES = REPO / "tests" / "data" / "sanctions"
# Every reader on the files it is tested with: the keys its records use.
BUNDLED = {
    "ofac-sdn": LISTS / "us-ofac-sdn",
    "acf-list": LISTS / "acf-list" / "navalny_list_parsed.csv",
    "uk-ofsi": LISTS / "uk-ofsi" / "ConList.xlsx",
    "ca-sema": LISTS / "ca-sema" / "sema-lema.xml",
    "eu-fsf": FIXTURES / "eu-fsf-sample.xml",
    "ftm": FIXTURES / "entities.ftm.jsonl",
    "opensanctions-targets": FIXTURES / "targets.simple.csv",
}


def test_the_vocabulary_labels_every_key_the_list_readers_write():
    assert set(BUNDLED) == set(READERS)
    unlabelled = {}
    for kind, path in BUNDLED.items():
        keys = {key for entry in READERS[kind](path).entries for key in entry.record}
        if keys - set(RecordField.values):
            unlabelled[kind] = sorted(keys - set(RecordField.values))
    assert unlabelled == {}


SPEC = DatasetSpec(slug="words-test", title="Words test list", kind="official")


def entry(**changes) -> ParsedEntry:
    fields = {
        "source_id": "7",
        "schema": "Person",
        "name": "Ivanov Ivan",
        "aliases": ["Ivanov I.", "Iwanow Iwan"],
        "birth_dates": ["1965-03-09"],
        "programmes": ["RUSSIA-EO14024"],
        "listed_since": datetime.date(2022, 3, 15),
        "details": {
            "gender": ["male"],
            "birth_places": ["Tula, Russia"],
            "passports": ["7100000"],
            "programme_since": {"Russia": "2022-03-15"},
            "imo_number": "9000001",
        },
    }
    fields.update(changes)
    return ParsedEntry(**fields)


@pytest.fixture
def changed_entry():
    """An entry in two versions of a list: birth dates, names, programmes, passports and
    regimes changed, a vessel number taken out, a tax number added."""
    files = {"first.csv": "1" * 64}
    write_version(SPEC, ParsedDataset([entry()], files), datetime.date(2026, 1, 2))
    newer = entry(
        aliases=["Ivanov I."],
        birth_dates=["1965-03-09", "1966"],
        programmes=["RUSSIA-EO14024", "CYBER2"],
        details={
            "gender": ["male"],
            "birth_places": ["Tula, Russia"],
            "passports": ["7200000"],
            "programme_since": {"Russia": "2022-03-15", "Cyber": "2024-05-01"},
            "tax_numbers": ["770000000000"],
        },
    )
    write_version(SPEC, ParsedDataset([newer], {"second.csv": "2" * 64}), datetime.date(2026, 2, 3))
    change = EntryChange.objects.get(kind="changed")
    return change


def visible_text(page: str) -> str:
    """What a reader sees of the page's main part: its text, without tags or addresses."""
    main = page.split("<main>", 1)[1].split("</main>", 1)[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


# What each language must show: labels of the entry's fields and of the change, dates in words.
EXPECTED = {
    "en": [
        "Other names",
        "Iwanow Iwan",
        "Birth dates",
        "9 March 1965, 1966",
        "Gender",
        "male",
        "Type of record",
        "person",
        "Regimes and dates of listing",
        "Russia (since 15 March 2022); Cyber (since 1 May 2024)",
        "Listed since",
        "15 March 2022",
        "Tax numbers",
        "birth dates changed",
        "1966",
        "other names changed",
        "passports changed",
        "IMO number taken out",
        "tax numbers added",
        "regimes and dates of listing changed",
    ],
    "ru": [
        "Другие имена",
        "Iwanow Iwan",
        "Даты рождения",
        "9 марта 1965, 1966",
        "Пол",
        "мужской",
        "Тип записи",
        "физическое лицо",
        "Режимы и даты включения",
        "Russia (с 15 марта 2022); Cyber (с 1 мая 2024)",
        "В списке с",
        "15 марта 2022",
        "Налоговые номера",
        "изменено: даты рождения",
        "изменено: другие имена",
        "изменено: паспорта",
        "удалено: номер ИМО",
        "добавлено: налоговые номера",
        "изменено: режимы и даты включения",
    ],
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
def test_entry_and_version_pages_label_every_field_in_the_page_language(
    client, changed_entry, language
):
    prefix = "" if language == "en" else "/ru"
    paths = [changed_entry.entry.get_absolute_url(), changed_entry.version.get_absolute_url()]
    entry_page, version_page = (client.get(prefix + path) for path in paths)
    assert entry_page.status_code == version_page.status_code == 200
    seen = visible_text(entry_page.content.decode()) + visible_text(version_page.content.decode())
    missing = [words for words in EXPECTED[language] if words not in seen]
    assert missing == []
    keys = set(changed_entry.entry.record) | set(changed_entry.fields)
    # No key with an underscore in either language; in Russian, not even a one-word key.
    raw = [key for key in keys if "_" in key or (language == "ru" and key in seen)]
    assert [key for key in raw if key in seen] == []
    assert "{" not in seen and "['" not in seen  # no dict or list written as Python
