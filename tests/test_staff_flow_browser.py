"""Done when (issue 11): a new contributor and two editors go through the whole staff flow by
clicking only, in Russian and in English: sign in (editors set up their second factor) →
a case and an incident → a victim and a judge found with the picker by a Latin spelling of
their Cyrillic names → two uploaded evidence items → claims citing them → review and
publication by two editors → the judge's accountability entry from the picker → published
through the gate → a dossier PDF downloaded.

The set-up below only loads the lists the picker searches (one real snapshot of the foreign
agents register, six real rows of the ACF list) and creates the three accounts. Everything
else happens in the browser: pages are reached by following links from the home page, people
are chosen with the picker, no record id or record URL is typed and no API is called (the
picker's own script calls its endpoint, as it does for every user). Elements are found by
stable attributes (form ids, field names, move values, link targets), not by their words,
which the other language and later wording changes would break.
"""

import datetime
import io
from dataclasses import dataclass

import pyotp
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.conftest import FOREIGN_AGENTS
from tests.processes import pdf_text
from tests.test_cases import make_user
from tests.test_jobs import run_worker
from tests.test_picker import ACF_SAMPLE

# The live server commits in its own thread (see test_cases_browser.py). Slow (several
# minutes for both languages): run on one database only.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.once,
]

# Real people of the loaded lists, found by a Latin spelling of their Cyrillic names: (name,
# what the user types, what tells them from a namesake the picker also offers).
VICTIM = "Шульман Екатерина Михайловна"  # the register of foreign agents
JUDGE = "Аббазов Ильшат Загфярович"  # the ACF list
# The register names her twice, as a foreign agent (with her birth date) and as a member of an
# organisation's entry (without): the user picks the one born on the date they know.
VICTIM_PICK = (VICTIM, "Shulman Ekaterina", "1978-08-19")
JUDGE_PICK = (JUDGE, "Abbazov Ilshat", "")
# The first name search may build the index of every list: give it time.
FIRST_SEARCH_MS = 120_000
LOCALES = {"ru": "ru-RU", "en": "en-GB"}


@dataclass(frozen=True)
class Texts:
    """What the users type, in the language they work in."""

    case: str
    incident: str
    incident_type: str  # the type's label in the list
    place: str
    first_title: str
    first_source: str
    first_file: str
    second_title: str
    second_source: str
    second_file: str
    judge_claim: str
    victim_claim: str


TEXTS = {
    "ru": Texts(
        case="Дело Шульман о «неисполнении обязанностей иностранного агента»",
        incident="Приговор Шульман в Мосгорсуде",
        incident_type="Приговор",
        place="Москва, Богородский вал, 8",
        first_title="Репортаж «Медиазоны» из суда",
        first_source="Медиазона",
        first_file="Судья Аббазов вынес приговор Екатерине Шульман заочно.",
        second_title="Новость ОВД-Инфо",
        second_source="ОВД-Инфо",
        second_file="Мосгорсуд под председательством судьи Аббазова осудил Шульман.",
        judge_claim="Судья Аббазов вынес заочный приговор Екатерине Шульман.",
        victim_claim="Екатерина Шульман осуждена за статьи как иностранный агент.",
    ),
    "en": Texts(
        case="Shulman case: 'evading the duties of a foreign agent'",
        incident="Shulman sentenced by the Moscow City Court",
        incident_type="Verdict",
        place="Moscow, Bogorodsky Val 8",
        first_title="Mediazona court report",
        first_source="Mediazona",
        first_file="Judge Abbazov sentenced Ekaterina Shulman in absentia.",
        second_title="OVD-Info news item",
        second_source="OVD-Info",
        second_file="The Moscow City Court, judge Abbazov presiding, convicted Shulman.",
        judge_claim="Judge Abbazov sentenced Ekaterina Shulman in absentia.",
        victim_claim="Ekaterina Shulman was convicted for her articles as a foreign agent.",
    ),
}


