"""The JSON API: one django-ninja instance, a router per domain app."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="civwatch API",
    version="1",
    description="Registers, designations, changes and statistics. OpenAPI at /api/docs.",
    urls_namespace="api",
)
api.add_router("/", "civwatch.registers.api.router")
api.add_router("/", "civwatch.screening.api.router")
api.add_router("/", "civwatch.cases.api.router")
api.add_router("/", "civwatch.accountability.api.router")
api.add_router("/", "civwatch.sanctions.api.router")
# Open letters (civwatch.letters)
api.add_router("/", "civwatch.letters.api.router")

# People forced abroad (issue 13): the public figures and a caseworker's own files.
api.add_router("/", "civwatch.exiles.api.router")

# Versioned open-data releases (civwatch.releases; docs/releases.md).
api.add_router("/", "civwatch.releases.api.router")

# Citizens' initiatives (civwatch.initiatives; docs/initiatives.md).
api.add_router("/", "civwatch.initiatives.api.router")
