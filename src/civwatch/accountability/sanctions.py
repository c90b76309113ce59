"""Existing sanctions against a person, from the sanctions lists (`civwatch.sanctions`)."""

from typing import Any

from django.apps import apps

from civwatch.entities.models import Entity


def sanctions_summary(entity: Entity) -> list[dict[str, Any]]:
    """Per jurisdiction: who sanctioned the person, under which programme, since when."""
    if not apps.is_installed("civwatch.sanctions"):
        return []
    from civwatch.sanctions.status import sanctions_status

    return sanctions_status(entity)
