"""Sign-in pages: password, second factor (verify or enrol), account, sign-out, lockout.

Every step goes through django.contrib.auth (authenticate, login, logout) or sends its
user_login_failed signal, so that the audit log and the lockout see every event."""

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from civwatch.accounts.forms import CodeForm, SignInForm
from civwatch.accounts.models import ROLES, SessionEpoch, has_role, role_rank
from civwatch.accounts.security import (
    SecondFactor,
    is_throttled,
    second_factor_required,
    second_factor_state,
    verify_code,
)


def safe_next(request: HttpRequest) -> str:
    """The page asked for before signing in, if it is on this site; else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def next_url(request: HttpRequest) -> str:
    """Where to go once signed in: the page asked for, else the user's workspace."""
    if target := safe_next(request):
        return target
    if has_role(request.user, "contributor"):
        return reverse("cases:staff_home")
    return reverse("accounts:home")


def after_password(request: HttpRequest) -> HttpResponse:
    """The next step once the password (or the session) is accepted."""
    state = second_factor_state(request.user)
    if state is SecondFactor.DONE:
        return redirect(next_url(request))
    step = reverse("accounts:verify" if state is SecondFactor.VERIFY else "accounts:enrol")
    target = safe_next(request)
    return redirect(step + (f"?{urlencode({'next': target})}" if target else ""))


@sensitive_post_parameters("password")
@never_cache
def signin(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return after_password(request)
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())
        return after_password(request)
    return render(request, "accounts/signin.html", {"form": form, "next": safe_next(request)})


@sensitive_post_parameters("code")
@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in, for users with a confirmed device."""
    if second_factor_state(request.user) is not SecondFactor.VERIFY:
        return after_password(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = is_throttled(request.user)
        device = verify_code(request, request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(next_url(request))
        if getattr(request, "axes_locked_out", False):
            # Too many failures: the half-signed-in session ends; axes shows the lockout page.
            logout(request)
            return redirect("accounts:signin")
        if throttled:
            form.add_error(
                "code",
                _(
                    "Too many wrong codes in a row: wait a few seconds, then "
                    "enter the code the app shows."
                ),
            )
        else:
            form.add_error("code", _("This code is not valid. Codes change every 30 seconds."))
    return render(request, "accounts/verify.html", {"form": form, "next": safe_next(request)})


def qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return image.to_string(encoding="unicode")


@sensitive_post_parameters("code")
@never_cache
@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: the secret is shown until the first code confirms it."""
    user = request.user
    state = second_factor_state(user)
    if state is SecondFactor.VERIFY:
        return after_password(request)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        messages.info(request, _("Your second factor is already set up."))
        return redirect("accounts:home")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = "".join(form.cleaned_data["code"].split())
        if code.isdigit() and device.verify_token(code):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(
                request,
                _("Second factor set up. You will be asked for a code each time you sign in."),
            )
            return redirect(next_url(request))
        form.add_error(
            "code",
            _(
                "This code is not valid. Check the time on your phone and "
                "enter the code currently shown."
            ),
        )
    uri = device.config_url
    context: dict[str, Any] = {
        "form": form,
        "next": safe_next(request),
        "uri": uri,
        "secret": b32encode(device.bin_key).decode(),
        # Markup generated by qrcode from the key: paths only, no text of the user.
        "qr": mark_safe(qr_svg(uri)),
        "required": second_factor_required(user),
    }
    return render(request, "accounts/enrol.html", context)


@never_cache
@login_required
def home(request: HttpRequest) -> HttpResponse:
    rank = role_rank(request.user)
    context = {
        "role": ROLES[rank - 1] if rank else "",
        "enrolled": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
        "required": second_factor_required(request.user),
    }
    return render(request, "accounts/home.html", context)


@never_cache
def signout(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request)
        messages.info(request, _("You are signed out."))
        return redirect("accounts:signin")
    return render(request, "accounts/signout.html")


@require_POST
@login_required
def signout_everywhere(request: HttpRequest) -> HttpResponse:
    SessionEpoch.advance(request.user.pk)
    logout(request)
    messages.info(request, _("You are signed out on every device and browser."))
    return redirect("accounts:signin")


class PasswordChange(PasswordChangeView):
    """Django's form: the old password, then the new one checked by the validators."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Password changed. Your other sessions have ended."))
        return response


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """What axes shows while the user name or the address is locked out (429, not a 500)."""
    context = {
        "minutes": settings.CIVWATCH_LOCKOUT_MINUTES,
        "failures": settings.CIVWATCH_LOCKOUT_FAILURES,
    }
    return render(request, "accounts/locked_out.html", context, status=429)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin site signs in through our page (lockout, second factor), not its own."""
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse("accounts:signin") + (f"?{query}" if query else ""))
