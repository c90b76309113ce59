"""Sign-in: our page, lockout, password rules, second factor, idle timeout, sign-out
everywhere, and CSRF on session-authenticated API writes (docs/accounts.md)."""

import io
import json
import re
import time

import pyotp
import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model, user_login_failed
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from civwatch.accounts.models import ApiToken
from civwatch.accounts.security import LAST_SEEN_KEY
from civwatch.cases.models import Incident
from tests.auth_helpers import current_code, sign_in, totp_device
from tests.test_cases import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-eddie"  # what make_user gives; set before the password rules applied
GOOD_PASSWORD = "quiet-lantern-orbit-27"
INCIDENT = {"incident_type": "search", "title": "Search of the office", "date": "2024-03-01"}


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


def signin(client: Client, username: str, password: str, next: str = ""):
    data = {"username": username, "password": password}
    if next:
        data["next"] = next
    return client.post(reverse("accounts:signin"), data)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- our own page ----------------------------------------------------------------------


def test_every_page_links_to_our_sign_in_page_and_the_admin_login_leads_there(client):
    page = client.get(reverse("registers:list")).content.decode()
    assert 'href="/accounts/signin/?next=/"' in page
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signin/?next=/admin/"
    page = client.get(response["Location"]).content.decode()
    assert "Django administration" not in page and 'name="password"' in page
    assert client.get("/admin/").status_code == 302  # admin pages: sign in through ours


def test_signed_in_header_names_the_user_and_offers_sign_out_in_russian(client):
    user = make_user("carol", "contributor")
    user.first_name, user.last_name = "Carol", "Díaz"
    user.save()
    sign_in(client, user)
    page = client.get("/ru/").content.decode()
    assert "Вы вошли как" in page and "Carol Díaz" in page and "выйти" in page
    assert 'action="/ru/accounts/signout/"' in page
    client.post("/ru/accounts/signout/")
    assert not signed_in(client)
    page = client.get("/ru/accounts/signin/").content.decode()
    assert "Вход" in page and "Пароль" in page


def test_a_contributor_signs_in_with_a_password_and_lands_in_the_workspace(client):
    make_user("carol", "contributor")
    response = signin(client, "carol", "pw-carol")
    assert response.status_code == 302 and response["Location"] == reverse("cases:staff_home")
    assert client.get(reverse("cases:staff_home")).status_code == 200


def test_sign_in_goes_back_only_to_pages_of_this_site(client):
    make_user("carol", "contributor")
    response = signin(client, "carol", "pw-carol", next="https://evil.example/")
    assert response["Location"] == reverse("cases:staff_home")
    client.post(reverse("accounts:signout"))
    response = signin(client, "carol", "pw-carol", next="/cases/staff/review/")
    assert response["Location"] == "/cases/staff/review/"


# --- lockout ---------------------------------------------------------------------------


def test_twenty_wrong_passwords_lock_the_account_and_the_right_one_is_refused(client):
    make_user("carol", "contributor")
    for attempt in range(19):
        response = signin(client, "carol", f"wrong-{attempt}")
        assert response.status_code == 200 and "do not match" in response.content.decode()
    locked = signin(client, "carol", "wrong-20")
    assert locked.status_code == 429
    assert "locked for 30 minutes" in locked.content.decode()
    refused = signin(client, "carol", "pw-carol")
    assert refused.status_code == 429 and not signed_in(client)
    # From another address too: the account itself is locked.
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert signin(elsewhere, "carol", "pw-carol").status_code == 429

    # The lockout ends with the cool-off (30 minutes by default).
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=31))
    response = signin(client, "carol", "pw-carol")
    assert response.status_code == 302 and signed_in(client)


def test_twenty_failures_from_one_address_lock_that_address_for_every_name(client):
    make_user("carol", "contributor")
    for attempt in range(20):
        signin(client, f"guess-{attempt}", "wrong")
    assert signin(client, "carol", "pw-carol").status_code == 429
    assert signin(Client(REMOTE_ADDR="198.51.100.7"), "carol", "pw-carol").status_code == 302


def test_the_lockout_page_speaks_russian_and_unlock_lifts_it(client):
    make_user("carol", "contributor")
    for attempt in range(20):
        client.post("/ru/accounts/signin/", {"username": "carol", "password": f"x{attempt}"})
    page = client.post("/ru/accounts/signin/", {"username": "carol", "password": "pw-carol"})
    assert page.status_code == 429 and "заблокирован" in page.content.decode()
    call_command("users", "unlock", "carol", stdout=io.StringIO())
    assert signin(client, "carol", "pw-carol").status_code == 302


# --- password rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    # too short, too short, only digits, common, too like the user name
    ["a", "short-pw-1", "123456789012345", "password1234", "kuznetsova2024"],
)
def test_users_add_refuses_a_weak_password_and_creates_nothing(password):
    with pytest.raises(CommandError, match="Password refused"):
        call_command(
            "users", "add", "kuznetsova", "--role", "editor", "--password-stdin",
            stdin=io.StringIO(password + "\n"), stdout=io.StringIO(),
        )  # fmt: skip
    assert not get_user_model().objects.filter(username="kuznetsova").exists()


