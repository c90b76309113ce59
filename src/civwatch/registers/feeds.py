"""The Atom feed of the registers' changes (docs/registers.md, "Atom feeds")."""

import datetime
from collections import Counter

from django.db.models import Count, Max, Prefetch, QuerySet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from civwatch.core.feeds import SiteFeed, day_start
from civwatch.registers.models import Change, Snapshot
from civwatch.registers.queries import names_at_changes
from civwatch.registers.wording import kind_count, summary

FEED_SIZE = 50


def applied() -> QuerySet[Snapshot]:
    return Snapshot.objects.filter(status=Snapshot.Status.APPLIED)


def feed_state() -> tuple[str, datetime.datetime | None]:
    """What the feed shows changes only when a snapshot is applied (or removed)."""
    state = applied().aggregate(n=Count("id"), last=Max("id"), at=Max("imported_at"))
    return f"{state['n']}:{state['last']}", state["at"]


class ChangesFeed(SiteFeed):
    """One entry per applied snapshot: what a journalist wants to be told about each week.
    An entry is published on the register's date (the snapshot's `as_of`), not the day it
    was imported; the feed is updated on the date of the last snapshot that changed anything.
    """

    def title(self) -> str:
        return _("civwatch: changes in the registers")

    def link(self) -> str:
        return reverse("registers:changes")

    def items(self) -> list[Snapshot]:
        snapshots = list(
            applied()
            .select_related("register")
            .prefetch_related(
                Prefetch("changes", Change.objects.select_related("designation__entity"))
            )
            .order_by("-as_of", "-file_name")[:FEED_SIZE]
        )
        # Each change names whom it is about as its snapshot did (one read of the history).
        changes = [change for snapshot in snapshots for change in snapshot.changes.all()]
        names = names_at_changes(changes)
        for change in changes:
            change.name_then = names.get(change.pk, change.designation.entity.name)
        return snapshots

    def last_change(self) -> datetime.datetime | None:
        day = Change.objects.filter(snapshot__status=Snapshot.Status.APPLIED).aggregate(
            day=Max("snapshot__as_of")
        )["day"]
        return day_start(day) if day else None

    def item_title(self, snapshot: Snapshot) -> str:
        counts = Counter(change.kind for change in snapshot.changes.all())
        summary = ", ".join(
            kind_count(kind, counts[kind]) for kind in Change.Kind.values if counts[kind]
        )
        return f"{snapshot.register.name}, {snapshot.as_of:%Y-%m-%d}: {summary or _('no changes')}"

    def item_description(self, snapshot: Snapshot) -> str:
        """Who was added, removed, reinstated, and what changed for whom: every name, in words
        (registers.wording), as the snapshot's page says it."""
        changes = sorted(snapshot.changes.all(), key=lambda c: (c.kind, c.name_then, c.id))
        if not changes:
            # Feed readers show an empty summary as a broken entry; say what happened.
            return _("No changes: the register was checked on %(day)s and %(rows)s rows were "
                     "the same as before.") % {"day": f"{snapshot.as_of:%Y-%m-%d}",
                                              "rows": snapshot.row_count}  # fmt: skip
        # HTML (Atom's summary type="html"): one list of names per kind of change.
        parts = []
        for kind in Change.Kind.values:
            of_kind = [change for change in changes if change.kind == kind]
            if not of_kind:
                continue
            items = format_html_join(
                "", "<li>{}{}</li>",
                ((change.name_then, "" if kind == Change.Kind.ADDED
                  else f" ({summary(change.fields)})") for change in of_kind),
            )  # fmt: skip
            parts.append(
                format_html("<p>{}:</p><ul>{}</ul>", kind_count(kind, len(of_kind)), items)
            )
        return "".join(parts)

    def item_link(self, snapshot: Snapshot) -> str:
        return snapshot.get_absolute_url()

    def item_pubdate(self, snapshot: Snapshot) -> datetime.datetime:
        return day_start(snapshot.as_of)

    def item_updateddate(self, snapshot: Snapshot) -> datetime.datetime:
        return day_start(snapshot.as_of)
