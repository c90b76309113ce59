"""Every page on a phone and for assistive technology (issue 11, "Phones and accessibility").

Each page of the site, public and staff, in English and in Russian, is opened in Chromium at
390 px wide (a phone) and at 1366 px (a laptop): the document may not be wider than the
viewport (the menu wraps, tables scroll in their own box), and axe-core may find no serious
or critical violation at either width (the layouts differ, so can what axe sees: the menu,
tables as cards or as tables).

The pages come from the URLconf: every named route is requested with the records of a world
built by the visibility tests' fixtures (a case, incidents, evidence, an accountability list,
cross-reference links, letters, initiatives, a file of a person abroad, a job, a release).
A route that gives no HTML page (a feed, a file, a form's POST target) must be listed in
NOT_PAGES with the reason, so a new page cannot be forgotten.
"""

import datetime
import io
import itertools
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from civwatch.accountability.models import Submission
from civwatch.cases.models import Participant, Position
from civwatch.evidence.models import EvidenceItem
from civwatch.exiles.models import ExileFile, HelpRequest
from civwatch.intake.models import ArticleMention
from civwatch.jobs.models import Job
from civwatch.letters.models import Signature
from civwatch.registers.models import Snapshot
from civwatch.sanctions.models import DatasetVersion, Link
from tests.auth_helpers import sign_in
from tests.conftest import live_server
from tests.test_visibility import (  # noqa: F401 (fixtures)
    accountability_records,
    decided_link,
    initiative_records,
    letter_records,
    records,
    titled,
)

# The live server commits in its own thread: the test runs outside a wrapping transaction.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.once]

WIDTH = 390
WIDTHS = {WIDTH: 844, 1366: 768}  # width: height of the viewport
SERIOUS = {"serious", "critical"}

# Named routes that are not pages, with the reason. Each is still requested: a route listed
# here that turns out to give an HTML page fails the test (it should then be checked).
NOT_PAGES = {
    "registers:feed": "Atom feed",
    "cases:feed": "Atom feed",
    "releases:feed": "Atom feed",
    "cases:export": "JSON lines export",
    "accountability:export": "FollowTheMoney export",
    "cases:evidence_preview": "PNG preview",
    "cases:staff_preview": "PNG preview",
    "cases:staff_original": "the evidence file",
    "exiles:subject_export": "JSON export of a file",
    "exiles:subject_export_pdf": "PDF export of a file",
    "letters:signatures_csv": "CSV of signatures",
    "letters:delivered_pdf": "PDF of a delivered letter",
    "releases:file": "a release's data file",
    "initiatives:attachment": "an attached file",
    "jobs:result": "a job's result file",
    "set_language": "POST target of the language switch",
    "accounts:signout_everywhere": "POST target",
    "accounts:verify": "second step of sign-in: redirects without a first step",
    "accounts:enrol": "second factor set-up: redirects a user who has one",
    "registers_decide": "POST target",
    "cases:staff_move": "POST target",
    "cases:staff_evidence_add": "POST target (the form is on the incident's page)",
    "cases:staff_claim_add": "POST target (the form is on the incident's page)",
    "accountability:staff_edit": "POST target (the form is on the entry's page)",
    "accountability:staff_dossier": "POST target (the form is on the entry's page)",
    "letters:sign": "POST target (the form is on the letter's page)",
    "letters:confirm": "a mail's one-time link: without its token, the 404 page (VARIANTS)",
    "cases:staff_change_decide": "POST target",
    "cases:staff_participant_remove": "POST target",
    "cases:staff_position_remove": "POST target",
    "cases:staff_case_assign": "POST target",
    "accountability:staff_act_add": "POST target",
    "accountability:staff_act_approve": "POST target",
    "accountability:staff_move": "POST target",
    "accountability:staff_record_add": "POST target",
    "accountability:staff_submission_add": "POST target",
    "accountability:staff_outcome": "POST target",
    "exiles:action_add": "POST target",
    "exiles:consent_add": "POST target",
    "exiles:assign": "POST target",
    "exiles:state": "POST target",
    "initiatives:staff_act": "POST target",
    "initiatives:answer": "POST target",
    "intake:decision": "POST target",
    "intake:claim": "POST target",
    "letters:staff_version_add": "POST target",
    "letters:staff_move": "POST target",
    "letters:staff_delivery_add": "POST target",
    "letters:staff_decide": "POST target",
    "letters:staff_reply_add": "POST target",
    "sanctions:links_decide": "POST target",
    "sanctions:link_decide": "POST target",
}
# Besides the URLconf's routes: pages with what a user typed (results, filters), and the
# error pages: (who, path, status).
VARIANTS = [
    ("anonymous", "/?q=Апахончич", 200),
    ("anonymous", "/screening/?name=Same+Person", 200),
    ("anonymous", "/no-such-page/", 404),
    ("editor", "/staff/audit/", 403),
]