def test_users_add_with_a_good_password_and_the_change_form_applies_the_rules(client):
    call_command(
        "users", "add", "carol", "--role", "contributor", "--password-stdin",
        stdin=io.StringIO(GOOD_PASSWORD + "\n"), stdout=io.StringIO(),
    )  # fmt: skip
    assert signin(client, "carol", GOOD_PASSWORD).status_code == 302
    url = reverse("accounts:password_change")
    change = {"old_password": GOOD_PASSWORD, "new_password1": "a", "new_password2": "a"}
    response = client.post(url, change)
    assert response.status_code == 200 and "too short" in response.content.decode()
    better = "violet-harbour-cedar-91"
    response = client.post(url, {**change, "new_password1": better, "new_password2": better})
    assert response.status_code == 302
    client.post(reverse("accounts:signout"))
    assert signin(client, "carol", better).status_code == 302


# --- second factor -----------------------------------------------------------------------


def test_an_editor_cannot_act_before_enrolling_then_can_with_a_real_code(client):
    eddie = make_user("eddie", "editor")
    response = signin(client, "eddie", PASSWORD, next="/cases/staff/incidents/new/")
    assert response.status_code == 302
    assert (
        response["Location"]
        == "/accounts/second-factor/?next=%2Fcases%2Fstaff%2Fincidents%2Fnew%2F"
    )
    # Signed in with the password only: every staff action leads to enrolment.
    for url in (reverse("cases:staff_home"), reverse("cases:staff_incident_new"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/second-factor/"
        )
    form = {"incident_type": 1, "title": "Search", "visibility": "internal"}
    assert client.post(reverse("cases:staff_incident_new"), form).status_code == 302
    api = client.post("/api/cases/incidents", json.dumps(INCIDENT), content_type="application/json")
    assert api.status_code == 403
    assert not Incident.objects.exists()

    # Enrolment shows the key (as text, a link and a QR code); a code from it confirms.
    page = client.get(response["Location"]).content.decode()
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    assert "otpauth://totp/" in page and "<svg" in page
    assert client.post(reverse("accounts:enrol"), {"code": "000000"}).status_code == 200
    assert not TOTPDevice.objects.filter(user=eddie, confirmed=True).exists()
    TOTPDevice.objects.get(user=eddie).throttle_reset()  # a wrong code delays the next by 1 s
    response = client.post(
        reverse("accounts:enrol"),
        {"code": pyotp.TOTP(secret).now(), "next": "/cases/staff/incidents/new/"},
    )
    assert response.status_code == 302 and response["Location"] == "/cases/staff/incidents/new/"
    assert TOTPDevice.objects.filter(user=eddie, confirmed=True).count() == 1
    assert client.get(reverse("cases:staff_incident_new")).status_code == 200
    # The key is not shown again.
    assert secret not in client.get(reverse("accounts:enrol"), follow=True).content.decode()


def test_a_user_with_a_device_must_enter_a_code_at_each_sign_in(client):
    eddie = make_user("eddie", "editor")
    device = totp_device(eddie)
    failures = []
    user_login_failed.connect(lambda **kw: failures.append(kw["credentials"]), weak=False,
                              dispatch_uid="test-otp-failures")  # fmt: skip
    try:
        response = signin(client, "eddie", PASSWORD)
        assert response["Location"] == reverse("accounts:verify")
        assert client.get(reverse("cases:staff_home"))["Location"].startswith(
            reverse("accounts:verify")
        )
        wrong = client.post(reverse("accounts:verify"), {"code": "123456"})
        assert wrong.status_code == 200 and "not valid" in wrong.content.decode()
        assert failures == [{"username": "eddie", "second_factor": True}]
        # Right away, even the right code is held back for a moment, and the page says so.
        held = client.post(reverse("accounts:verify"), {"code": current_code(device)})
        assert "wait a few seconds" in held.content.decode()
        assert len(failures) == 2
    finally:
        user_login_failed.disconnect(dispatch_uid="test-otp-failures")
    device.throttle_reset()  # a wrong code delays the next by 1 s
    response = client.post(reverse("accounts:verify"), {"code": current_code(device)})
    assert response.status_code == 302
    assert client.get(reverse("cases:staff_home")).status_code == 200


def test_twenty_wrong_codes_lock_the_account_and_end_the_half_signed_in_session(client):
    eddie = make_user("eddie", "editor")
    device = totp_device(eddie)
    signin(client, "eddie", PASSWORD)
    for _ in range(19):
        assert client.post(reverse("accounts:verify"), {"code": "000000"}).status_code == 200
    locked = client.post(reverse("accounts:verify"), {"code": "000000"})
    assert locked.status_code == 429 and not signed_in(client)
    device.throttle_reset()
    assert signin(client, "eddie", PASSWORD).status_code == 429


def test_a_contributor_may_enrol_and_is_then_asked_for_codes(client):
    carol = make_user("carol", "contributor")
    sign_in(client, carol)
    page = client.get(reverse("accounts:enrol")).content.decode()
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    client.post(reverse("accounts:enrol"), {"code": pyotp.TOTP(secret).now()})
    client.post(reverse("accounts:signout"))
    assert signin(client, "carol", "pw-carol")["Location"] == reverse("accounts:verify")


def test_reset_second_factor_removes_the_device_and_ends_the_sessions(client):
    eddie = make_user("eddie", "editor")
    sign_in(client, eddie)
    assert client.get(reverse("cases:staff_home")).status_code == 200
    call_command("users", "reset-second-factor", "eddie", stdout=io.StringIO())
    assert not TOTPDevice.objects.filter(user=eddie).exists()
    assert client.get(reverse("cases:staff_home"))["Location"].startswith(
        reverse("accounts:signin")
    )
    signin(client, "eddie", PASSWORD)
    assert client.get(reverse("cases:staff_home"))["Location"].startswith(reverse("accounts:enrol"))


def test_a_verified_admin_reaches_the_admin_site(client):
    admin = make_user("ada", "admin")
    admin.is_superuser = True
    admin.save()
    sign_in(client, admin)
    assert client.get("/admin/").status_code == 200


# --- sessions ----------------------------------------------------------------------------


def test_an_idle_session_ends_after_the_timeout(client, settings):
    settings.CIVWATCH_IDLE_TIMEOUT_MINUTES = 30
    sign_in(client, make_user("eddie", "editor"))
    home = reverse("cases:staff_home")

    def idle_for(minutes: int) -> None:
        session = client.session
        session[LAST_SEEN_KEY] = int(time.time()) - minutes * 60
        session.save()

    idle_for(29)
    assert client.get(home).status_code == 200
    idle_for(31)
    response = client.get(home)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/signin/")
    assert not signed_in(client)
    page = client.get(response["Location"]).content.decode()
    assert "30 minutes without activity" in page


def test_sign_out_everywhere_ends_every_session_of_the_user(client):
    carol = make_user("carol", "contributor")
    laptop, phone, other = Client(), Client(), Client()
    for c in (laptop, phone):
        signin(c, "carol", "pw-carol")
    sign_in(other, make_user("rita", "researcher"))
    home = reverse("cases:staff_home")
    assert phone.get(home).status_code == 200
    response = laptop.post(reverse("accounts:signout_everywhere"))
    assert response["Location"] == reverse("accounts:signin")
    assert phone.get(home)["Location"].startswith("/accounts/signin/")
    assert not signed_in(phone) and not signed_in(laptop)
    assert other.get(home).status_code == 200  # other users keep their sessions
    assert signin(phone, "carol", "pw-carol").status_code == 302  # signing in again works
    assert phone.get(home).status_code == 200
    assert carol.is_active


# --- the API: CSRF for the session, none for tokens ---------------------------------------


def test_a_cross_site_text_plain_post_with_the_session_cookie_is_refused():
    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, make_user("carol", "contributor"))
    # What a form on another site can send without a preflight: text/plain, cookie only.
    response = browser.post(
        "/api/cases/incidents", json.dumps(INCIDENT), content_type="text/plain",
        headers={"Origin": "https://evil.example"},
    )  # fmt: skip
    assert response.status_code == 403
    assert not Incident.objects.exists()


