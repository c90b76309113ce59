"""The overdue reviews on a caseworker's account page (ids and dates only: no file is read)."""

from typing import Any

from django import template

from civwatch.accounts import permissions

register = template.Library()


@register.inclusion_tag("exiles/overdue.html", takes_context=True)
def overdue_exile_files(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    files = permissions.readable_exile_files(user).overdue().order_by("review_on")
    return {"files": list(files.values("pk", "review_on")[:50])}
