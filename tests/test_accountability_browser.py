"""Done when: one documented official goes from candidate to published entry to a PDF dossier
for each jurisdiction, through the staff pages in a real browser and the background worker."""

import re

import pytest
from django.contrib.auth import get_user_model

from civwatch.accountability.models import Entry
from civwatch.accounts.security import second_factor_required
from tests.accountability_data import NAME, documented_official
from tests.auth_helpers import browser_sign_in, totp_device
from tests.processes import pdf_text
from tests.test_cases import make_user
from tests.test_jobs import run_worker

# The live server commits in its own thread (see test_cases_browser.py).
pytestmark = pytest.mark.django_db(transaction=True)

LATIN = {
    "us": "Podyachev Yuriy Ivanovich",
    "uk": "Podyachev Yuriy Ivanovich",
    "eu": "Podieiachev Iurii Ivanovich",
    "ca": "Podieiachev Iurii Ivanovich",
}
SCOPE = {
    "us": "WITHIN the scope of the Global Magnitsky sanctions",
    "uk": "OUTSIDE the scope of the Global Human Rights sanctions regime",
    "eu": "WITHIN the scope of the EU Global Human Rights Sanctions Regime",
    "ca": "WITHIN the scope of the Justice for Victims of Corrupt Foreign Officials Act",
}


def log_in(browser, base: str, user: str):
    """Sign in on the sign-in page; editors with the code of an authenticator set up here."""
    page = browser.new_context(locale="en-GB", accept_downloads=True).new_page()
    account = get_user_model().objects.get(username=user)
    if second_factor_required(account):
        totp_device(account)
    browser_sign_in(page, base, user, "pw-" + user, "/accountability/staff/")
    page.wait_for_url(re.compile(r"/accountability/staff/$"))
    return page


def move(page, to: str) -> None:
    page.locator(f"form.move button[value={to}]").click()
    page.wait_for_load_state()


def test_documented_official_to_published_entry_to_four_pdf_dossiers(
    browser, bare_live_url, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    carol, eddie = make_user("carol", "researcher"), make_user("eddie", "editor")
    official = documented_official(carol, eddie)

    page = log_in(browser, bare_live_url, "carol")
    # The judge is found with the picker by a Latin spelling of his name.
    new_entry = page.locator("#new-entry-form")
    new_entry.locator("input[name=query]").fill("Podyachev Yuriy")
    new_entry.get_by_role("button", name="Find").click()
    page.wait_for_load_state()
    page.locator(f"#new-entry-form input[name=pick][value='{official['judge'].pk}']").check()
    page.get_by_role("button", name="Create the entry").click()
    page.wait_for_url(re.compile(r"/accountability/staff/\d+/$"))
    assert "candidate" in page.locator("#entry-status").inner_text()
    act_form = page.locator("#act-form")
    act_form.locator("[name=participant]").select_option(str(official["participant"].pk))
    act_form.locator("[name=victims_defend_rights]").check()
    act_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "2 independent verified sources" in page.locator("ul.acts").inner_text()
    entry_form = page.locator("#entry-form")
    entry_form.locator("[name=nationality]").fill("Russian Federation")
    entry_form.locator("[name=documents]").fill("Passport 45 01 123456")
    entry_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    move(page, "documented")
    assert page.locator("button[value=verified]").count() == 0  # a researcher cannot verify
    page.context.close()

    page = log_in(browser, bare_live_url, "eddie")
    entry = Entry.objects.get()
    page.goto(f"{bare_live_url}/accountability/staff/{entry.pk}/")
    move(page, "verified")
    move(page, "published")
    assert "published" in page.locator("#entry-status").inner_text()
    assert "eddie" in page.locator("table.history").inner_text()

    for code, latin in LATIN.items():
        page.goto(f"{bare_live_url}/accountability/staff/{entry.pk}/")
        form = page.locator("#dossier-form")
        form.locator("[name=jurisdiction]").select_option(code)
        form.locator("[name=fmt]").select_option("pdf")
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
        run_worker()
        # The job page refreshes itself every 2 s until the job is finished, as the user sees
        # it; a reload of our own could collide with one of those refreshes (ERR_ABORTED).
        page.get_by_text("Download the results").wait_for(timeout=30_000)
        with page.expect_download() as download:
            page.get_by_text("Download the results").click()
        pdf = tmp_path / f"dossier-{code}.pdf"
        download.value.save_as(pdf)
        text = pdf_text(pdf)
        assert NAME in text and latin in text, code
        for item in official["items"]:
            assert item.sha256 in text, (code, item.source)
        assert "Scope check" in text and SCOPE[code] in text, code
        assert "Passport 45 01 123456" in text
    page.context.close()

    public = browser.new_context(locale="en-GB").new_page()
    public.goto(f"{bare_live_url}/accountability/")
    public.click(f"text={NAME}")
    body = public.locator("body").inner_text()
    assert "Judge, Tverskoy District Court of Moscow" in body
    assert "Judge Podyachev sentenced Anna Ivanova" in body and "Mediazona" in body
    assert "Passport" not in body and "Tula" not in body
    public.context.close()
