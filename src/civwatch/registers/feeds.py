from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from civwatch.registers.models import Snapshot


class ChangesFeed(Feed):
    """One entry per applied snapshot: what a journalist wants to be told about each week."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return _("civwatch: changes in the registers")

    def link(self) -> str:
        return reverse("registers:changes")

    def items(self):
        return (
            Snapshot.objects.filter(status=Snapshot.Status.APPLIED)
            .select_related("register")
            .prefetch_related("changes")
            .order_by("-as_of", "-file_name")[:50]
        )

    def item_title(self, snapshot: Snapshot) -> str:
        counts = {}
        for change in snapshot.changes.all():
            counts[change.get_kind_display()] = counts.get(change.get_kind_display(), 0) + 1
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or _("no changes")
        return f"{snapshot.register.name}, {snapshot.as_of:%Y-%m-%d}: {summary}"

    def item_description(self, snapshot: Snapshot) -> str:
        changes = sorted(snapshot.changes.all(), key=lambda c: (c.kind, c.id))[:30]
        return "\n".join(f"{c.get_kind_display()}: #{c.row_id}" for c in changes)

    def item_link(self, snapshot: Snapshot) -> str:
        return snapshot.get_absolute_url()

    def item_updateddate(self, snapshot: Snapshot):
        return snapshot.imported_at
