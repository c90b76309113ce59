"""Who is acting right now, for the audit log (no Django imports: the CLI sets it before setup).

The web middleware puts the request here, `civwatch` commands put "cli:<os user>", a job
runner or a command acting for an account uses `acting_as`; anything else is "system".
"""

import getpass
import os
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

# (actor name, user id or None), set explicitly; wins over the request.
_explicit: ContextVar[tuple[str, int | None] | None] = ContextVar("audit_actor", default=None)
# The current web request: its user is resolved only when an event is written.
current_request: ContextVar[Any] = ContextVar("audit_request", default=None)
_process_default = "system"


def set_process_actor(name: str) -> None:
    """The actor of everything this process does that names no one else (set by the CLI)."""
    global _process_default
    _process_default = name


def process_actor() -> str:
    return _process_default


def cli_actor() -> str:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers): the uid still says who
        name = f"uid{os.getuid()}"
    return f"cli:{name}"


def explicit_actor() -> tuple[str, int | None] | None:
    return _explicit.get()


@contextmanager
def acting_as(name: str | None = None, user: Any = None):
    """Attribute the events written inside the block to `name` (default: this process's
    actor, e.g. "cli:alice") and to the account `user` (e.g. a command's --as USER)."""
    token = _explicit.set((name or _process_default, getattr(user, "pk", None)))
    try:
        yield
    finally:
        _explicit.reset(token)
