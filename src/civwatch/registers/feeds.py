"""The Atom feed of the registers' changes (docs/registers.md, "Atom feeds")."""

import datetime

from django.db.models import Count, Max, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from civwatch.core.feeds import SiteFeed, day_start
from civwatch.registers.models import Change, Snapshot

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

    def items(self):
        return (
            applied()
            .select_related("register")
            .prefetch_related("changes")
            .order_by("-as_of", "-file_name")[:FEED_SIZE]
        )

    def last_change(self) -> datetime.datetime | None:
        day = Change.objects.filter(snapshot__status=Snapshot.Status.APPLIED).aggregate(
            day=Max("snapshot__as_of")
        )["day"]
        return day_start(day) if day else None

    def item_title(self, snapshot: Snapshot) -> str:
        counts = {}
        for change in snapshot.changes.all():
            counts[change.get_kind_display()] = counts.get(change.get_kind_display(), 0) + 1
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or _("no changes")
        return f"{snapshot.register.name}, {snapshot.as_of:%Y-%m-%d}: {summary}"

    def item_description(self, snapshot: Snapshot) -> str:
        changes = sorted(snapshot.changes.all(), key=lambda c: (c.kind, c.id))[:30]
        if not changes:
            # Feed readers show an empty summary as a broken entry; say what happened.
            return _("No changes: the register was checked on %(day)s and %(rows)s rows were "
                     "the same as before.") % {"day": f"{snapshot.as_of:%Y-%m-%d}",
                                              "rows": snapshot.row_count}  # fmt: skip
        return "\n".join(f"{c.get_kind_display()}: #{c.row_id}" for c in changes)

    def item_link(self, snapshot: Snapshot) -> str:
        return snapshot.get_absolute_url()

    def item_pubdate(self, snapshot: Snapshot) -> datetime.datetime:
        return day_start(snapshot.as_of)

    def item_updateddate(self, snapshot: Snapshot) -> datetime.datetime:
        return day_start(snapshot.as_of)
