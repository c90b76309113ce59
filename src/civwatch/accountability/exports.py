"""Published entries as FollowTheMoney entities: a Person per entry, an Event per act."""

from collections.abc import Iterator
from typing import Any

from followthemoney import model

from civwatch.accountability import public
from civwatch.accountability.models import Entry
from civwatch.matching.translit import ROMANISATIONS, romanise


def entry_entities(entry: Entry) -> Iterator[dict[str, Any]]:
    view = public.entry_view(entry)
    person = model.make_entity("Person")
    person.id = f"civwatch-accountability-{entry.entity_id}"
    person.add("name", view["name"])
    person.add("alias", sorted({romanise(view["name"], system) for system in ROMANISATIONS}))
    person.add(
        "position", [f"{p.get('post', '')}, {p.get('agency', '')}" for p in view["positions"]]
    )
    person.add("notes", view.get("summary") or None)
    person.add("topics", "poi")
    yield person.to_dict()
    for act in view["acts"]:
        event = model.make_entity("Event")
        event.id = f"{person.id}-act-{act['id']}"
        event.add("name", act["incident"].get("title"))
        event.add("date", act["incident"].get("date"))
        event.add("location", act["incident"].get("place") or None)
        event.add(
            "summary", [claim["statement"] for claim in act["claims"] if "statement" in claim]
        )
        event.add("involved", person.id)
        yield event.to_dict()


def ftm_entries() -> Iterator[dict[str, Any]]:
    for entry in public.entries().order_by("entity_id"):
        yield from entry_entities(entry)
