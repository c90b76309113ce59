"""The whole path in a real browser: a contributor records, an editor publishes, the public sees
only the public part, and the custody log shows every step."""

import re

import pytest
from django.contrib.auth import get_user_model

from civwatch.accounts.security import second_factor_required
from civwatch.cases.models import Incident
from civwatch.evidence.models import Claim, EvidenceItem
from tests.auth_helpers import browser_sign_in, totp_device
from tests.test_cases import make_user

# The live server commits in its own thread: the test runs outside a wrapping transaction and
# the database is restored afterwards, seeded vocabulary and role groups included.
pytestmark = pytest.mark.django_db(transaction=True)

SECRET_NOTE = "Source is the neighbour in flat 12"
SECRET_HOW = "handed over on a USB stick by the lawyer"


def log_in(browser, base: str, user: str):
    """Sign in on the sign-in page; editors with the code of an authenticator set up here."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    account = get_user_model().objects.get(username=user)
    if second_factor_required(account):
        totp_device(account)
    browser_sign_in(page, base, user, "pw-" + user, "/cases/staff/")
    page.wait_for_url(re.compile(r"/cases/staff/$"))
    return context, page


def add_evidence(page, **fields: str) -> None:
    form = page.locator("#evidence-form")
    form.locator("[name=kind]").select_option(fields.pop("kind"))
    upload = fields.pop("upload", None)
    if upload:
        form.locator("[name=upload]").set_input_files(
            {"name": "report.txt", "mimeType": "text/plain", "buffer": upload.encode()}
        )
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("[name=visibility]").select_option("public")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def move(page, model: str, pk: int, to: str) -> None:
    page.locator(f"form[action$='/staff/move/{model}/{pk}/'] button[value={to}]").click()
    page.wait_for_load_state()


def test_contributor_records_editor_publishes_public_sees_the_public_part(browser, bare_live_url):
    make_user("carol", "contributor")
    make_user("eddie", "editor")

    context, page = log_in(browser, bare_live_url, "carol")
    page.click("text=Record an incident")
    page.select_option("#id_incident_type", label="Search or raid")
    page.fill("#id_title", "Search of the Memorial office")
    page.fill("#id_date", "2024-03-01")
    page.fill("#id_place", "Moscow, Karetny Ryad 5/10")
    page.select_option("#id_visibility", "public")
    page.fill("#id_internal_notes", SECRET_NOTE)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/cases/staff/incidents/\d+/$"))
    incident = next(i for i in Incident.objects.all() if i.title == "Search of the Memorial office")

    add_evidence(
        page, kind="quote", title="Mediazona report", source="Mediazona",
        quoted_text="Officers searched the office for nine hours.",
        obtained_how=SECRET_HOW, obtained_on="2024-03-02",
    )  # fmt: skip
    add_evidence(
        page, kind="file", title="OVD-Info news item", source="OVD-Info",
        upload="Police searched the Memorial office on 1 March.",
        obtained_how="saved from the website", obtained_on="2024-03-02",
    )  # fmt: skip
    assert page.locator("ul.evidence li").count() == 2
    first, second = EvidenceItem.objects.filter(incident=incident).order_by("pk")

    claim_form = page.locator("#claim-form")
    claim_form.locator("[name=statement]").fill("Police searched the Memorial office.")
    claim_form.locator(f"[name=passage_{first.pk}]").fill("searched the office for nine hours")
    claim_form.locator(f"[name=passage_{second.pk}]").fill("Police searched the Memorial office")
    claim_form.locator("[name=visibility]").select_option("public")
    claim_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    claim = Claim.objects.get(incident=incident)
    assert "independent sources: 2" in page.locator(f"#claim-{claim.pk}").inner_text()

    move(page, "incident", incident.pk, "in_review")
    move(page, "claim", claim.pk, "in_review")
    # The author cannot approve: no such button for a contributor.
    assert page.locator("button[value=verified]").count() == 0
    context.close()

    context, page = log_in(browser, bare_live_url, "eddie")
    page.click("text=Review queue")
    page.click("text=Search of the Memorial office")
    for step in ("verified", "published"):
        move(page, "incident", incident.pk, step)
        move(page, "claim", claim.pk, step)
    assert page.locator(".messages .error").count() == 0
    history = page.locator("table.history").last.inner_text()
    assert "eddie" in history and "published" in history and "carol" in history
    page.goto(f"{bare_live_url}/cases/staff/evidence/{first.pk}/")
    custody = page.locator("table.custody").inner_text()
    context.close()

    steps = re.findall(r"\t(added|cited in a claim|review status changed|viewed)\t", custody)
    assert steps == ["added", "cited in a claim", *["review status changed"] * 3, "viewed"]
    assert f"claim #{claim.pk}: published" in custody

    public = browser.new_context(locale="en-GB").new_page()
    public.goto(f"{bare_live_url}/cases/")
    public.click("text=Search of the Memorial office")
    text = public.locator("body").inner_text()
    assert "Moscow, Karetny Ryad 5/10" in text and "Police searched the Memorial office." in text
    assert "searched the office for nine hours" in text and "OVD-Info" in text
    assert SECRET_NOTE not in public.content() and SECRET_HOW not in public.content()
    assert "carol" not in text and "eddie" not in text
    public.context.close()
