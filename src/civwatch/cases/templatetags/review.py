"""`{% pending_changes record %}`: a record's changes waiting for review, with the diff and the
decision buttons the reader may use (cases/pending_changes.html)."""

from django import template

from civwatch.cases.staff_review import pending_rows

register = template.Library()


@register.inclusion_tag("cases/pending_changes.html", takes_context=True)
def pending_changes(context, record) -> dict:
    rows = pending_rows(context["request"].user, record)
    return {"rows": rows, "csrf_token": context.get("csrf_token")}
