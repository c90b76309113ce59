"""What every Atom feed of the site shares (docs/registers.md, "Atom feeds"): an author, the
feed's `updated` given by the data (its last change, not the time it was rendered), and
conditional GET, so that feed readers polling every few minutes get a 304 when nothing moved.
"""

import datetime
import hashlib
from collections.abc import Callable
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date
from django.views.decorators.http import condition

AUTHOR = "civwatch"


class LastChangeAtom1Feed(Atom1Feed):
    """Atom whose feed-level `updated` is the `last_change` the feed view passes (Django's
    default is the newest entry's date, which may be an entry that changed nothing)."""

    def latest_post_date(self) -> datetime.datetime:
        return self.feed.get("last_change") or super().latest_post_date()


class SiteFeed(Feed):
    feed_type = LastChangeAtom1Feed
    author_name = AUTHOR

    def author_link(self) -> str:
        return "/"

    def last_change(self) -> datetime.datetime | None:
        """When the feed's data last changed; None: the newest entry's date."""
        return None

    def feed_extra_kwargs(self, obj: Any) -> dict[str, Any]:
        return {"last_change": self.last_change()}


def conditional(
    feed: Feed, state: Callable[[], tuple[str, datetime.datetime | None]]
) -> Callable[..., Any]:
    """`feed` answering conditional GET. `state()` returns a text that changes whenever the
    feed's content does, and the time it last changed: that is the HTTP Last-Modified (the
    feed's own `updated` is the data's last change, which a new entry that changed nothing
    does not move, so it cannot tell a reader that the document changed). The ETag also
    depends on the language: /ru/ and / render different feeds from the same data."""

    def current(request: HttpRequest) -> tuple[str, datetime.datetime | None]:
        if not hasattr(request, "_feed_state"):
            request._feed_state = state()
        return request._feed_state

    def etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        text = f"{translation.get_language()}\n{current(request)[0]}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def last_modified(request: HttpRequest, *args: Any, **kwargs: Any):
        return current(request)[1]

    @condition(etag_func=etag, last_modified_func=last_modified)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = feed(request, *args, **kwargs)
        modified = current(request)[1]
        if modified:
            response["Last-Modified"] = http_date(modified.timestamp())
        return response

    return view


def day_start(day: datetime.date) -> datetime.datetime:
    """A register's date as the instant Atom wants (the day's start, UTC)."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