def named_routes(resolver: URLResolver | None = None, namespace: str = "") -> list[str]:
    """The name of every route of ours: not the admin's, the JSON API's or yente's."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if str(pattern.pattern).startswith(("admin/", "api/", "yente/")):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += named_routes(pattern, inner)
        elif pattern.name:
            found.append(f"{namespace}{pattern.name}")
    return found


def arguments(world: dict) -> dict[str, dict]:
    """The arguments of each route that takes some, from the world's records."""
    incident = world["incident"]
    case = world["case"]
    entry = world["entry"]
    letter = world["letter"]
    initiative = world["initiatives"][0]
    exile = ExileFile.objects.get()
    item = EvidenceItem.objects.filter(incident=incident).order_by("pk").first()
    picture = titled(EvidenceItem, "Photo of the door")
    article = ArticleMention.objects.first()
    on = {"pk": incident.pk}
    return {
        "registers:entity": {"entity_id": world["listed"].pk},
        "registers:snapshot": {"pk": Snapshot.objects.first().pk},
        "accountability:entry": {"pk": entry.pk},
        "accountability:staff_entry": {"pk": entry.pk},
        "accountability:staff_edit": {"pk": entry.pk},
        "accountability:staff_act_add": {"pk": entry.pk},
        "accountability:staff_act_approve": {"pk": entry.acts.first().pk},
        "accountability:staff_move": {"pk": entry.pk},
        "accountability:staff_record_add": {"pk": entry.pk, "kind": "reply"},
        "accountability:staff_submission_add": {"pk": entry.pk},
        "accountability:staff_outcome": {"pk": Submission.objects.first().pk},
        "accountability:staff_dossier": {"pk": entry.pk},
        "cases:incident": on,
        "cases:case": {"pk": case.pk},
        "cases:evidence_preview": {"pk": picture.pk},
        "cases:staff_incident": on,
        "cases:staff_incident_edit": on,
        "cases:staff_participant_add": on,
        "cases:staff_evidence_add": on,
        "cases:staff_claim_add": on,
        "cases:staff_move": {"model": "incident", "pk": incident.pk},
        "cases:staff_change_decide": {"pk": 1},
        "cases:staff_participant_remove": {"pk": Participant.objects.first().pk},
        "cases:staff_participant_edit": {"pk": Participant.objects.first().pk},
        "cases:staff_position_remove": {"pk": Position.objects.first().pk},
        "cases:staff_evidence": {"pk": item.pk},
        "cases:staff_original": {"pk": picture.pk},
        "cases:staff_preview": {"pk": picture.pk},
        "cases:staff_case_assign": {"pk": case.pk},
        "cases:staff_case": {"pk": case.pk},
        "cases:staff_case_edit": {"pk": case.pk},
        "cases:staff_position": {"pk": Position.objects.first().pk},
        "cases:staff_position_edit": {"pk": Position.objects.first().pk},
        "exiles:file": {"pk": exile.pk},
        "exiles:edit": {"pk": exile.pk},
        "exiles:action_add": {"pk": exile.pk},
        "exiles:consent_add": {"pk": exile.pk},
        "exiles:assign": {"pk": exile.pk},
        "exiles:state": {"pk": exile.pk},
        "exiles:subject_export": {"pk": exile.pk},
        "exiles:subject_export_pdf": {"pk": exile.pk},
        "exiles:help_request": {"pk": HelpRequest.objects.first().pk},
        "initiatives:staff_detail": {"pk": initiative.pk},
        "initiatives:staff_act": {"pk": initiative.pk, "action": "publish"},
        "initiatives:attachment": {"pk": initiative.pk, "number": 1, "which": "original"},
        "intake:article": {"pk": article.item_id},
        "intake:decision": {"pk": article.item_id, "mention": article.pk},
        "intake:claim": {"pk": article.item_id},
        "jobs:detail": {"pk": world["job"].pk},
        "jobs:result": {"pk": world["job"].pk},
        "letters:staff_letter": {"slug": letter.slug},
        "letters:staff_version_add": {"slug": letter.slug},
        "letters:staff_move": {"slug": letter.slug},
        "letters:staff_delivery_add": {"slug": letter.slug},
        "letters:staff_decide": {"pk": Signature.objects.first().pk},
        "letters:staff_reply_add": {"pk": world["delivery"].pk},
        "letters:letter": {"slug": letter.slug},
        "letters:sign": {"slug": letter.slug},
        "letters:manage": {"slug": letter.slug},
        "letters:signatures_csv": {"slug": letter.slug},
        "letters:delivered_pdf": {"slug": letter.slug, "pk": world["delivery"].pk},
        "releases:detail": {"name": world["release"]},
        "releases:file": {"name": world["release"], "path": "index.json"},
        "sanctions:link_decide": {"pk": Link.objects.first().pk},
        "sanctions:dataset": {"slug": "list-a"},
        "sanctions:version": {"pk": world["version"].pk},
        "sanctions:entry": {"slug": "list-a", "source_id": "1"},
        "registers_decide": {"pk": 1},
    }


