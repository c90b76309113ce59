"""Cross-referencing the bundled ACF list with the OFAC SDN list; deciding links in the staff
page and the API; the sanctions status that confirmed links give a person."""

import io
import json
from urllib.parse import unquote

import pytest
from django.core.management import call_command

from civwatch.accounts.models import ApiToken
from civwatch.entities.models import Entity
from civwatch.sanctions.models import Link, ListEntry
from civwatch.sanctions.status import sanctions_status
from civwatch.sanctions.xref import birth_date_agreement, run_xref
from tests.auth_helpers import sign_in, totp_device
from tests.conftest import live_server, undo_what_the_live_server_committed
from tests.test_cases import make_user
from tests.test_cases_browser import log_in
from tests.test_sanctions_import import ACF, OFAC

pytestmark = pytest.mark.django_db
JSONL_KEYS = ["left_id", "left_dataset", "left_name", "right_id", "right_dataset", "right_name",
              "score", "status"]  # fmt: skip
# Persons on both lists, with the spelling each list gives them.
KNOWN_PAIRS = [
    ("Клишас Андрей Александрович", "KLISHAS, Andrey Aleksandrovich"),  # same birth date
    ("Козак Дмитрий Николаевич", "KOZAK, Dmitry"),  # no patronymic on OFAC
    ("Канделаки Тинатин Гивиевна", "KANDELAKI, Tina"),  # short forename
    ("Шойгу Юлия Сергеевна", "SHOIGU, Yuliya Sergeyevna"),  # OFAC gives the year only
]
# Same names, birth dates that disagree (1962 / 1952; 01.03 / 01.03 read day-first).
CONFLICTING_PAIRS = [
    ("Фадзаев Арсен Сулейманович", "FADZAYEV, Arsen Suleymanovich"),
    ("Ротенберг Борис Романович", "ROTENBERG, Boris Romanovich"),
]


@pytest.fixture(scope="module")
def lists(django_db_setup, django_db_blocker):
    """OFAC and the ACF list, imported and cross-referenced once for the module."""
    with django_db_blocker.unblock():
        call_command("import", "ofac-sdn", str(OFAC), stdout=io.StringIO())
        call_command("import", "acf-list", str(ACF), stdout=io.StringIO())
        call_command("xref", stdout=io.StringIO())
        yield
        wipe_lists()


def wipe_lists() -> None:
    """Remove the module's imported lists, with the audit log's receivers off (as
    conftest.wipe_history does): an event per deleted row made PostgreSQL runs crawl."""
    from civwatch.core import audit
    from civwatch.entities.models import Entity
    from civwatch.sanctions.models import Dataset, DatasetVersion, EntryChange

    with audit.disabled():
        for model in (Link, EntryChange, ListEntry, DatasetVersion, Dataset, Entity):
            model.objects.all().delete()


def entry(dataset: str, name: str) -> ListEntry:
    return ListEntry.objects.get(dataset=dataset, name=name)


def link_between(acf_name: str, ofac_name: str) -> Link | None:
    left, right = entry("acf-list", acf_name), entry("us-ofac-sdn", ofac_name)
    return Link.objects.filter(left_entity=left.entity, right_entity=right.entity).first()


@pytest.mark.parametrize(("acf_name", "ofac_name"), KNOWN_PAIRS)
def test_persons_on_both_lists_are_linked(lists, acf_name, ofac_name):
    link = link_between(acf_name, ofac_name)
    assert link is not None and link.status == "proposed"
    assert (link.left_name, link.right_name) == (acf_name, ofac_name)
    assert link.explanation["name"]["tokens"]  # which words matched, and how


@pytest.mark.parametrize(("acf_name", "ofac_name"), CONFLICTING_PAIRS)
def test_no_link_across_conflicting_birth_dates(lists, acf_name, ofac_name):
    assert link_between(acf_name, ofac_name) is None


