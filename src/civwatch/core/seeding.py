"""Reference data that every civwatch database holds: the roles, the incident types, the
registers and their legal bases.

Data migrations write it when a database is created. It is written again, idempotently, after
every `migrate` and every `flush` (Django sends post_migrate after both), so a database emptied
by `flush` (the test suite does this after each transactional test) gets it back instead of
losing its roles and registers until someone seeds them by hand."""

import importlib
from typing import Any

from django.apps import apps as global_apps

# The data migrations' own functions, so there is one definition of each seed.
SEEDS = [
    ("civwatch.accounts.migrations.0001_initial", "create_groups"),
    ("civwatch.cases.migrations.0002_incident_types", "seed"),
    ("civwatch.registers.migrations.0002_reference_data", "load_reference"),
]


def seed_reference_data(apps: Any = global_apps, **kwargs: Any) -> None:
    """Write the reference data (a post_migrate receiver, or called directly)."""
    for module, function in SEEDS:
        try:
            getattr(importlib.import_module(module), function)(apps, None)
        except LookupError:
            # Migrating backwards, or a database not migrated that far: the table is not
            # there in this state; the forward migration will seed it.
            continue
