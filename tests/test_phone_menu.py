"""On a phone the menus fold away behind a button (issue 11, "Phones and accessibility").

At 390 px the site's menu (base.html) and the workspace menu (cases/staff_nav.html) show a
button instead of their links; the links appear when the button is pressed, by a tap or from
the keyboard, and then work. It is CSS and a checkbox, so it works with JavaScript turned off
too, in both languages. On a laptop's screen the links are shown as before, with no button.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.auth_helpers import sign_in
from tests.test_cases import make_user

# The live server commits in its own thread: the test runs outside a wrapping transaction.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.once]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
# (path, the menu's button, a link in it, where that link leads), in each language.
SITE_MENU = {
    "en": ("/sanctions/", "Menu", "Accountability list", "/accountability/"),
    "ru": ("/ru/sanctions/", "Меню", "Список ответственных", "/ru/accountability/"),
}
WORKSPACE_MENU = {
    "en": ("/cases/staff/", "Workspace menu", "Review queue", "/cases/staff/review/"),
    "ru": (
        "/ru/cases/staff/",
        "Меню рабочего места",
        "Очередь проверки",
        "/ru/cases/staff/review/",
    ),
}


def open_page(browser, base: str, path: str, viewport: dict, javascript: bool, client=None):
    context = browser.new_context(locale="en-GB", viewport=viewport, java_script_enabled=javascript)
    if client is not None:  # signed in as the client's user (its session)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    page = context.new_page()
    assert page.goto(base + path).status == 200
    return context, page


def check_folding_menu(page, base: str, menu: str, button: str, link: str, target: str):
    """The `menu`'s link is hidden behind its button: Space on the focused button opens and
    closes it, a tap opens it, and the link then leads to `target`."""
    control = page.locator(menu).get_by_text(button, exact=True)
    item = page.locator(menu).get_by_role("link", name=link, exact=True)
    expect(control).to_be_visible()
    expect(item).to_be_hidden()

    box = page.locator(menu).get_by_role("checkbox", name=button, exact=True)
    box.focus()
    page.keyboard.press("Space")
    expect(item).to_be_visible()
    page.keyboard.press("Space")
    expect(item).to_be_hidden()

    control.click()
    expect(item).to_be_visible()
    with page.expect_navigation():
        item.click()
    expect(page).to_have_url(re.compile(re.escape(base + target) + "$"))


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_site_menu_folds_behind_a_button_on_a_phone(
    browser, bare_live_url, language, javascript
):
    path, button, link, target = SITE_MENU[language]
    context, page = open_page(browser, bare_live_url, path, PHONE, javascript)
    check_folding_menu(page, bare_live_url, "header.site", button, link, target)
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_workspace_menu_folds_behind_a_button_on_a_phone(
    browser, bare_live_url, language, javascript
):
    editor = Client()
    sign_in(editor, make_user("phone-editor", "editor"))
    path, button, link, target = WORKSPACE_MENU[language]
    context, page = open_page(browser, bare_live_url, path, PHONE, javascript, editor)
    check_folding_menu(page, bare_live_url, "nav.staff-nav", button, link, target)
    context.close()


def test_on_a_laptop_the_menus_show_their_links_and_no_button(browser, bare_live_url):
    editor = Client()
    sign_in(editor, make_user("laptop-editor", "editor"))
    context, page = open_page(browser, bare_live_url, "/cases/staff/", LAPTOP, True, editor)
    for menu in (SITE_MENU["en"], WORKSPACE_MENU["en"]):
        _, button, link, _ = menu
        expect(page.get_by_role("link", name=link, exact=True)).to_be_visible()
        expect(page.get_by_text(button, exact=True)).to_be_hidden()
    # The menu is beside the site's name, as before, not under it.
    brand = page.locator("header.site .brand").bounding_box()
    first = page.locator("header.site nav a").first.bounding_box()
    assert first["y"] < brand["y"] + brand["height"] and first["x"] > brand["x"] + brand["width"]
    context.close()
