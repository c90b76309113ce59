"""Who is asking (session or API token); what they may read is `civwatch.accounts.permissions`."""

from typing import Any

from django.http import HttpRequest

from civwatch.accounts.models import ApiToken
from civwatch.accounts.permissions import reading_level

__all__ = ["BadToken", "reading_level", "request_user"]


class BadToken(Exception):
    pass


def request_user(request: HttpRequest) -> Any:
    """The token's user (Authorization: Bearer ...), else the session's; raise on a bad token."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        user = ApiToken.user_for(raw.strip()) if scheme.lower() == "bearer" and raw else None
        if user is None:
            raise BadToken
        return user
    return request.user