@pytest.fixture
def world(records, accountability_records, decided_link, letter_records, initiative_records):  # noqa: F811
    """The visibility tests' records, plus what they lack: a job, a release, a dataset version
    and a link still proposed."""
    from civwatch.sanctions.models import Dataset

    editor = records["editor"]
    job = Job.objects.create(
        kind="screening", title="Screening of names.csv", status="done", done=3, total=3,
        log=["3 names screened"], created_by=editor,
    )  # fmt: skip
    out = io.StringIO()
    call_command("publish", "--output", str(settings.CIVWATCH_RELEASES), stdout=out)
    dataset = Dataset.objects.get(slug="list-a")
    version = DatasetVersion.objects.create(
        dataset=dataset, source_date=datetime.date(2026, 1, 2), fingerprint="0" * 64, added=1,
        files={"list-a.csv": "0" * 64},
    )  # fmt: skip
    judge = accountability_records["entry"].entity
    Link.objects.create(
        left_dataset="list-a", left_id="1", left_name="Same Person",
        left_entity=decided_link.left_entity, right_dataset="cases", right_id=judge.pk,
        right_name=judge.name, right_entity=judge, score=0.87,
    )  # fmt: skip
    return {
        **records, **accountability_records, **letter_records, "initiatives": initiative_records,
        "job": job, "release": out.getvalue().strip().rsplit("/", 1)[-1], "version": version,
    }  # fmt: skip


def classify(world: dict, clients: dict[str, Client]) -> tuple[list, dict[str, str]]:
    """Who sees which page, (who, path, status), and the routes that gave no page. A route is
    tried anonymously, then as the editor, then as an admin (pages editors may not open)."""
    given = arguments(world)
    pages, none = [], {}
    for name in named_routes():
        path = reverse(name, kwargs=given.get(name))
        for seen_as, client in clients.items():  # noqa: B007 (read after the loop)
            response = client.get(path)
            if response.status_code not in (302, 403):
                break
        kind = response.get("Content-Type", "")
        if response.status_code == 200 and kind.startswith("text/html"):
            pages.append((seen_as, path, 200))
        else:
            none[name] = f"{response.status_code} {kind}"
    return pages + VARIANTS, none


