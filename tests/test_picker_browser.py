"""The entity picker in a real browser: with JavaScript the candidates appear as one types (the
staff JSON endpoint, under the Content-Security-Policy: no violation), without JavaScript the
"Find" button lists the same ones; either way a click links the ACF list's entry."""

import io
import re

import pytest
from django.core.management import call_command

from civwatch.cases.models import Participant
from civwatch.sanctions.models import ListEntry
from tests.test_cases import make_incident, make_user
from tests.test_cases_browser import log_in
from tests.test_picker import ACF_SAMPLE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
JUDGE = "Аббазов Ильшат Загфярович"


def add_judge(page, base: str, incident_id: int, typing: bool) -> None:
    page.goto(f"{base}/cases/staff/incidents/{incident_id}/")
    form = page.locator("#participant-form")
    page.locator("details:has(#participant-form) > summary").click()
    box = form.locator("input[name=query]")
    if typing:
        box.press_sequentially("Abbazov Ilshat", delay=30)
        form.locator("ul.candidates li", has_text=JUDGE).wait_for()
    else:
        box.fill("Abbazov Ilshat")
        form.get_by_role("button", name="Find").click()
        page.wait_for_url(re.compile(r"/participants/$"))
        form = page.locator("#participant-form")
    assert "Moscow" not in page.url and "Abbazov" not in page.url
    form.locator("ul.candidates li", has_text=JUDGE).locator("input[type=radio]").check()
    form.locator("[name=role]").select_option("judge")
    form.locator("button[name=save]").click()
    page.wait_for_url(re.compile(rf"/cases/staff/incidents/{incident_id}/$"))


def test_a_judge_is_picked_by_typing_with_and_without_javascript(browser, bare_live_url):
    call_command("import", "acf-list", str(ACF_SAMPLE), stdout=io.StringIO())
    acf = ListEntry.objects.get(dataset="acf-list", name=JUDGE)
    rita = make_user("rita", "researcher")
    with_js, without_js = make_incident(rita, title="With JS"), make_incident(rita, title="No JS")

    context, page = log_in(browser, bare_live_url, "rita")
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    add_judge(page, bare_live_url, with_js.pk, typing=True)
    assert page.locator("h2 + ul", has_text=JUDGE).count() == 1
    assert violations == []
    context.close()

    # The same without JavaScript: the server-rendered candidates.
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    from tests.auth_helpers import browser_sign_in

    browser_sign_in(page, bare_live_url, "rita", "pw-rita", "/cases/staff/")
    add_judge(page, bare_live_url, without_js.pk, typing=False)
    context.close()

    linked = Participant.objects.filter(incident__in=[with_js, without_js])
    assert sorted(linked.values_list("entity_id", "role")) == [(acf.entity_id, "judge")] * 2
