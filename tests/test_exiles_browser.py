"""In a real browser: a caseworker opens a file for a person abroad, records the person's
consent and a support action; another caseworker, not assigned, gets 404; the audit log
holds the reads."""

import re

import pytest

from civwatch.core.models import AuditEvent
from civwatch.exiles import keystore
from civwatch.exiles.models import ExileFile
from tests.auth_helpers import browser_sign_in
from tests.test_cases import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def key_store(settings, tmp_path):
    settings.CIVWATCH_EXILE_KEYS = tmp_path / "exile-keys"
    keystore.forget_cache()
    yield
    keystore.forget_cache()


def log_in(browser, base: str, user: str):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    browser_sign_in(page, base, user, "pw-" + user, "/staff/exiles/")
    page.wait_for_url(re.compile(r"/staff/exiles/$"))
    return context, page


def test_a_caseworker_records_consent_and_support_another_gets_404(browser, bare_live_url):
    casey, dan = make_user("casey", "contributor"), make_user("dan", "contributor")
    context, page = log_in(browser, bare_live_url, "casey")
    page.fill("#id_name", "Irina Petrova")
    page.fill("#id_contact", "signal: +995 555 0100")
    page.fill("#id_country", "ge")
    page.fill("#id_city", "Tbilisi")
    page.select_option("#id_stay_status", "residence_permit")
    page.fill("#id_needs", "Lawyer for the residence permit appeal")
    page.get_by_role("button", name="Open the file").click()
    page.wait_for_url(re.compile(r"/staff/exiles/\d+/$"))
    file_url = page.url
    record = ExileFile.objects.get()

    page.fill("#id_scope", "Keep my file to organise help; statistics without my name")
    page.check("input[name=purposes][value=support]")
    page.check("input[name=purposes][value=statistics]")
    page.select_option("#id_method", "signed")
    page.fill("#id_given_on", "2025-03-01")
    page.get_by_role("button", name="Record the consent").click()
    page.wait_for_load_state()
    assert "The consent was recorded." in page.content()

    page.select_option("#id_kind", "legal_aid")
    page.fill("#id_amount", "800")
    page.fill("#id_currency", "EUR")
    page.fill("#id_decided_on", "2025-03-05")
    page.fill("#id_outcome", "Appeal lodged")
    page.get_by_role("button", name="Add the support action").click()
    page.wait_for_load_state()
    body = page.content()
    assert "The support action was added." in body
    for shown in (
        "Irina Petrova",
        "Tbilisi",
        "800.00 EUR",
        "Appeal lodged",
        "anonymous statistics",
    ):
        assert shown in body, shown
    context.close()

    context, other = log_in(browser, bare_live_url, "dan")
    assert "Irina Petrova" not in other.content()
    response = other.goto(file_url)
    assert response.status == 404 and "Irina Petrova" not in other.content()
    context.close()

    readers = set(
        AuditEvent.objects.filter(
            action="read", model="exiles.ExileFile", object_id=str(record.pk)
        ).values_list("user_id", flat=True)
    )
    assert readers == {casey.pk}
    assert AuditEvent.objects.filter(action="create", model="exiles.SupportAction").exists()
    assert dan.pk not in readers
