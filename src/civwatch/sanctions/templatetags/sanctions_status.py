from django import template

from civwatch.sanctions.status import sanctions_status

register = template.Library()


@register.inclusion_tag("sanctions/status_table.html")
def public_sanctions_status(entity) -> dict:
    """The status table for a public page, through public links only; empty when no list
    names the entity."""
    status = sanctions_status(entity, public_only=True)
    return {"status": status if status.sanctioned or status.external else None}