def test_no_proposed_link_has_conflicting_birth_dates(lists):
    entries = {
        (e.dataset_id, e.source_id): e.record.get("birth_dates", [])
        for e in ListEntry.objects.filter(schema="Person")
    }
    for link in Link.objects.all():
        left = entries[(link.left_dataset, link.left_id)]
        right = entries[(link.right_dataset, link.right_id)]
        assert birth_date_agreement(left, right) != "conflict", link


def test_a_namesake_without_birth_date_is_not_linked_when_the_dated_one_is(lists):
    """The ACF list names two Natalya Vladimirovna Borisovas: a Rostec accountant born on
    the day OFAC gives, and a judge with no birth date. Only the first is linked."""
    ofac = entry("us-ofac-sdn", "BORISOVA, Natalya Vladimirovna")
    namesakes = ListEntry.objects.filter(dataset="acf-list", name="Борисова Наталья Владимировна")
    dated = [e for e in namesakes if e.record.get("birth_dates") == ofac.record["birth_dates"]]
    undated = [e for e in namesakes if not e.record.get("birth_dates")]
    assert len(dated) == 1 and undated
    linked = set(Link.objects.filter(right_entity=ofac.entity).values_list("left_id", flat=True))
    assert linked == {dated[0].source_id}


def test_initials_alone_do_not_link_without_a_birth_date(lists):
    """ "Поляков А. А.", a policeman, is not the Duma member Alexander Alekseevich Polyakov."""
    assert not Link.objects.filter(left_name="Поляков А. А.").exists()


def test_several_hundred_acf_persons_are_found_on_the_ofac_list(lists):
    linked = Link.objects.filter(left_dataset="acf-list", right_dataset="us-ofac-sdn")
    assert linked.values("left_id").distinct().count() >= 300


