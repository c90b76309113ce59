"""Previews in a real browser: the public sees a public item's preview, never a confidential
one's; staff see the preview on the evidence page. No JavaScript is involved in showing them."""

import pytest

from tests.test_cases import make_user
from tests.test_cases_browser import log_in
from tests.test_evidence_previews import incident_with_photos

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def loaded_previews(page) -> list[dict]:
    """The previews once the browser has fetched them: they load lazily, after the page's load
    event, so bring each into view and wait until it is decoded or has failed."""
    for image in page.locator("img.evidence-preview").all():
        image.scroll_into_view_if_needed()
    page.wait_for_function(
        "[...document.querySelectorAll('img.evidence-preview')].every(i => i.complete)"
    )
    return page.eval_on_selector_all(
        "img.evidence-preview",
        "images => images.map(i => ({src: i.getAttribute('src'), alt: i.alt,"
        " width: i.naturalWidth}))",
    )


def test_the_public_sees_only_public_previews_and_staff_see_theirs(browser, bare_live_url):
    carol = make_user("carol", "contributor")
    incident, items = incident_with_photos(carol)

    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{bare_live_url}/cases/incidents/{incident.pk}/")
    previews = loaded_previews(page)
    assert [p["src"] for p in previews] == [f"/cases/evidence/{items['public'].pk}/preview.png"]
    assert previews[0]["alt"] == "Preview of “Court decision”"
    assert previews[0]["width"] == 800  # the browser decoded the PNG
    hidden = page.goto(f"{bare_live_url}/cases/evidence/{items['confidential'].pk}/preview.png")
    assert hidden.status == 404
    context.close()

    context, page = log_in(browser, bare_live_url, "carol")
    page.goto(f"{bare_live_url}/cases/staff/evidence/{items['confidential'].pk}/")
    previews = loaded_previews(page)
    assert len(previews) == 1 and previews[0]["width"] == 800
    context.close()
