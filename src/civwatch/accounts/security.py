"""Sign-in rules shared by the pages, the middleware and the `civwatch users` command.

Who needs a second factor, what a session remembers, and how lockout sees a client. The
views stay thin; the rules live here so that the middleware and the pages agree."""

import time
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth import user_login_failed
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django_otp import devices_for_user, user_has_device

from civwatch.accounts.models import SessionEpoch, has_role

# Session keys (the session is signed server-side data: never shown to the user).
EPOCH_KEY = "civwatch_epoch"
LAST_SEEN_KEY = "civwatch_last_seen"
# Writing the session on every request would cost a database write each time; a minute of
# imprecision in the idle timeout costs nothing.
LAST_SEEN_RESOLUTION = 60


class SecondFactor(StrEnum):
    """Where a signed-in user stands with the second factor in this session."""

    DONE = "done"  # verified in this session, or not required and not enrolled
    VERIFY = "verify"  # enrolled: must enter a code before doing anything
    ENROL = "enrol"  # editor or admin without a device: must enrol before doing anything


def second_factor_required(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Editors and admins must have a second factor; others may enrol if they wish."""
    return has_role(user, "editor")


def second_factor_state(user: Any) -> SecondFactor:
    if not user.is_authenticated or getattr(user, "is_verified", lambda: False)():
        return SecondFactor.DONE
    if user_has_device(user, confirmed=True):
        return SecondFactor.VERIFY
    if second_factor_required(user):
        return SecondFactor.ENROL
    return SecondFactor.DONE


def is_throttled(user: AbstractBaseUser) -> bool:
    """Whether a wrong code just now makes django-otp refuse even a right one for a moment."""
    return any(not device.verify_is_allowed()[0] for device in devices_for_user(user))


def verify_code(request: HttpRequest, user: AbstractBaseUser, code: str) -> Any | None:
    """The confirmed device that accepts the code, else None (the failure is signalled).

    A wrong code is a failed sign-in like a wrong password: it goes through Django's
    user_login_failed signal, so the audit log records it and lockout counts it."""
    code = "".join(code.split())
    for device in devices_for_user(user, confirmed=True):
        allowed, _ = device.verify_is_allowed()
        if allowed and code.isdigit() and device.verify_token(code):
            return device
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username(), "second_factor": True},
        request=request,
    )
    return None


def reset_second_factor(user: AbstractBaseUser) -> int:
    """Remove every device of the user and end their sessions; returns how many devices."""
    count = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        count += 1
    SessionEpoch.advance(user.pk)
    return count


@receiver(user_logged_in, dispatch_uid="civwatch.accounts.session_start")
def remember_session_start(sender: Any, request: HttpRequest | None, user: Any, **kwargs) -> None:
    """A new session belongs to the user's current epoch and starts its idle clock now."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[EPOCH_KEY] = SessionEpoch.current(user.pk)
    request.session[LAST_SEEN_KEY] = int(time.time())


def client_address(request: HttpRequest) -> str | None:
    """The client's address for lockout: REMOTE_ADDR, or the one our own proxies saw.

    Only the last CIVWATCH_PROXY_COUNT entries of X-Forwarded-For were written by proxies
    we trust; anything before them is whatever the client chose to send."""
    count = settings.CIVWATCH_PROXY_COUNT
    if count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def client_for_logs(
    username: str | None, ip_address: str | None, user_agent: str, path_info: Any, request: Any
) -> str:
    """What axes writes to the log about a client: no name and no address (personal data)."""
    return "a client"
