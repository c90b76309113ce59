from typing import Any

from django import template

from civwatch.sanctions import wording

register = template.Library()


@register.filter
def field_text(value: Any, name: str) -> str:
    """`{{ entry.record.birth_dates|field_text:"birth_dates" }}`: a field of a list entry's
    record as people read it (sanctions.wording: dates in words, lists joined)."""
    return wording.text(name, value)