class Staff:
    """One person at their browser: signed in through the pages, second factor included."""

    def __init__(self, browser, base: str, lang: str, username: str):
        self.base, self.lang, self.username = base, lang, username
        self.prefix = "" if lang == "en" else f"/{lang}"
        context = browser.new_context(locale=LOCALES[lang], accept_downloads=True)
        self.page = context.new_page()
        self.secret = ""  # the key in their authenticator app, once set up
        self.last_step = 0  # the time step of the last code they typed

    def in_language(self) -> None:
        expect(self.page.locator("html")).to_have_attribute("lang", self.lang)

    def sign_in(self) -> str:
        """Sign in from the home page; returns the second-factor step the site asked for:
        "enrol" (set up an authenticator app), "code" (type its code) or "" (none)."""
        page = self.page
        page.goto(f"{self.base}{self.prefix}/")  # the site's home: all else is clicked
        self.in_language()
        with page.expect_navigation():
            page.locator(f"a[href^='{self.prefix}/accounts/signin/']").first.click()
        page.fill("#id_username", self.username)
        page.fill("#id_password", "pw-" + self.username)
        with page.expect_navigation():
            page.locator("section.auth form button[type=submit]").click()
        self.in_language()
        step = ""
        if page.locator("code.secret").count():
            # Enrolment: the key the page shows goes into the authenticator app, whose code
            # is typed back (an editor may not work before this).
            self.secret = "".join(page.locator("code.secret").inner_text().split())
            step = "enrol"
        if page.locator("#id_code").count():  # enrolment, or the code at each sign-in
            step = step or "code"
            page.fill("#id_code", self.code())
            with page.expect_navigation():
                page.locator("form:has(#id_code) button[type=submit]").click()
            self.in_language()
        expect(page.locator(".identity")).to_contain_text(self.username)
        self.follow(self.link("/cases/staff/"))  # the workspace
        return step

    def code(self) -> str:
        """The code the authenticator app shows. A code is accepted once: signing in again
        within the same 30 seconds takes the next one (a phone running a little ahead, which
        the server's clock-drift tolerance accepts)."""
        totp = pyotp.TOTP(self.secret)
        self.last_step = max(totp.timecode(datetime.datetime.now()), self.last_step + 1)
        return totp.generate_otp(self.last_step)

    def sign_out(self) -> None:
        with self.page.expect_navigation():
            self.page.locator("form[action$='/accounts/signout/'] button").first.click()
        expect(self.page.locator(f"a[href^='{self.prefix}/accounts/signin/']")).not_to_have_count(0)

    def link(self, path: str):
        """The link to one of the site's pages (wherever the menus put it)."""
        return self.page.locator(f"a[href='{self.prefix}{path}']")

    def follow(self, target, *, within=None) -> None:
        """Click a link (or button) that leads to another page, and wait for that page."""
        if isinstance(target, str):
            target = (within or self.page).locator(target)
        with self.page.expect_navigation():
            target.first.click()
        self.in_language()
        expect(self.page.locator(".messages .error")).to_have_count(0)

    def open_incident(self, title: str) -> None:
        """From the review queue: the incident waiting there."""
        self.follow(self.link("/cases/staff/review/"))
        self.follow(self.page.get_by_role("link", name=title, exact=True))

    def move(self, to: str, *, model: str = "incident", within=None) -> None:
        """A review move by its button (its words are about to change; its value is not)."""
        form = f"form.move[action*='/move/{model}/']" if model else "form.move"
        self.follow(f"{form} button[name=move][value={to}]", within=within)

    def close(self) -> None:
        self.page.context.close()


def pick(form, latin: str, name: str, telling: str = "", timeout: float = 30_000) -> None:
    """Type a Latin spelling into the picker and choose the Cyrillic-named person it offers
    (among namesakes, the one whose details include `telling`)."""
    form.locator("input[name=query]").press_sequentially(latin, delay=30)
    candidate = form.locator("ul.candidates li", has_text=name)
    if telling:
        candidate = candidate.filter(has_text=telling)
    candidate.wait_for(timeout=timeout)
    candidate.locator("input[type=radio][name=pick]").check()


