"""Template context for the header: who is signed in and whether they have a workspace."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from civwatch.accounts.models import has_role


def display_name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def identity(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        # Lazy: most pages never ask, and the role needs a query.
        "signed_in_as": SimpleLazyObject(lambda: display_name(user)),
        "has_workspace": SimpleLazyObject(lambda: has_role(user, "contributor")),
        # Citizens' initiatives: the staff navigation links them for those who may read them.
        "reads_initiatives": SimpleLazyObject(lambda: _reads_initiatives(user)),
        # The accountability list's staff pages are for researchers and editors.
        "works_on_accountability": SimpleLazyObject(lambda: has_role(user, "researcher")),
    }


def _reads_initiatives(user) -> bool:
    from civwatch.accounts.permissions import can_read_initiatives  # no cycle at start-up

    return can_read_initiatives(user)
