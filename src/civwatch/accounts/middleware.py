"""The session guard: idle timeout, sign-out everywhere, second factor, CSRF on the API.

One middleware, after authentication, OTP and messages (settings.py), because the four rules
read the same session and must apply to every page and every API operation alike, not only
to the views someone remembered to decorate."""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja.utils import check_csrf

from civwatch.accounts.models import SessionEpoch
from civwatch.accounts.security import (
    EPOCH_KEY,
    LAST_SEEN_KEY,
    LAST_SEEN_RESOLUTION,
    SecondFactor,
    second_factor_state,
)

# What a signed-in user may reach before the second factor: signing in and out, enrolling,
# and switching the language of those pages.
OPEN_BEFORE_SECOND_FACTOR = {
    "accounts:signin",
    "accounts:signout",
    "accounts:verify",
    "accounts:enrol",
    "set_language",
}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def is_api(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and "api" in match.namespaces


class SessionGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            self.end_stale_session(request)
        return self.get_response(request)

    def end_stale_session(self, request: HttpRequest) -> None:
        session = request.session
        now = int(time.time())
        if session.get(EPOCH_KEY, 0) != SessionEpoch.current(request.user.pk):
            logout(request)
            messages.info(request, _("You were signed out on every device. Sign in again."))
            return
        last_seen = session.get(LAST_SEEN_KEY, now)
        idle = settings.CIVWATCH_IDLE_TIMEOUT_MINUTES
        if now - last_seen > idle * 60:
            logout(request)
            messages.info(
                request,
                _("Your session ended after %(minutes)d minutes without activity.")
                % {"minutes": idle},
            )
            return
        if now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN_KEY not in session:
            session[LAST_SEEN_KEY] = now

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return None
        api = is_api(request)
        if api and request.headers.get("Authorization"):
            # A machine with an API token: no cookie involved, so neither CSRF nor the
            # interactive second factor applies (tokens are issued by an admin).
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        state = second_factor_state(user)
        if state is not SecondFactor.DONE:
            if api:
                message = _("Complete the second factor of your sign-in first.")
                return JsonResponse({"detail": message}, status=403)
            target = "accounts:verify" if state is SecondFactor.VERIFY else "accounts:enrol"
            query = urlencode({"next": request.path}) if request.method == "GET" else ""
            return redirect(reverse(target) + (f"?{query}" if query else ""))
        if api and request.method not in SAFE_METHODS:
            # django-ninja exempts its views from Django's CSRF middleware and checks CSRF only
            # in cookie-based auth classes, which this API does not use (callers are read
            # from the token or the session by hand). A write carried by the session cookie
            # alone could come from any site the user visits, so it must carry the token.
            refused = check_csrf(request)  # not `view`: ninja marks it csrf_exempt
            if refused is not None:
                return JsonResponse(
                    {"detail": _("CSRF check failed: send the X-CSRFToken header.")}, status=403
                )
        return None
