"""A citizens' initiative in a real browser, without an account and without JavaScript: an
anonymous citizen proposes a rally with a phone photo carrying its GPS position, keeps the
receipt code, an editor supports it, and the citizen reads the decision with the code."""

import io
import re

import pytest
from PIL import Image

from civwatch.evidence.ingest import read_original
from civwatch.initiatives.models import Attachment, Initiative
from tests.initiative_helpers import CLIENT_UA, GPS_LATITUDE, jpeg_with_gps
from tests.test_cases import make_user
from tests.test_cases_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_citizen_proposes_an_editor_supports_and_the_citizen_reads_the_decision(
    browser, bare_live_url
):
    make_user("eddie", "editor")
    # The citizen's browser runs no JavaScript at all (Tor Browser at its safest level).
    citizen = browser.new_context(locale="ru-RU", java_script_enabled=False, user_agent=CLIENT_UA)
    page = citizen.new_page()
    outside = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(bare_live_url) else None,
    )
    page.goto(f"{bare_live_url}/ru/initiatives/")
    page.click("text=Предложить инициативу")
    form = page.locator("#initiative-form")
    form.locator("[name=kind]").select_option("rally")
    form.locator("[name=city]").fill("Екатеринбург")
    form.locator("[name=date]").fill("2030-06-12")
    form.locator("[name=description]").fill("Митинг за освобождение политзаключённых.")
    form.locator("[name=organisers_contact]").fill("Signal: +7 900 000 00 00")
    form.locator("[name=attachments]").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
    )
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Спасибо: ваше предложение получено" in page.content()
    code = page.locator("#receipt-code").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4}-){7}[A-Z2-7]{4}", code)
    found = page.locator(".metadata-found").inner_text()
    assert "координаты GPS" in found and "марка и модель камеры" in found
    assert code not in page.url and not outside  # no code in a URL, nothing from elsewhere

    # The working copy has no GPS; the original, kept as evidence, still has it.
    attachment = Attachment.objects.select_related("original", "working").get()
    working = Image.open(io.BytesIO(read_original(attachment.working)))
    assert not working.getexif().get_ifd(0x8825) and not dict(working.getexif())
    original = Image.open(io.BytesIO(read_original(attachment.original)))
    assert original.getexif().get_ifd(0x8825)[2] == GPS_LATITUDE

    # An editor reviews and supports it.
    initiative = Initiative.objects.get()
    staff, desk = log_in(browser, bare_live_url, "eddie")
    desk.goto(f"{bare_live_url}/initiatives/staff/")
    desk.click(f"a[href='/initiatives/staff/{initiative.pk}/']")
    assert "Signal: +7 900 000 00 00" in desk.locator("#organisers-contact").inner_text()
    assert "GPS position" in desk.locator(".attachments").inner_text()
    for to, reason in [("under_review", ""), ("supported", "Пришлём наблюдателей.")]:
        move = desk.locator("#move-form")
        move.locator("[name=to]").select_option(to)
        move.locator("[name=reason]").fill(reason)
        move.locator("button[type=submit]").click()
        desk.wait_for_load_state()
    support = desk.locator("#support-form")
    support.locator("[name=kind]").select_option("legal_observers")
    support.locator("button[type=submit]").click()
    desk.wait_for_load_state()
    assert "supported" in desk.locator("#initiative-status").inner_text()
    staff.close()

    # The citizen comes back with the code and reads the decision.
    page.goto(f"{bare_live_url}/ru/initiatives/receipt/")
    page.locator("#receipt-form [name=code]").fill(code)
    page.locator("#receipt-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#initiative-status").inner_text() == "поддержана"
    assert "Пришлём наблюдателей." in page.locator("#decision-reason").inner_text()
    assert "юридические наблюдатели" in page.locator("#support").inner_text()
    assert code not in page.url and not outside
    citizen.close()
