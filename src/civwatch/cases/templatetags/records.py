"""`{% record_fields record data %}`: a record's fields laid out for people (cases.layout);
`{% badge record "status" %}`: its review status or visibility as a badge; `{{ user|person }}`:
a staff member by display name."""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from civwatch.accounts.context import display_name
from civwatch.cases import layout
from civwatch.core.records import DocumentedRecord

register = template.Library()


@register.inclusion_tag("cases/record_fields.html", takes_context=True)
def record_fields(context, record: DocumentedRecord, data: dict[str, Any]) -> dict:
    """`data` is the serialiser's output for the reader: only its fields are listed."""
    return {"rows": layout.rows(context["request"].user, record, data)}


@register.simple_tag
def badge(record: DocumentedRecord, name: str = "status") -> SafeString:
    value = getattr(record, name)
    text = getattr(record, f"get_{name}_display")()
    return format_html('<span class="badge badge-{0} badge-{0}-{1}">{2}</span>', name, value, text)


@register.filter
def person(user: Any) -> str:
    return display_name(user)
