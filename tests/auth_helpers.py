"""Signing test users in, second factor included.

Editors and admins cannot act until their session is verified with a second factor
(civwatch.accounts.middleware). `sign_in` is the one way tests log a user in through the
test client: for a user who has or needs a second factor it gives them a real TOTP device
and marks the session verified by it, exactly as django_otp.login does after a correct code
(test_signin.py covers the code step itself through the pages)."""

from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from civwatch.accounts.security import second_factor_required


def totp_device(user: AbstractBaseUser) -> TOTPDevice:
    """The user's confirmed authenticator, created (with a random key) if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app with this device's key shows now.

    A device refuses a code of a time step it has already accepted (replay); a test that
    signs the same user in twice within 30 seconds uses the next step's code, which the
    device accepts within its clock-drift tolerance, as it would from a phone running ahead."""
    device.refresh_from_db()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    target = max(now, device.last_t + 1)
    assert target <= now + device.tolerance, "signed in too often within one time step"
    return f"{hotp(device.bin_key, target, digits=device.digits):0{device.digits}d}"


def sign_in(client: Client, user: AbstractBaseUser) -> None:
    """Log `user` in on `client`, with a verified second factor when they have or need one."""
    client.force_login(user)
    if second_factor_required(user) or TOTPDevice.objects.filter(user=user).exists():
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()


def browser_sign_in(page, base: str, username: str, password: str, next_path: str) -> None:
    """Sign in through the sign-in page in a real browser, with a code from the user's
    authenticator when they have one (its key is in the database, as it is on their phone)."""
    from urllib.parse import quote

    from django.contrib.auth import get_user_model

    page.goto(f"{base}/accounts/signin/?next={quote(next_path)}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("section.auth form button[type=submit]")
    page.wait_for_load_state()
    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        page.fill("#id_code", current_code(device))
        page.click("section.auth form button[type=submit]")
        page.wait_for_load_state()
