"""The time stamped on what civwatch writes, and the anonymous drop box that keeps only the day.

An anonymous submission (a citizens' initiative, an answer to a question about it) must not
carry the time it was made: matched against network logs elsewhere, a time of day can name
the person. The submission's own rows store a day already; what is written on the way (its
evidence items and their custody log, the history, the audit log) is stamped by `now()`,
which inside `day_only()` is the start of the day. A view wrapped in `drop_box` runs inside
`day_only()` and is left out of the server's access log (core/server.py).

What remains, said in docs/initiatives.md: rows are still numbered and chained in the order
they were written, so events written just before and after bound a submission's time.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.utils import timezone

_day_only: ContextVar[bool] = ContextVar("day_only", default=False)
# Set in a request's WSGI environ (Django's request.META is that dict): the access log
# leaves the request out.
UNLOGGED = "civwatch.unlogged"


def now() -> datetime.datetime:
    """The current time, or inside `day_only()` the start of the current (local) day."""
    moment = timezone.now()
    if not _day_only.get():
        return moment
    day = timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)
    return day.astimezone(datetime.UTC)


@contextmanager
def day_only() -> Iterator[None]:
    token = _day_only.set(True)
    try:
        yield
    finally:
        _day_only.reset(token)


def drop_box(view: Callable[..., Any]) -> Callable[..., Any]:
    """An anonymous submitter's view: stamps keep the day only, the access log skips it."""

    @functools.wraps(view)
    def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
        request.META[UNLOGGED] = True
        with day_only():
            return view(request, *args, **kwargs)

    return wrapper


class StampField(models.DateTimeField):
    """A DateTimeField whose auto_now / auto_now_add stamp is `now()` (so the day only, in
    a drop box), not Django's `timezone.now()`."""

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        if self.auto_now or (self.auto_now_add and add):
            value = now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)

    def deconstruct(self) -> tuple[str, str, list, dict]:
        # The column is a plain DateTimeField's: migrations see one, so introducing the
        # stamp rebuilt no table (on SQLite an altered field remakes the table, and with it
        # the append-only triggers).
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateTimeField", args, kwargs
