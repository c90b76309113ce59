"""`--as USER`: the user a command-line command acts as.

Records created by a command (imports, candidates) have an author like any other: the four-eyes
review counts the importer as the author, so publishing them needs a second editor. The command
line authenticates nobody (whoever runs it can name any user), which is why nothing on the
command line approves or publishes: the second editor decides on the staff pages.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from civwatch.accounts.models import has_role

AS_HELP = "the user the new records are attributed to (their author; required)"


def add_as_argument(parser: Any) -> None:
    parser.add_argument("--as", dest="as_user", metavar="USER", help=AS_HELP)


def acting_user(name: str | None, role: str) -> Any:
    """The active user called `name` holding at least `role`, or a CommandError saying why."""
    if not name or not name.strip():
        raise CommandError(
            "Say who the new records are attributed to: --as USER (a user with the role "
            f"{role} or higher; create one with `civwatch users add NAME --role {role}`). "
            "Nothing was written."
        )
    user = get_user_model().objects.filter(username=name.strip()).first()
    if user is None or not user.is_active:
        raise CommandError(f"--as {name}: no active user of that name. Nothing was written.")
    if not has_role(user, role):
        raise CommandError(
            f"--as {name}: this needs the role {role} or higher. Nothing was written."
        )
    return user