def test_the_api_takes_writes_from_tokens_only_even_with_a_session_and_its_csrf_token():
    """Stricter than a CSRF check: the JSON API does not accept a session for writes at all
    (staff pages are forms with their own CSRF check; machines use tokens)."""
    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, make_user("carol", "contributor"))
    browser.get(reverse("accounts:home"))  # the page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/cases/incidents", json.dumps(INCIDENT), content_type="application/json",
        headers={"X-CSRFToken": token},
    )  # fmt: skip
    assert response.status_code == 401 and not Incident.objects.exists()


def test_token_writes_need_no_csrf_and_no_second_factor():
    machine = Client(enforce_csrf_checks=True)
    editor_token = ApiToken.issue(make_user("eddie", "editor"))
    response = machine.post(
        "/api/cases/incidents", json.dumps(INCIDENT), content_type="application/json",
        headers={"Authorization": f"Bearer {editor_token}"},
    )  # fmt: skip
    assert response.status_code == 201 and Incident.objects.count() == 1


def test_anonymous_api_posts_need_no_csrf():
    response = Client(enforce_csrf_checks=True).post(
        "/api/cases/incidents", json.dumps(INCIDENT), content_type="application/json"
    )
    assert response.status_code == 401  # refused for want of a token, not by CSRF
    assert not Incident.objects.exists()