def add_participant(staff: Staff, person: tuple[str, str, str], role: str, timeout: float) -> None:
    page = staff.page
    form = page.locator("#participant-form")
    page.locator("details:has(#participant-form) > summary").click()
    name, latin, telling = person
    pick(form, latin, name, telling, timeout)
    form.locator("[name=role]").select_option(role)
    form.locator("[name=visibility]").select_option("public")
    staff.follow("button[name=save]", within=form)
    assert latin.split()[0] not in page.url  # the name never travels in an address


def upload_evidence(staff: Staff, title: str, source: str, text: str, file: str) -> None:
    form = staff.page.locator("#evidence-form")
    form.locator("[name=kind]").select_option("file")
    form.locator("[name=title]").fill(title)
    form.locator("[name=source]").fill(source)
    form.locator("[name=upload]").set_input_files(
        {"name": file, "mimeType": "text/plain", "buffer": text.encode()}
    )
    form.locator("[name=obtained_how]").fill(source)
    form.locator("[name=obtained_on]").fill("2024-03-02")
    form.locator("[name=visibility]").select_option("public")
    staff.follow("button[type=submit]", within=form)
    expect(staff.page.locator("ul.evidence")).to_contain_text(title)


def add_claim(staff: Staff, statement: str, about: str, passages: dict[str, str]) -> None:
    """A claim about a participant (chosen by name), citing each item (by its title)."""
    form = staff.page.locator("#claim-form")
    form.locator("[name=statement]").fill(statement)
    who = form.locator("[name=participant] option", has_text=about).inner_text()
    form.locator("[name=participant]").select_option(label=who)
    for title, passage in passages.items():
        form.get_by_label(title).fill(passage)
    form.locator("[name=visibility]").select_option("public")
    staff.follow("button[type=submit]", within=form)
    expect(staff.page.locator("div.claim", has_text=statement)).to_be_visible()


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_contributor_and_two_editors_go_from_case_to_dossier_by_clicking(
    browser, bare_live_url, settings, tmp_path, lang
):
    settings.MEDIA_ROOT = tmp_path
    call_command("import", "foreign-agents", str(FOREIGN_AGENTS[0]), stdout=io.StringIO())
    call_command("import", "acf-list", str(ACF_SAMPLE), stdout=io.StringIO())
    make_user("carol", "contributor")
    make_user("eddie", "editor")
    make_user("erin", "editor")
    t = TEXTS[lang]

    # The contributor: a case, an incident in it, its people, evidence and claims.
    carol = Staff(browser, bare_live_url, lang, "carol")
    assert carol.sign_in() == ""  # a password is enough for a contributor
    page = carol.page
    carol.follow(carol.link("/cases/staff/cases/"))
    carol.follow(carol.link("/cases/staff/cases/new/"))
    form = page.locator("#record-form")
    form.locator("[name=title]").fill(t.case)
    form.locator("[name=kind]").select_option("criminal")
    form.locator("[name=visibility]").select_option("public")
    carol.follow("button[name=save]", within=form)
    carol.move("in_review", model="case")

    carol.follow(carol.link("/cases/staff/incidents/new/"))
    page.locator("[name=incident_type]").select_option(label=t.incident_type)
    page.fill("[name=title]", t.incident)
    page.fill("[name=date]", "2024-03-01")
    page.fill("[name=place]", t.place)
    page.locator("[name=case]").select_option(label=t.case)
    page.locator("[name=visibility]").select_option("public")
    carol.follow("main form button[type=submit]")
    expect(page.locator("#participant-form")).to_have_count(1)  # the incident's page

    add_participant(carol, VICTIM_PICK, "victim", FIRST_SEARCH_MS)
    add_participant(carol, JUDGE_PICK, "judge", 30_000)
    people = page.locator("h2 + ul").first
    expect(people).to_contain_text(VICTIM)
    expect(people).to_contain_text(JUDGE)

    upload_evidence(carol, t.first_title, t.first_source, t.first_file, "mediazona.txt")
    upload_evidence(carol, t.second_title, t.second_source, t.second_file, "ovdinfo.txt")
    both = {t.first_title: t.first_file, t.second_title: t.second_file}
    add_claim(carol, t.judge_claim, JUDGE, both)
    add_claim(carol, t.victim_claim, VICTIM, both)

    carol.move("in_review")
    for statement in (t.judge_claim, t.victim_claim):
        carol.move("in_review", model="claim", within=page.locator("div.claim", has_text=statement))
    # The author cannot approve her own work: no such button for her.
    expect(page.locator("button[name=move][value=verified]")).to_have_count(0)

    # Editor 1 verifies; editor 2 publishes. Each sets up a second factor at first sign-in.
    eddie, erin = (Staff(browser, bare_live_url, lang, name) for name in ("eddie", "erin"))
    for editor, step in ((eddie, "verified"), (erin, "published")):
        assert editor.sign_in() == "enrol"  # a new editor sets up a second factor first
        editor.open_incident(t.incident)
        editor.move(step)
        for statement in (t.judge_claim, t.victim_claim):
            claim = editor.page.locator("div.claim", has_text=statement)
            editor.move(step, model="claim", within=claim)
        # The case, from the staff list of cases.
        editor.follow(editor.link("/cases/staff/cases/"))
        editor.follow(editor.page.get_by_role("link", name=t.case, exact=True))
        editor.move(step, model="case")
    eddie.sign_out()

    # Editor 2 opens the judge's accountability entry, found with the picker.
    page = erin.page
    erin.follow(erin.link("/accountability/staff/"))
    new_entry = page.locator("#new-entry-form")
    pick(new_entry, JUDGE_PICK[1], JUDGE)
    erin.follow("button[name=save]", within=new_entry)
    expect(page.locator("h1")).to_have_text(JUDGE)
    act_form = page.locator("#act-form")
    act = act_form.locator("[name=participant] option", has_text=t.incident).inner_text()
    act_form.locator("[name=participant]").select_option(label=act)
    act_form.locator("[name=victims_defend_rights]").check()
    erin.follow("button[type=submit]", within=act_form)
    expect(page.locator("ul.acts li")).to_have_count(1)
    erin.move("documented", model="")
    # Its author may not take it through the gate (the gate refuses; test_accountability.py):
    # another editor does.

    # Editor 1 signs in again (with the code of his app now) and takes it through the gate,
    # then asks for the dossier.
    assert eddie.sign_in() == "code"
    page = eddie.page
    eddie.follow(eddie.link("/accountability/staff/"))
    eddie.follow(page.get_by_role("link", name=JUDGE, exact=True))
    eddie.move("verified", model="")
    eddie.move("published", model="")
    expect(page.locator(".gate")).to_have_count(0)
    dossier = page.locator("#dossier-form")
    dossier.locator("[name=jurisdiction]").select_option("eu")
    dossier.locator("[name=fmt]").select_option("pdf")
    with page.expect_navigation():
        dossier.locator("button[type=submit]").click()
    run_worker()  # the background worker
    # The job page refreshes itself until the job is done, as the user sees it.
    result = page.locator("a[href$='/result/']").first
    result.wait_for(timeout=60_000)
    with page.expect_download() as download:
        result.click()
    pdf = tmp_path / "dossier.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = pdf_text(pdf)
    assert JUDGE in text and t.incident in text

    for staff in (carol, eddie, erin):
        staff.close()

    # Anyone: the published incident, its people and claims, on the public pages.
    public = browser.new_context(locale=LOCALES[lang]).new_page()
    public.goto(f"{bare_live_url}{carol.prefix}/")
    with public.expect_navigation():
        public.locator(f"a[href='{carol.prefix}/cases/']").first.click()
    with public.expect_navigation():
        public.get_by_role("link", name=t.incident).click()
    expect(public.locator("html")).to_have_attribute("lang", lang)
    body = public.locator("main")
    for text in (t.incident, t.place, JUDGE, VICTIM, t.judge_claim, t.first_source):
        expect(body).to_contain_text(text)
    public.context.close()
