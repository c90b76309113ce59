"""A register change in words for people ("removal date corrected", "2 websites added").

The importer records what differs between two snapshots as `Change.fields`
(`{"field": [before, after]}`, registers.importing); this module is the one place that says
it in the page's language. The fields of the registers' rows and their labels are data
(`RecordField`); the change pages, the Atom feed and the entity timeline (page and API) all
describe changes through `describe`. Lists (websites, members, other names) are described
item by item: every address added and every one removed, never cut short.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy


class RecordField(TextChoices):
    """The fields of a register row (registers.sources.FORMATS, registers.rfm) and the
    importer's own `in_register`, labelled for readers."""

    ROW_ID = "row_id", gettext_lazy("register number")
    NAME = "name", pgettext_lazy("register field", "name")
    ALIASES = "aliases", gettext_lazy("other names")
    BIRTH_DATE = "birth_date", gettext_lazy("birth date")
    OGRN = "ogrn", gettext_lazy("OGRN (state registration number)")
    INN = "inn", gettext_lazy("INN (taxpayer number)")
    REG_NUM = "reg_num", gettext_lazy("registration number")
    SNILS = "snils", gettext_lazy("SNILS (insurance number)")
    ADDRESS = "address", gettext_lazy("address")
    RESOURCES = "resources", gettext_lazy("websites")
    MEMBERS = "members", pgettext_lazy("register field", "members")
    LEGAL_BASIS = "legal_basis", pgettext_lazy("register field", "legal basis")
    LISTED_ON = "listed_on", gettext_lazy("listing date")
    PUBLISHED_ON = "published_on", gettext_lazy("publication date")
    REMOVED_ON = "removed_on", gettext_lazy("removal date")
    DECISION_IN_MINJUST = (
        "decision_in_minjust",
        gettext_lazy("Ministry of Justice decision to list"),
    )
    DECISION_IN_GENPROC = (
        "decision_in_genproc",
        gettext_lazy("Prosecutor General's decision to list"),
    )
    DECISION_OUT_MINJUST = (
        "decision_out_minjust",
        gettext_lazy("Ministry of Justice decision to remove"),
    )
    DECISION_OUT_GENPROC = (
        "decision_out_genproc",
        gettext_lazy("Prosecutor General's decision to remove"),
    )
    IN_REGISTER = "in_register", gettext_lazy("presence in the published table")


# A different value in these is the same fact written again (a date or a number retyped),
# hence "corrected"; elsewhere (a name, an address) it may be news, hence "changed".
CORRECTED = {
    RecordField.ROW_ID, RecordField.BIRTH_DATE, RecordField.OGRN, RecordField.INN,
    RecordField.REG_NUM, RecordField.SNILS, RecordField.LISTED_ON, RecordField.PUBLISHED_ON,
    RecordField.REMOVED_ON,
}  # fmt: skip
# Fields holding lists, described item by item. `legal_basis` is a list too (law, article)
# but one fact: it is described as a value.
ITEM_LISTS = {RecordField.RESOURCES, RecordField.MEMBERS, RecordField.ALIASES}


def label(name: str) -> str:
    """The label of a row's field; a field this vocabulary lacks keeps its name (a column a
    register adds before the vocabulary knows it)."""
    try:
        return str(RecordField(name).label)
    except ValueError:
        return name


def text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


def items_phrase(name: str, count: int, added: bool) -> str:
    """ "2 websites added", with the plural of the page's language."""
    if name == RecordField.RESOURCES:
        if added:
            return ngettext("%(count)d website added", "%(count)d websites added", count)
        return ngettext("%(count)d website removed", "%(count)d websites removed", count)
    if name == RecordField.MEMBERS:
        if added:
            return ngettext("%(count)d member added", "%(count)d members added", count)
        return ngettext("%(count)d member removed", "%(count)d members removed", count)
    if added:
        return ngettext("%(count)d other name added", "%(count)d other names added", count)
    return ngettext("%(count)d other name removed", "%(count)d other names removed", count)


@dataclass(frozen=True)
class FieldWords:
    """One field's change: `summary` in words; the values before and after (lists: the items
    added and removed, in full)."""

    field: str
    label: str
    summary: str
    before: str = ""
    after: str = ""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def value_summary(field_label: str, before: Any, after: Any, corrected: bool = False) -> str:
    """ "birth date added", "... taken out", "... corrected" or "... changed": one field's new
    value in words (the registers' rows here, the sanctions lists' entries in
    sanctions.wording)."""
    what = {"field": field_label}
    if before in (None, "", [], {}):
        return _("%(field)s added") % what
    if after in (None, "", [], {}):
        return _("%(field)s taken out") % what
    if corrected:
        return _("%(field)s corrected") % what
    return _("%(field)s changed") % what


def scalar_summary(name: str, before: Any, after: Any) -> str:
    if name == RecordField.IN_REGISTER:
        return _("back in the published table") if after else _("gone from the published table")
    return value_summary(label(name), before, after, corrected=name in CORRECTED)


def describe_field(name: str, before: Any, after: Any) -> FieldWords:
    if name in ITEM_LISTS:
        old, new = list(before or []), list(after or [])
        added = [item for item in new if item not in old]
        removed = [item for item in old if item not in new]
        phrases = [items_phrase(name, len(added), True) % {"count": len(added)}] if added else []
        if removed:
            phrases.append(items_phrase(name, len(removed), False) % {"count": len(removed)})
        if not phrases:  # the same items in another order
            phrases = [_("%(field)s reordered") % {"field": label(name)}]
        return FieldWords(name, label(name), ", ".join(phrases),
                          added=list(map(str, added)), removed=list(map(str, removed)))  # fmt: skip
    return FieldWords(
        name, label(name), scalar_summary(name, before, after), text(before), text(after)
    )


def describe(fields: dict[str, list]) -> list[FieldWords]:
    """Every field of a change (`Change.fields`) in words, in the vocabulary's order."""
    order = {name: index for index, name in enumerate(RecordField.values)}
    names = sorted(fields, key=lambda name: (order.get(name, len(order)), name))
    return [describe_field(name, *fields[name]) for name in names]


def summary(fields: dict[str, list]) -> str:
    """The whole change in one line: "removal date corrected; 2 websites added"."""
    return "; ".join(words.summary for words in describe(fields))


def kind_count(kind: str, count: int) -> str:
    """ "3 entries added": a count of one kind of change (registers.models.Change.Kind), with
    the plural of the page's language."""
    if kind == "added":
        text = ngettext("%(count)d entry added", "%(count)d entries added", count)
    elif kind == "removed":
        text = ngettext("%(count)d entry removed", "%(count)d entries removed", count)
    elif kind == "reinstated":
        text = ngettext("%(count)d entry reinstated", "%(count)d entries reinstated", count)
    else:
        text = ngettext("%(count)d entry changed", "%(count)d entries changed", count)
    return text % {"count": count}
