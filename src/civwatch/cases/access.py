"""Who is asking (session or API token); what they may read is `civwatch.accounts.permissions`."""

from typing import Any

from django.http import HttpRequest

from civwatch.accounts.models import bearer_user


class BadToken(Exception):
    pass


def request_user(request: HttpRequest) -> Any:
    """The token's user (Authorization: Bearer ...), else the session's; raise on a bad token."""
    if request.headers.get("Authorization", ""):
        user = bearer_user(request)
        if user is None:
            raise BadToken
        return user
    return request.user
