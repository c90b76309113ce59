"""Done when: an organisation signs a letter in a real browser, opens the confirmation link from
the e-mail a real local SMTP server received, and appears on the public page in both
languages."""

from urllib.parse import urlsplit

import pytest

from civwatch.letters.models import Signature, VerificationState
from tests.letters_data import confirmation_link, make_letter, smtp_server  # noqa: F401

# The live server commits in its own thread (see test_cases_browser.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_an_organisation_signs_confirms_from_the_mail_and_appears_in_both_languages(
    page, bare_live_url, smtp
):
    make_letter()
    page.goto(f"{bare_live_url}/letters/repeal/")
    page.get_by_role("link", name="Sign this letter on behalf of your organisation").click()
    page.fill("#id_organisation", "Free Press Union")
    page.select_option("#id_country", "LT")
    page.fill("#id_website", "https://www.freepress.example.org")
    page.fill("#id_signer_name", "Rūta Signer")
    page.fill("#id_signer_role", "Chair")
    page.fill("#id_email", "ruta@freepress.example.org")
    page.check("input[name=display][value=public]")
    page.get_by_role("button", name="Sign the letter").click()
    page.wait_for_load_state()
    assert "sent a confirmation link" in page.content()

    [message] = smtp.wait()
    assert message["To"] == "ruta@freepress.example.org"
    link = confirmation_link(message)
    # The link points at the server that sent it; the browser opens it as the signer would.
    assert urlsplit(link).netloc == urlsplit(bare_live_url).netloc
    assert "Free Press Union" not in page.goto(f"{bare_live_url}/letters/repeal/").text()
    page.goto(link)
    body = page.content()
    assert "Repeal the law" in body
    assert "Rūta Signer" not in body and "ruta@" not in body and "Free Press Union" not in body
    page.get_by_role("button", name="Confirm the signature").click()
    page.wait_for_load_state()
    assert "Signature confirmed" in page.content()
    assert Signature.objects.get().state == VerificationState.VERIFIED

    page.goto(f"{bare_live_url}/letters/repeal/")
    row = page.locator("table.signatories tr", has_text="Free Press Union")
    assert "Lithuania" in row.inner_text()
    page.goto(f"{bare_live_url}/ru/letters/repeal/")
    row = page.locator("table.signatories tr", has_text="Free Press Union")
    assert "Литва" in row.inner_text()
    assert "Подписавшие" in page.content() and "Rūta Signer" not in page.content()

    # The link was spent: opening it again confirms nothing and says so.
    response = page.goto(link)
    assert response.status == 404 and "already been used" in page.content()
