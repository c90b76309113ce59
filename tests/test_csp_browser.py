"""The Content-Security-Policy holds on the pages: Chromium reports no violation.

The policy allows scripts and styles from our own static files only (no 'unsafe-inline'),
so an inline <script>, <style> or style="" attribute left in a template would show here.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from tests.conftest import REPO, live_server

pytestmark = [pytest.mark.django_db, pytest.mark.browser, pytest.mark.once]

REGISTER = REPO / "tests" / "data" / "registry-2023-09-29.csv"
COLLECT = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} line ${e.lineNumber}`);
});
"""


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("import", "foreign-agents", str(REGISTER))
        get_user_model().objects.create_superuser("csp-admin", password="csp-admin-pass")
    with live_server(django_db_blocker) as url:
        yield url
    with django_db_blocker.unblock():
        from tests.conftest import wipe_history

        wipe_history()
        get_user_model().objects.filter(username="csp-admin").delete()


def violations(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__violations")


@pytest.fixture
def watched(page):
    messages = []
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and messages.append(m.text),
    )
    page.add_init_script(COLLECT)
    return page, messages


def test_pages_raise_no_csp_violation(watched, site):
    from civwatch.entities.models import Entity

    page, console = watched
    entity = Entity.objects.filter(designations__isnull=False).first()
    for path in ["/", "/?q=Мемориал", entity.get_absolute_url(), "/statistics/", "/changes/",
                 "/cases/", "/sanctions/", "/accountability/", "/ru/statistics/"]:  # fmt: skip
        response = page.goto(site + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert violations(page) == [], path
    page.goto(site + "/screening/")
    page.fill("input[name=name]", "Мемориал")
    page.click("form.filters button[type=submit]")
    # The click does not wait for the answer: the first screening builds the index of every
    # list, so the results page can come seconds later (a bare count() raced it in CI).
    expect(page.locator("table.hits")).to_have_count(1, timeout=60_000)
    assert violations(page) == []
    assert console == []


def test_api_docs_and_admin_raise_no_csp_violation(watched, site):
    page, console = watched
    page.goto(site + "/api/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert violations(page) == []
    # The admin's sign-in is ours (with the second factor admins need): the pages are checked.
    page.goto(site + "/admin/login/")
    page.wait_for_selector("#id_username")
    assert violations(page) == []
    page.goto(site + "/admin/registers/designation/")
    assert violations(page) == []
    assert console == []


def test_the_watch_sees_an_inline_style(watched, site):
    """The check itself can fail: an inline style attribute is reported."""
    page, _ = watched
    page.goto(site + "/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    assert any("style-src" in v for v in violations(page))