def test_jsonl_lists_every_link_with_the_contract_keys(lists):
    out = io.StringIO()
    call_command("xref", "--list-only", "--format", "jsonl", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == Link.objects.count()
    names = {(e.dataset_id, e.source_id): e.name for e in ListEntry.objects.all()}
    for line in lines:
        assert list(line) == JSONL_KEYS
        assert line["left_name"] == names[(line["left_dataset"], line["left_id"])]
        assert line["right_name"] == names[(line["right_dataset"], line["right_id"])]
        assert line["status"] in {"proposed", "confirmed", "rejected"}
        assert 0 < line["score"] <= 1


def test_re_running_xref_keeps_the_editors_decisions(lists):
    editor = make_user("erin", "editor")
    link = link_between(*KNOWN_PAIRS[0])
    link.decide(editor, "rejected")
    count = Link.objects.count()
    run_xref("acf-list", "us-ofac-sdn")
    again = Link.objects.get(pk=link.pk)
    assert (again.status, again.decided_by) == ("rejected", editor)
    assert Link.objects.count() == count


def test_sanctions_status_counts_confirmed_links_only(lists):
    acf, ofac = entry("acf-list", KNOWN_PAIRS[0][0]), entry("us-ofac-sdn", KNOWN_PAIRS[0][1])
    before = sanctions_status(acf.entity)
    assert before.not_acted == ["us", "uk", "eu", "ca"] and not before.sanctioned
    assert before.unchecked == ["uk", "eu", "ca"]  # only a US list is imported
    assert [list(e.tags) for e in before.external] == [acf.tags]

    link_between(*KNOWN_PAIRS[0]).decide(make_user("erin", "editor"), "confirmed")
    after = sanctions_status(acf.entity)
    assert [(x.programme, x.source_id) for x in after.by_jurisdiction["us"]] == [
        (p, ofac.source_id) for p in ofac.programmes
    ]
    assert after.not_acted == ["uk", "eu", "ca"]
    # The same answer from the OFAC side, through the same link.
    assert sanctions_status(ofac.entity).by_jurisdiction == after.by_jurisdiction


def test_a_listing_known_only_through_a_proposed_link_awaits_review_and_is_not_not_acted(
    lists, client
):
    """The probe's finding: "US: has not acted" for someone OFAC lists, whenever the link
    was only proposed. Staff views and dossiers say a listing awaits review instead; public
    output never shows a proposed link."""
    from civwatch.accountability.sanctions import sanctions_summary

    acf, ofac = entry("acf-list", KNOWN_PAIRS[0][0]), entry("us-ofac-sdn", KNOWN_PAIRS[0][1])
    staff_view = sanctions_status(acf.entity, with_possible=True)
    assert staff_view.not_acted == ["uk", "eu", "ca"] and not staff_view.sanctioned
    [possible] = {p.listing.source_id: p for p in staff_view.awaiting_review["us"]}.values()
    assert possible.listing.source_id == ofac.source_id
    assert possible.link_id == link_between(*KNOWN_PAIRS[0]).pk
    us = next(
        row for row in sanctions_summary(acf.entity, with_possible=True) if row["code"] == "us"
    )
    assert us["text"].startswith("possible listing awaiting review: ") and not us["listed"]

    public_view = sanctions_status(acf.entity, public_only=True, with_possible=True)
    assert public_view.awaiting_review == {} and "us" in public_view.not_acted
    public_row = next(row for row in sanctions_summary(acf.entity) if row["code"] == "us")
    assert "awaiting review" not in public_row["text"]
    page = client.get(acf.get_absolute_url()).content.decode()
    assert "awaiting review" not in page and ofac.source_id not in page

    researcher = make_user("rita", "researcher")
    sign_in(client, researcher)
    page = client.get(acf.get_absolute_url()).content.decode()
    assert "possible listing awaiting review" in page and ofac.source_id in page
    token = ApiToken.issue(researcher)
    answer = client.get(
        f"/api/sanctions/status/{acf.entity_id}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert answer["awaiting_review"]["us"][0]["source_id"] == ofac.source_id
    assert "us" not in answer["not_acted"]


@pytest.fixture(scope="module")
def web_editor_account(lists, django_db_blocker):
    """An editor the live server's own connection sees (on PostgreSQL it does not see the
    test's transaction)."""
    with django_db_blocker.unblock():
        user = make_user("web-editor", "editor")
        totp_device(user)  # committed here, where the live server sees it
        yield user
        user.delete()


@pytest.fixture
def web_editor(web_editor_account):
    """The editor's user name; what the live server committed for them is undone after each
    test, not after the module: the other tests of the module run in any order and expect
    the links as `xref` proposed them."""
    yield web_editor_account.username
    undo_what_the_live_server_committed(
        lambda: Link.objects.filter(decided_by=web_editor_account).update(
            status="proposed", decided_by=None, decided_at=None
        )
    )


def filter_links(page, url: str, name: str, status: str) -> None:
    """Search the staff links page as a user does: the name goes by POST, never in the URL."""
    page.goto(url)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Status").select_option(status)
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert name not in unquote(page.url)


def test_an_editor_confirms_a_link_in_the_staff_page_and_the_public_sees_it(
    lists, web_editor, browser, django_db_blocker
):
    acf_name, ofac_name = KNOWN_PAIRS[1]
    acf = entry("acf-list", acf_name)
    with live_server(django_db_blocker) as base:
        public = browser.new_page()
        public.goto(f"{base}{acf.get_absolute_url()}")
        assert ofac_name not in public.content()  # a proposal is internal

        context, staff = log_in(browser, base, web_editor)
        filter_links(staff, f"{base}/sanctions/staff/links/", acf_name, "proposed")
        row = staff.locator("tr", has_text=ofac_name)
        row.get_by_role("button", name="Confirmed").click()
        staff.wait_for_load_state()
        assert not staff.locator("tr", has_text=ofac_name).count()  # no longer proposed
        filter_links(staff, f"{base}/sanctions/staff/links/", acf_name, "confirmed")
        assert web_editor in staff.locator("tr", has_text=ofac_name).inner_text()

        public.goto(f"{base}{acf.get_absolute_url()}")
        text = public.content()
        assert ofac_name in text  # the merged view
        for programme in entry("us-ofac-sdn", ofac_name).programmes:
            assert programme in text
        public.close()
        context.close()
    link = link_between(acf_name, ofac_name)
    assert (link.status, link.decided_by.username) == ("confirmed", web_editor)
    assert link.decided_at is not None


@pytest.mark.parametrize(
    ("role", "page", "decide"),
    [(None, 302, 302), ("contributor", 403, 403), ("researcher", 200, 403), ("editor", 200, 302)],
)
def test_roles_on_the_staff_links_page(lists, client, role, page, decide):
    if role:
        sign_in(client, make_user(f"u-{role}", role))
    link = link_between(*KNOWN_PAIRS[2])
    assert client.get("/sanctions/staff/links/").status_code == page
    response = client.post(f"/sanctions/staff/links/{link.pk}/decide/", {"status": "confirmed"})
    assert response.status_code == decide
    expected = "confirmed" if role == "editor" else "proposed"
    assert Link.objects.get(pk=link.pk).status == expected


def test_a_bad_decision_in_the_staff_page_is_a_400(lists, client):
    sign_in(client, make_user("erin", "editor"))
    link = link_between(*KNOWN_PAIRS[2])
    response = client.post(f"/sanctions/staff/links/{link.pk}/decide/", {"status": "maybe"})
    assert response.status_code == 400
    assert Link.objects.get(pk=link.pk).status == "proposed"


def bearer(role: str) -> dict:
    return {"Authorization": f"Bearer {ApiToken.issue(make_user(f'api-{role}', role))}"}


def test_api_decisions_need_an_editors_token(lists, client):
    link = link_between(*KNOWN_PAIRS[3])
    url = f"/api/sanctions/links/{link.pk}/decision"
    body = {"content_type": "application/json", "data": {"status": "confirmed"}}
    assert client.post(url, **body).status_code == 401
    assert client.post(url, **body, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.post(url, **body, headers=bearer("researcher")).status_code == 403
    editor = bearer("editor")
    bad = client.post(url, content_type="application/json", data={"status": "x"}, headers=editor)
    assert bad.status_code == 422
    response = client.post(url, **body, headers=editor)
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    assert response.json()["decided_by"] == "api-editor"


def test_api_shows_proposals_to_researchers_only(lists, client):
    link = link_between(*KNOWN_PAIRS[3])
    public = client.get("/api/sanctions/links?status=proposed").json()
    assert public["count"] == 0
    researcher = client.get(
        "/api/sanctions/links?status=proposed&limit=1000", headers=bearer("researcher")
    )
    assert link.pk in {row["id"] for row in researcher.json()["results"]}

    link.decide(make_user("erin", "editor"), "confirmed")
    acf = entry("acf-list", KNOWN_PAIRS[3][0])
    answer = client.get(
        "/api/sanctions/entry", {"dataset": "acf-list", "source_id": acf.source_id}
    ).json()
    us = answer["sanctions_status"]["jurisdictions"]["us"]
    ofac = entry("us-ofac-sdn", KNOWN_PAIRS[3][1])
    assert [x["programme"] for x in us] == ofac.programmes
    assert answer["sanctions_status"]["not_acted"] == ["uk", "eu", "ca"]
    status = client.get(f"/api/sanctions/status/{acf.entity_id}").json()
    assert status["jurisdictions"]["us"] == us


def test_a_register_entity_page_shows_the_status_its_confirmed_links_give(lists, client):
    from tests.conftest import FOREIGN_AGENTS

    call_command("import", "foreign-agents", str(FOREIGN_AGENTS[0]), stdout=io.StringIO())
    person = (
        Entity.objects.listed().filter(kind="person").exclude(list_entries__isnull=False).first()
    )
    ofac = entry("us-ofac-sdn", KNOWN_PAIRS[0][1])
    page = client.get(person.get_absolute_url()).content.decode()
    assert "Sanctions status" not in page  # no list names this person
    link = Link.objects.create(
        left_dataset="registers", left_id=person.pk, left_name=person.name, left_entity=person,
        right_dataset="us-ofac-sdn", right_id=ofac.source_id, right_name=ofac.name,
        right_entity=ofac.entity, score=0.9,
    )  # fmt: skip
    assert "Sanctions status" not in client.get(person.get_absolute_url()).content.decode()
    link.decide(make_user("erin", "editor"), "confirmed")
    page = client.get(person.get_absolute_url()).content.decode()
    assert "Sanctions status" in page and ofac.programmes[0] in page


def test_the_pages_speak_russian(lists, client):
    url = "/ru" + entry("acf-list", KNOWN_PAIRS[0][0]).get_absolute_url()
    assert "Санкционные и другие списки" in client.get("/ru/sanctions/").content.decode()
    page = client.get(url).content.decode()
    assert "Санкционный статус" in page and "санкций не вводили" in page


def test_without_birth_dates_only_three_part_names_link(lists):
    """ACF's "Иванов Дмитрий" (an FSB head) is not every Dmitry Ivanov of a register; a full
    name such as "Караулов Андрей Викторович" may be linked on names alone."""
    from civwatch.sanctions.xref import SideRecord, entry_ftm, link_tier

    def register_person(name: str) -> SideRecord:
        ftm = {"id": name, "schema": "Person", "properties": {"name": [name]}}
        return SideRecord("registers", name, name, name, ftm)

    for acf_name, register_name, tier in [
        ("Иванов Дмитрий", "Иванов Дмитрий Сергеевич", None),
        ("Караулов Андрей Викторович", "Караулов Андрей Викторович", "unknown"),
    ]:
        acf = entry("acf-list", acf_name)
        left = SideRecord("acf-list", acf.source_id, acf.name, acf.entity_id, entry_ftm(acf))
        left.ftm["properties"].pop("birthDate", None)
        assert link_tier(left, register_person(register_name), 1.0) == tier


def test_a_documented_official_is_linked_and_the_link_stays_internal(lists):
    from civwatch.cases.models import Participant
    from tests.test_cases import make_incident

    judge = Entity.objects.create(
        id="cw-judge", kind="person", name="Подопригоров Сергей Геннадиевич"
    )
    incident = make_incident(make_user("carol", "contributor"))
    Participant.objects.create(incident=incident, entity=judge, role="judge")
    run_xref("cases", "us-ofac-sdn")
    ofac = ListEntry.objects.get(dataset="us-ofac-sdn", name="PODOPRIGOROV, Sergei G.")
    link = Link.objects.get(left_dataset="cases", left_entity=judge)
    assert (link.right_id, link.status) == (ofac.source_id, "proposed")

    link.decide(make_user("erin", "editor"), "confirmed")
    status = sanctions_status(judge)
    assert [x.programme for x in status.by_jurisdiction["us"]] == ofac.programmes == ["MAGNIT"]
    assert not sanctions_status(judge, public_only=True).sanctioned  # a case link is internal


def test_staff_see_at_once_which_candidates_the_us_may_already_sanction(lists, client):
    """The ACF list's organisers of repressions become candidates; the proposed ACF x OFAC
    links show their US programmes to researchers, marked as awaiting review, and a filter
    keeps only the people linked to an official list. None of it counts as a sanction yet."""
    from civwatch.accountability.models import Entry

    rita = make_user("rita", "researcher")
    call_command(
        "accountability", "candidates", "--dataset", "acf-list", "--as", "rita",
        stdout=io.StringIO(),
    )  # fmt: skip
    bastrykin = Entry.objects.get(entity__name="Бастрыкин Александр Иванович")
    sign_in(client, rita)

    listed = client.get("/accountability/staff/?listed=1").content.decode()
    assert "Бастрыкин Александр Иванович" in listed
    assert "possible match, awaiting review: OFAC" in listed and ": MAGNIT (BASTRYKIN" in listed
    linked_candidates = Entry.objects.filter(
        entity__in=[link.left_entity for link in Link.objects.filter(right_dataset="us-ofac-sdn")]
    )
    assert listed.count("possible match, awaiting review") >= min(linked_candidates.count(), 50)
    assert "Аббазов Ильшат Загфярович" not in listed  # a candidate on no official list
    assert "Аббазов Ильшат Загфярович" in client.get("/accountability/staff/").content.decode()

    page = client.get(f"/accountability/staff/{bastrykin.pk}/").content.decode()
    assert ": MAGNIT (BASTRYKIN, Alexander Ivanovich" in page
    assert sanctions_status(bastrykin.entity).by_jurisdiction["us"] == []


# Issue 14: real rows of the bundled ACF list and OFAC SDN list.
def test_a_patronymic_misspelt_by_one_list_is_linked_and_explained(lists):
    # OFAC 36802 spells Аркадьевич "Akardyevich"; birth date 09.11.1954 on both.
    link = link_between("Климов Андрей Аркадьевич", "KLIMOV, Andrey Akardyevich")
    assert link is not None and link.status == "proposed"
    assert link.right_id == "36802"
    assert link.explanation["tier"] == "full"
    assert link.explanation["patronymic"]["edits"] == 2
    assert "surname and the given name agree" in link.explanation["patronymic"]["accepted"]


def test_a_row_the_list_repeats_with_another_patronymic_follows_its_twin(lists):
    # The ACF names her twice (Алексеевна, Александровна), both born 25.10.1984.
    linked = link_between("Львова-Белова Мария Алексеевна", "LVOVA-BELOVA, Maria Alexeyevna")
    twin = link_between("Львова-Белова Мария Александровна", "LVOVA-BELOVA, Maria Alexeyevna")
    assert linked is not None and twin is not None and twin.right_id == "38877"
    assert twin.explanation["twin_of"]["name"] == "Львова-Белова Мария Алексеевна"
    # Namesakes the list gave one birth date are not twins: the patronymic initial differs.
    assert link_between("Песков Дмитрий Николаевич", "PESKOV, Dmitriy Sergeevich") is None


def test_no_link_across_nationalities(lists):
    # A Russian prosecutor with no birth date against a Ukrainian-born entry (nationality
    # Ukraine, Ukrainian tax id, born 1983).
    assert link_between("Филипчук Павел Игоревич", "FILIPCHUK, Pavlo Ihorovych") is None


def test_tax_numbers_that_differ_stop_a_link(lists):
    from civwatch.sanctions.xref import SideRecord, entry_ftm, identifiers_conflict

    ofac = entry("us-ofac-sdn", "LVOVA-BELOVA, Maria Alexeyevna")  # Tax ID 583712612853
    right = SideRecord("us-ofac-sdn", ofac.source_id, ofac.name, ofac.entity_id, entry_ftm(ofac))
    for inn, conflict in (("772742973909", True), ("583712612853", False)):
        left = SideRecord("registers", "x", "x", "x", {"properties": {"innCode": [inn]}})
        assert identifiers_conflict(left, right) is conflict


def test_xref_in_the_background_is_a_job_with_progress_that_proposes_the_same_links(
    lists, client, django_capture_on_commit_callbacks
):
    from civwatch.jobs.models import Job
    from tests.test_jobs import run_worker

    researcher = make_user("rosa", "researcher")
    links = sorted(Link.objects.values_list("left_id", "right_id", "score"))
    Link.objects.all().delete()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("xref", "--in-background", "--as", "rosa", stdout=out)
    job = Job.objects.get(kind="xref")
    assert out.getvalue().startswith(f"queued as job {job.pk}:")
    assert (job.status, job.created_by) == ("queued", researcher)
    assert not Link.objects.exists()  # nothing is compared until a worker runs the job

    run_worker()

    job.refresh_from_db()
    assert job.status == "done" and job.total > 6000 and job.done == job.total
    assert f"{len(links)} links found" in job.log[-1]
    assert sorted(Link.objects.values_list("left_id", "right_id", "score")) == links
    client.force_login(researcher)
    assert "links found" in client.get(job.get_absolute_url()).content.decode()


def test_xref_in_the_background_needs_a_user_to_show_it_to_and_queues_nothing_without():
    from django.core.management.base import CommandError

    from civwatch.jobs.models import Job

    with pytest.raises(CommandError, match="--as USER"):
        call_command("xref", "--in-background", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--list-only"):
        call_command("xref", "--in-background", "--list-only", stdout=io.StringIO())
    assert not Job.objects.exists()
