"""Existing sanctions against a person, in the form the list pages and dossiers show."""

from typing import Any

from django.utils.translation import gettext as _

from civwatch.entities.models import Entity
from civwatch.sanctions.models import Jurisdiction
from civwatch.sanctions.programmes import kind_label
from civwatch.sanctions.status import sanctions_status


def sanctions_summary(entity: Entity, with_possible: bool = False) -> list[dict[str, Any]]:
    """One row per jurisdiction (us, uk, eu, ca): who listed the person, under which
    programme and since when; or that it has not acted (or that no list of it is loaded);
    then one row per external list (e.g. the ACF list) naming the person.

    With `with_possible` (staff pages and dossiers, never public output) a jurisdiction
    whose listing is known only through a proposed link reads "possible listing awaiting
    review", not "has not acted"."""
    status = sanctions_status(entity, with_possible=with_possible)
    rows = []
    for code, label in Jurisdiction.choices:
        listings = status.by_jurisdiction.get(code, [])
        if listings:
            text = "; ".join(
                f"{listing.dataset_title}: {listing.programme or _('listed')}"
                + (
                    _(" since %(date)s") % {"date": listing.since.isoformat()}
                    if listing.since
                    else ""
                )
                + (
                    f" ({', '.join(kind_label(k) for k in listing.kinds if k != 'other')})"
                    if set(listing.kinds) - {"other"}
                    else ""
                )
                for listing in listings
            )
        elif code in status.awaiting_review:
            text = _("possible listing awaiting review: %(listings)s") % {
                "listings": "; ".join(
                    f"{p.listing.dataset_title}: {p.listing.programme or _('listed')}"
                    for p in status.awaiting_review[code]
                )
            }
        elif code in status.unchecked:
            text = _("not known (no official list of this jurisdiction is loaded)")
        elif status.as_of.get(code):
            text = _("has not acted (as of its list of %(date)s)") % {
                "date": status.as_of[code].isoformat()
            }
        else:
            text = _("has not acted")
        rows.append(
            {"code": code, "jurisdiction": str(label), "listed": bool(listings), "text": text}
        )
    for external in status.external:
        rows.append({"code": "", "jurisdiction": external.dataset_title, "listed": False,
                     "text": ", ".join(external.tags) or external.description})  # fmt: skip
    return rows
