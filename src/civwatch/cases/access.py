"""Who is asking, and which visibility level they may read."""

from typing import Any

from django.http import HttpRequest

from civwatch.accounts.models import ApiToken, has_role
from civwatch.cases.records import Visibility


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


def reading_level(user: Any) -> str:
    """Researchers read internal records; editors and admins confidential ones as well."""
    if has_role(user, "editor"):
        return Visibility.CONFIDENTIAL
    if has_role(user, "researcher"):
        return Visibility.INTERNAL
    return Visibility.PUBLIC