def check(page, url: str, status: int, width: int) -> list[str]:
    """What is wrong with one page `width` px wide: its width and axe-core's serious
    violations."""
    from axe_playwright_python.sync_playwright import Axe

    response = page.goto(url)
    problems = [] if response.status == status else [f"status {response.status}"]
    wide = page.evaluate("document.scrollingElement.scrollWidth")
    if wide > width + 1:
        problems.append(f"{wide} px wide ({page.evaluate(WIDEST)})")
    results = Axe().run(page).response
    for violation in results["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [" ".join(map(str, n["target"])) for n in violation["nodes"]][:3]
            problems.append(f"axe {violation['id']} ({violation['impact']}): {targets}")
    return problems


# The elements that stick out of the viewport, deepest first: what a failure message names.
WIDEST = """() => {
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 && ![...e.children].some(c =>
        c.getBoundingClientRect().right > window.innerWidth + 1)) {
      const kind = e.getAttribute('class');
      out.push(e.tagName.toLowerCase() + (kind ? '.' + kind : '') + ' ' +
               Math.round(r.right));
    }
  }
  return out.slice(0, 4).join(', ');
}"""


def new_context(browser, base: str, client: Client | None, width: int, height: int):
    """A browser context of `width` px, signed in as the `client`'s user (its session)."""
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": height})
    if client is not None:
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    return context


def chart_label_heights(browser, base: str) -> list[float]:
    """The height in px of the statistics chart's axis labels at 390 px, in both languages."""
    context = new_context(browser, base, None, WIDTH, 844)
    page = context.new_page()
    heights = []
    for path in ("/statistics/", "/ru/statistics/"):
        page.goto(base + path)
        labels = page.locator("figure.chart svg text.axis-label")
        heights += [labels.nth(n).bounding_box()["height"] for n in range(labels.count())]
    context.close()
    assert len(heights) == 4, heights
    return heights


def test_every_page_fits_a_phone_and_a_laptop_and_passes_axe(browser, world, django_db_blocker):
    from tests.test_cases import make_user

    clients = {"anonymous": Client(), "editor": Client(), "admin": Client()}
    sign_in(clients["editor"], world["editor"])
    # Uploading register snapshots is for superusers only (registers.add_snapshot).
    admin = make_user("mobile-admin", "admin")
    admin.is_superuser = True
    admin.save()
    sign_in(clients["admin"], admin)
    pages, none = classify(world, clients)
    # A route without a page must be known not to be one, and a listed one must not be a page.
    assert {name: why for name, why in none.items() if name not in NOT_PAGES} == {}
    assert sorted(set(NOT_PAGES) - set(none)) == []

    failures = {}
    with live_server(django_db_blocker) as base:
        for (who, client), (width, height) in itertools.product(clients.items(), WIDTHS.items()):
            signed_in = None if who == "anonymous" else client
            context = new_context(browser, base, signed_in, width, height)
            page = context.new_page()
            for path, status in ((p, s) for w, p, s in pages if w == who):
                for url in (path, "/ru" + path):
                    problems = check(page, base + url, status, width)
                    if problems:
                        failures[f"{who} {url} at {width} px"] = problems
            context.close()
        readable = chart_label_heights(browser, base)
    counts = {who: sum(w == who for w, _, _ in pages) for who in clients}
    print(f"{2 * len(pages)} pages checked (en and ru) at {list(WIDTHS)} px: {counts}")
    assert counts["anonymous"] >= 25 and counts["editor"] >= 35, pages
    for where, problems in failures.items():
        print(where, *problems, sep="\n  ")
    assert failures == {}
    # The chart keeps its size on a phone (it scrolls in its box): its labels stay readable.
    assert min(readable) >= 10, readable


# The main staff pages pictured in docs/screenshots/ (scripts/screenshots), at a laptop's and
# a phone's width.
SCREENSHOTS = os.environ.get("CIVWATCH_SCREENSHOTS")
SHOTS = {
    "staff-home": "/cases/staff/",
    "incident": "/cases/staff/incidents/{incident}/",
    "accountability-entry": "/accountability/staff/{entry}/",
    "cross-reference-links": "/sanctions/staff/links/",
}
SIZES = {1366: 768, 390: 844}
# The world's values carry the visibility tests' marker prefixes; the pictures drop them so
# that they read as ordinary records (only the text shown changes, in the picture's page).
UNMARK = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    node.nodeValue = node.nodeValue.replace(/ZZSTAFFNAME-/g, '').replace(/ZZSECRET-/g, '');
  }
}"""


@pytest.mark.skipif(not SCREENSHOTS, reason="scripts/screenshots sets CIVWATCH_SCREENSHOTS")
def test_screenshots_of_the_main_staff_pages(browser, world, django_db_blocker):
    """Not a check: writes docs/screenshots/NAME-WIDTH.png, small (64 colours)."""
    from PIL import Image

    editor = Client()
    sign_in(editor, world["editor"])
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    with live_server(django_db_blocker) as base:
        for width, height in SIZES.items():
            context = new_context(browser, base, editor, width, height)
            page = context.new_page()
            for name, path in SHOTS.items():
                url = path.format(incident=world["incident"].pk, entry=world["entry"].pk)
                assert page.goto(base + url).status == 200, url
                page.evaluate(UNMARK)
                target = folder / f"{name}-{width}.png"
                page.screenshot(path=str(target))
                Image.open(target).quantize(colors=64).save(target, optimize=True)
            context.close()
