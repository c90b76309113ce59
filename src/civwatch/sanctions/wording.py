"""A list entry and its changes in words for people: labels in the page's language, dates in
words, lists joined.

The readers of the lists (sanctions.sources and each list's module) write an entry's content
as `ListEntry.record` under their own keys (`birth_dates`, `programmes`, `imo_number`...), and
a re-import records what differs as `EntryChange.fields` (`{"key": [before, after]}`,
sanctions.writing). `RecordField` is the one vocabulary of those keys; the entry and version
pages show records and changes only through `facts` and `describe`, never a key.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from civwatch.core.dates import for_people
from civwatch.registers.wording import FieldWords, value_summary


class RecordField(TextChoices):
    """The keys of `ListEntry.record`, in the order the entry page lists them."""

    NAME = "name", pgettext_lazy("sanctions list entry", "name")
    SCHEMA = "schema", gettext_lazy("type of record")
    ALIASES = "aliases", gettext_lazy("other names")
    NON_LATIN_NAMES = "non_latin_names", gettext_lazy("names in non-Latin script")
    WEAK_ALIASES = "weak_aliases", gettext_lazy("less reliable other names")
    TITLES = "titles", gettext_lazy("titles and forms of address")
    GENDER = "gender", gettext_lazy("gender")
    BIRTH_DATES = "birth_dates", gettext_lazy("birth dates")
    BIRTH_DATE_TEXT = "birth_date_text", gettext_lazy("birth date as written")
    BIRTH_PLACES = "birth_places", gettext_lazy("birth places")
    NATIONALITIES = "nationalities", gettext_lazy("nationalities")
    COUNTRIES = "countries", gettext_lazy("countries")
    PASSPORTS = "passports", gettext_lazy("passports")
    ID_NUMBERS = "id_numbers", gettext_lazy("identification numbers")
    TAX_NUMBERS = "tax_numbers", gettext_lazy("tax numbers")
    ADDRESSES = "addresses", gettext_lazy("addresses")
    POSITIONS = "positions", gettext_lazy("positions")
    DESCRIPTION = "description", gettext_lazy("description or role")
    PROGRAMMES = "programmes", gettext_lazy("programmes")
    PROGRAMME_SINCE = "programme_since", gettext_lazy("regimes and dates of listing")
    REGULATIONS = "regulations", gettext_lazy("regulations")
    SANCTIONS = "sanctions", gettext_lazy("sanctions")
    LISTED_SINCE = "listed_since", gettext_lazy("listed since")
    COUNTRY = "country", gettext_lazy("country of the sanctions regulation")
    SCHEDULE = "schedule", gettext_lazy("schedule of the regulation")
    ITEM = "item", gettext_lazy("item of the schedule")
    EU_REFERENCE_NUMBER = "eu_reference_number", gettext_lazy("EU reference number")
    UNITED_NATION_ID = "united_nation_id", gettext_lazy("UN reference number")
    UK_SANCTIONS_LIST_REF = "uk_sanctions_list_ref", gettext_lazy("UK sanctions list reference")
    GROUP_TYPE = "group_type", gettext_lazy("type in the UK list")
    IMO_NUMBER = "imo_number", gettext_lazy("IMO number")
    VESSEL_TYPE = "vessel_type", gettext_lazy("vessel type")
    VESS_TYPE = "vess_type", gettext_lazy("vessel type")
    BUILD_DATES = "build_dates", gettext_lazy("build dates")
    CALL_SIGN = "call_sign", gettext_lazy("call sign")
    TONNAGE = "tonnage", gettext_lazy("tonnage")
    GRT = "grt", gettext_lazy("gross registered tonnage")
    VESS_FLAG = "vess_flag", gettext_lazy("flag")
    VESS_OWNER = "vess_owner", gettext_lazy("owner of the vessel")
    LINKED_TO = "linked_to", gettext_lazy("linked to")
    TAGS = "tags", gettext_lazy("tags")
    REMARKS = "remarks", gettext_lazy("remarks")
    OTHER_INFORMATION = "other_information", gettext_lazy("other information")
    SOURCE_DATASETS = "source_datasets", gettext_lazy("source datasets")


class Schema(TextChoices):
    """The FollowTheMoney schemas the readers give entries (the `schema` field's values)."""

    PERSON = "Person", pgettext_lazy("type of list entry", "person")
    LEGAL_ENTITY = "LegalEntity", pgettext_lazy("type of list entry", "organisation")
    ORGANIZATION = "Organization", pgettext_lazy("type of list entry", "organisation")
    COMPANY = "Company", pgettext_lazy("type of list entry", "company")
    VESSEL = "Vessel", pgettext_lazy("type of list entry", "vessel")
    AIRPLANE = "Airplane", pgettext_lazy("type of list entry", "aircraft")


# The lists write gender as a word or a letter, in either case.
GENDERS = {
    "male": pgettext_lazy("gender", "male"),
    "m": pgettext_lazy("gender", "male"),
    "female": pgettext_lazy("gender", "female"),
    "f": pgettext_lazy("gender", "female"),
}
DATES = {RecordField.BIRTH_DATES, RecordField.LISTED_SINCE, RecordField.BUILD_DATES}
# Items that may hold commas themselves (names, places, addresses, texts) are joined by
# semicolons; numbers, codes and dates by commas.
SEMICOLON_JOINED = {
    RecordField.ALIASES, RecordField.NON_LATIN_NAMES, RecordField.WEAK_ALIASES,
    RecordField.BIRTH_PLACES, RecordField.ADDRESSES, RecordField.POSITIONS,
    RecordField.PROGRAMME_SINCE, RecordField.REGULATIONS, RecordField.SANCTIONS,
    RecordField.LINKED_TO, RecordField.TAGS,
}  # fmt: skip
# Model fields of ListEntry that are also in its record: the entry page reads the columns.
COLUMNS = ("programmes", "listed_since", "tags", "description")


def label(name: str) -> str:
    """The label of a record's key; a key the vocabulary lacks (a reader's new detail, before
    this vocabulary knows it) is written as words rather than as a key."""
    try:
        return str(RecordField(name).label)
    except ValueError:
        return name.replace("_", " ")


def item_text(name: str, value: Any) -> str:
    """One value of a record's field as people read it."""
    if name in DATES:
        return for_people(value)
    if name == RecordField.SCHEMA:
        try:
            return str(Schema(value).label)
        except ValueError:
            return str(value)
    if name == RecordField.GENDER:
        return str(GENDERS.get(str(value).casefold(), value))
    return str(value)


def items(name: str, value: Any) -> list[str]:
    """A field's value as the items people read: a list item by item, a regime with the date
    it was listed under it ("Russia (since 15 March 2022)")."""
    if value in (None, "", [], {}):
        return []
    if isinstance(value, dict):
        # In the order of the dates (PostgreSQL's jsonb keeps no order of keys).
        ordered = sorted(value.items(), key=lambda pair: (str(pair[1] or ""), pair[0]))
        return [
            _("%(item)s (since %(date)s)") % {"item": key, "date": for_people(when)}
            if when
            else str(key)
            for key, when in ordered
        ]
    if isinstance(value, list | tuple):
        return [item_text(name, item) for item in value if item not in (None, "")]
    return [item_text(name, value)]


def text(name: str, value: Any) -> str:
    """A field's whole value in one line; "—" when it has none."""
    found = items(name, value)
    return ("; " if name in SEMICOLON_JOINED else ", ").join(found) if found else "—"


@dataclass(frozen=True)
class Fact:
    label: str
    text: str


def order(names) -> list[str]:
    """Keys in the vocabulary's order, unknown ones after them by name."""
    position = {name: index for index, name in enumerate(RecordField.values)}
    return sorted(names, key=lambda name: (position.get(name, len(position)), name))


def facts(entry) -> list[Fact]:
    """Everything a list entry says (`ListEntry`), labelled, but its name (the page's title)."""
    record = {**entry.record, **{column: getattr(entry, column) for column in COLUMNS}}
    return [
        Fact(label(name), text(name, record[name]))
        for name in order(record)
        if name != RecordField.NAME and items(name, record[name])
    ]


def describe_field(name: str, before: Any, after: Any) -> FieldWords:
    """One field's change: a list by the items added and removed (in full), a value by what
    it was and what it is."""
    old, new = items(name, before), items(name, after)
    summary = value_summary(label(name), before, after)
    if isinstance(before, list | dict) or isinstance(after, list | dict):
        added = [item for item in new if item not in old]
        removed = [item for item in old if item not in new]
        if added or removed:
            return FieldWords(name, label(name), summary, added=added, removed=removed)
    return FieldWords(name, label(name), summary, text(name, before), text(name, after))


def describe(fields: dict[str, list]) -> list[FieldWords]:
    """Every field of an entry's change (`EntryChange.fields`) in words."""
    return [describe_field(name, *fields[name]) for name in order(fields)]
