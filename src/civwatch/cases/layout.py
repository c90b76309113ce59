"""A documented record laid out for people on the staff pages (`{% record_fields %}`).

What is listed is exactly what the serialiser gives the reader (`cases.public.serialise` with a
`permissions.Reader`): a field the access policy hid from this reader is not in that data, so
neither its label nor its value is listed. This module only decides how a shown value reads:
the field's translated name, dates in the page language's format, choices by their label,
users by display name, related records by name with a link to their staff page, status and
visibility as badges. Storage paths and internal keys are never listed, nor empty fields.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from civwatch.accounts import permissions
from civwatch.accounts.context import display_name
from civwatch.core.records import DocumentedRecord, Visibility

# Never listed: storage (paths of the original and its preview), keys of other systems, the
# record's own settings (shown as badges or as the per-field levels) and text the page shows
# in a section of its own (an evidence item's extracted text).
NOT_LISTED = frozenset(
    {"id", "file_path", "preview", "external_id", "origin_ref", "field_visibility",
     "status", "visibility", "derived_text", "date_precision"}
)  # fmt: skip
# Fields of the shared base and storage details have no translated name of their own
# (`verbose_name`); these are their labels.
LABELS = {
    "created_by": _("created by"),
    "approved_by": _("approved by"),
    "created_at": _("created"),
    "updated_at": _("last changed"),
    "entity": _("person or organisation"),
    "incident": _("incident"),
    "participant": _("about participant"),
    "media_type": _("file type"),
    "size": _("file size"),
    "sha256": _("SHA-256 of the original"),
}
# Dates kept with a precision (`date_precision`): shown as a year or a month when that is all
# that is known.
PRECISION_DATES = frozenset({"date", "started_on", "ended_on"})


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    value: Any
    # How the template shows the value: "text", "long" (paragraphs), "link" (to `url`),
    # "external" (a web address), "code".
    kind: str = "text"
    url: str = ""
    # The field's own level when it is restricted beyond the record's (a badge).
    level: str = ""
    level_label: str = ""


def label(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    verbose = field.verbose_name
    # A translated name is lazy; a plain string is Django's guess from the attribute name.
    text = verbose if isinstance(verbose, Promise) else LABELS.get(name, verbose)
    return capfirst(str(text))


def format_date(value: datetime.date, precision: str = "day") -> str:
    """A date in the page language's format, as precisely as it is known."""
    if precision == "year":
        return formats.date_format(value, "Y")
    if precision == "month":
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


def format_datetime(value: datetime.datetime) -> str:
    """A moment in the page language's format and the site's time zone (no microseconds)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")


def record_name(user: Any, record: DocumentedRecord) -> str:
    """A record's name from the fields this user may see, else its number (never str(record),
    which may use hidden fields): its title, or who it is about and their role."""
    shown = permissions.visible_fields(user, record)
    if hasattr(record, "title"):
        return record.title if "title" in shown and record.title else f"#{record.pk}"
    if hasattr(record, "entity_id"):
        name = record.entity.name if "entity" in shown else f"#{record.pk}"
        role = record.get_role_display() if "role" in shown and hasattr(record, "role") else ""
        return f"{name} ({role})" if role else name
    return f"#{record.pk}"


def entity_url(user: Any, entity: models.Model) -> str:
    """A person's or organisation's page: its accountability entry for staff who read it, else
    its public page when a public list names it, else none."""
    from civwatch.accountability.models import Entry
    from civwatch.entities.models import Entity

    entry = permissions.readable(user, Entry.objects.filter(entity=entity)).first()
    if entry is not None:
        return reverse("accountability:staff_entry", args=[entry.pk])
    if Entity.objects.listed().filter(pk=entity.pk).exists():
        return reverse("registers:entity", args=[entity.pk])
    return ""


def _related(user: Any, related: models.Model) -> tuple[str, str, str]:
    from civwatch.cases.staff_review import staff_url

    if isinstance(related, DocumentedRecord):
        # The serialiser gives its id only when the reader may see the related record.
        return record_name(user, related), "link", staff_url(related)
    if related._meta.label_lower == "entities.entity":
        url = entity_url(user, related)
        return related.name, "link" if url else "text", url
    if hasattr(related, "get_username"):
        return display_name(related), "text", ""
    return str(related), "text", ""  # vocabulary (incident types), in the page's language


def shown_value(
    user: Any, record: DocumentedRecord, data: dict[str, Any], name: str
) -> tuple[Any, str, str] | None:
    """A field's value as shown (with how the template shows it and a link), or None."""
    value = data[name]
    if value in (None, "", [], {}):
        return None
    field = record._meta.get_field(name)
    if field.is_relation:
        related = getattr(record, name)
        return None if related is None else _related(user, related)
    if field.choices:
        return data.get(f"{name}_label") or value, "text", ""
    if isinstance(field, models.DateTimeField):
        return format_datetime(datetime.datetime.fromisoformat(value)), "text", ""
    if isinstance(field, models.DateField):
        precision = data.get("date_precision", "day") if name in PRECISION_DATES else "day"
        return format_date(datetime.date.fromisoformat(value), precision), "text", ""
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no"), "text", ""
    if name == "size":
        return filesizeformat(value), "text", ""
    if name == "sha256":
        return value, "code", ""
    if isinstance(field, models.URLField):
        # Linked only as a web address (never a `javascript:` or other scheme).
        web = value.lower().startswith(("https://", "http://"))
        return value, "external" if web else "text", value if web else ""
    if isinstance(field, models.TextField):
        return value, "long", ""
    if isinstance(value, int | float):
        return formats.localize(value), "text", ""
    return value, "text", ""


def row(user: Any, record: DocumentedRecord, data: dict[str, Any], name: str) -> Row | None:
    """One listed field, or None when there is nothing to show."""
    shown = shown_value(user, record, data, name)
    if shown is None:
        return None
    value, kind, url = shown
    level = record.field_visibility.get(name, Visibility.PUBLIC)
    restricted = level in Visibility.values and level != Visibility.PUBLIC
    return Row(
        name, label(type(record), name), value, kind, url,
        level if restricted else "", Visibility(level).label if restricted else "",
    )  # fmt: skip


def rows(user: Any, record: DocumentedRecord, data: dict[str, Any]) -> list[Row]:
    """The record's fields in `data` (the serialiser's output for this user), in the model's
    order, laid out for people."""
    listed = []
    for field in record._meta.concrete_fields:
        if field.name in data and field.name not in NOT_LISTED:
            found = row(user, record, data, field.name)
            if found is not None:
                listed.append(found)
    return listed
