"""Staff lists that scale: name search in either script (the name never in a URL), filters,
sorting and bulk decisions, on the real OFAC and ACF lists (the `lists` fixture of
test_sanctions_xref: both imported and cross-referenced) and on a documented official."""

import re
from urllib.parse import unquote

import pytest

from civwatch.accountability.candidates import load_candidates
from civwatch.accountability.models import Entry
from civwatch.core.models import AuditEvent
from civwatch.sanctions.models import Link, ListEntry
from tests.accountability_data import NAME, documented_official
from tests.auth_helpers import sign_in
from tests.test_cases import make_user
from tests.test_sanctions_xref import lists  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
LINKS = "/sanctions/staff/links/"
ENTRIES = "/accountability/staff/"


def search(client, path: str, name: str, **filters) -> tuple[str, str]:
    """POST the list's search form as the page does; return (the URL it sends the browser
    to, the page there)."""
    response = client.post(path, {"name_search": "1", "name": name, **filters})
    assert response.status_code == 302
    location = response["Location"]
    page = client.get(location)
    assert page.status_code == 200
    return location, page.content.decode()


def urls_in(page: str) -> list[str]:
    return [unquote(u) for u in re.findall(r'(?:href|action|src)="([^"]*)"', page)]


def assert_no_name_in_urls(location: str, page: str, *names: str) -> None:
    for url in [unquote(location), *urls_in(page)]:
        for name in names:
            for word in name.casefold().replace(",", " ").split():
                assert word not in url.casefold(), (word, url)


def shown_count(page: str) -> int:
    return int(re.search(r'class="muted result-count">(\d+)', page).group(1))


def link_ids(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="link" value="(\d+)"', page)}


def every_link_id(client, url: str) -> set[int]:
    """The ids of the links a filtered list shows, across its pages."""
    ids, number = set(), 1
    while True:
        page = client.get(f"{url}&page={number}").content.decode()
        ids |= link_ids(page)
        if 'rel="next"' not in page:
            return ids
        number += 1


def entities_named(*names: str) -> set[str]:
    return {e.entity_id for e in ListEntry.objects.all() if e.name in names}


def links_touching(entity_ids: set[str]) -> set[int]:
    return {
        link.pk
        for link in Link.objects.all()
        if link.left_entity_id in entity_ids or link.right_entity_id in entity_ids
    }


@pytest.fixture
def editor(client):
    user = make_user("lists-editor", "editor")
    sign_in(client, user)
    return user


def test_a_latin_name_finds_the_cyrillic_entry_and_stays_out_of_urls(lists, client, editor):  # noqa: F811
    location, page = search(client, LINKS, "Klishas")
    assert "Клишас Андрей Александрович" in page
    expected = links_touching(entities_named("Клишас Андрей Александрович"))
    assert expected and link_ids(page) == expected
    assert "search=" in location
    assert_no_name_in_urls(location, page, "Klishas", "Клишас Андрей Александрович")
    # The pages keep the search: the next page's link carries the token, not the name.
    location, page = search(client, LINKS, "Андрей", status="proposed")
    assert shown_count(page) > 50 and 'rel="next"' in page
    next_url = re.search(r'rel="next" href="([^"]*)"', page).group(1).replace("&amp;", "&")
    assert "search=" in next_url and "status=proposed" in next_url
    assert_no_name_in_urls(location, page, "Андрей", "andrei", "andrey")
    second = client.get(f"{LINKS}{next_url}").content.decode()
    assert "Андрей" in second or "ANDREY" in second.upper()


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("birth_dates=full", lambda link: link.explanation["tier"] == "full"),
        ("birth_dates=unknown", lambda link: link.explanation["tier"] == "unknown"),
        ("score=high", lambda link: link.score >= 0.95),
        ("score=middle", lambda link: 0.80 <= link.score < 0.95),
        ("score=low", lambda link: link.score < 0.80),
        ("status=rejected", lambda link: link.status == "rejected"),
        # Every link of the sample joins the ACF list to OFAC's: all, then none.
        ("dataset=acf-list", lambda link: "acf-list" in (link.left_dataset, link.right_dataset)),
        ("dataset=registers", lambda link: "registers" in (link.left_dataset, link.right_dataset)),
    ],
)
def test_each_link_filter_narrows_to_what_it_says(lists, client, editor, query, keep):  # noqa: F811
    # A few decisions, so that the status filter has something to find.
    for link in Link.objects.order_by("pk")[:3]:
        link.decide(editor, "rejected")
    expected = {link.pk for link in Link.objects.all() if keep(link)}
    page = client.get(f"{LINKS}?{query}").content.decode()
    assert shown_count(page) == len(expected)
    if query.startswith("dataset="):
        assert len(expected) in (0, Link.objects.count())
    else:
        assert 0 < len(expected) < Link.objects.count()
    if len(expected) <= 200:
        assert every_link_id(client, f"{LINKS}?{query}") == expected


def test_the_programme_filter_keeps_links_with_a_side_under_that_programme(lists, client, editor):  # noqa: F811
    programme = "RUSSIA-EO14024"
    listed = {e.entity_id for e in ListEntry.objects.all() if programme in e.programmes}
    expected = links_touching(listed)
    page = client.get(f"{LINKS}?programme={programme}").content.decode()
    assert 0 < shown_count(page) == len(expected) < Link.objects.count()


def test_links_sort_by_score_both_ways(lists, client, editor):  # noqa: F811
    for sort, reverse in (("-score", True), ("score", False)):
        page = client.get(f"{LINKS}?sort={sort}").content.decode()
        scores = [float(s) for s in re.findall(r"<td>(\d\.\d{3})</td>", page)]
        assert len(scores) == 50 and scores == sorted(scores, reverse=reverse)
        best = sorted((link.score for link in Link.objects.all()), reverse=reverse)[0]
        assert scores[0] == pytest.approx(best, abs=0.0005)


def test_bulk_confirm_of_a_filtered_selection_decides_each_link_with_its_audit_event(
    lists,  # noqa: F811
    client,
    editor,
):
    query = "birth_dates=full&score=high&status=proposed"
    selected = {
        link.pk
        for link in Link.objects.all()
        if link.explanation["tier"] == "full" and link.score >= 0.95 and link.status == "proposed"
    }
    others = {link.pk: link.status for link in Link.objects.exclude(pk__in=selected)}
    page = client.get(f"{LINKS}?{query}").content.decode()
    assert f"all {len(selected)} links matching this filter" in page
    before = AuditEvent.objects.count()
    response = client.post(
        f"{LINKS}decide/",
        {"status": "confirmed", "everything": "1", "query": query, "count": len(selected)},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"?{query}")
    confirmed = Link.objects.filter(pk__in=selected)
    assert {(link.status, link.decided_by_id) for link in confirmed} == {("confirmed", editor.pk)}
    assert all(link.decided_at for link in confirmed)
    assert {link.pk: link.status for link in Link.objects.exclude(pk__in=selected)} == others
    events = AuditEvent.objects.filter(seq__gt=before, model="sanctions.Link")
    assert sorted(int(e.object_id) for e in events) == sorted(selected)
    assert {(e.action, e.user_id) for e in events} == {("update", editor.pk)}

    # Ticked links only: two of the birth-date-less proposals, rejected.
    ticked = list(
        Link.objects.filter(status="proposed", birth_dates="unknown").values_list("pk", flat=True)
    )[:2]
    response = client.post(
        f"{LINKS}decide/",
        {"status": "rejected", "link": ticked, "query": "birth_dates=unknown"},
    )
    assert response.status_code == 302
    assert set(Link.objects.filter(status="rejected").values_list("pk", flat=True)) == set(ticked)


def test_bulk_decisions_refuse_bad_input_and_other_roles(lists, client):  # noqa: F811
    proposed = dict(Link.objects.values_list("pk", "status"))
    pk = next(iter(proposed))
    sign_in(client, make_user("lists-editor", "editor"))
    every = {"status": "confirmed", "everything": "1"}
    for data in ({"status": "confirmed"}, {"status": "maybe", "link": [pk]},
                 {"status": "confirmed", "link": ["x"]},
                 {"status": "confirmed", "link": ["9" * 40]},
                 # "all N matching" when the filter now selects another number of links
                 {**every, "query": "score=high", "count": "1"},
                 # a search no longer in the session: its filter would select every link
                 {**every, "query": "search=forgotten"}):  # fmt: skip
        assert client.post(f"{LINKS}decide/", data).status_code == 400, data
    for role, code in (("contributor", 403), ("researcher", 403)):
        sign_in(client, make_user(f"lists-{role}", role))
        data = {"status": "confirmed", "everything": "1", "query": ""}
        assert client.post(f"{LINKS}decide/", data).status_code == code
        assert (
            client.post(f"{LINKS}decide/", {"status": "confirmed", "link": [pk]}).status_code
            == code
        )
    assert dict(Link.objects.values_list("pk", "status")) == proposed
    page = client.get(LINKS).content.decode()  # the researcher's page has no bulk form
    assert 'id="bulk"' not in page and "Confirm selected" not in page
    assert "birth dates agree" in page or "no birth date on one side" in page
    # A query that would break the redirect's header is re-encoded, not echoed.
    sign_in(client, make_user("lists-editor-2", "editor"))
    data = {"status": "rejected", "link": [pk], "query": "status=proposed\r\nSet-Cookie: x=1"}
    response = client.post(f"{LINKS}decide/", data)
    assert response.status_code == 302 and "\n" not in response["Location"]


@pytest.fixture
def candidates(lists):  # noqa: F811
    load_candidates("acf-list", user=make_user("loader", "editor"))
    return Entry.objects.select_related("entity")


def descriptions() -> dict[str, str]:
    return {e.entity_id: e.description for e in ListEntry.objects.filter(dataset="acf-list")}


def test_the_accountability_list_finds_bastrykin_by_his_latin_name(client, editor, candidates):
    location, page = search(client, ENTRIES, "Bastrykin")
    assert "Бастрыкин Александр Иванович" in page and shown_count(page) == 1
    assert "Head of The Investigative Committee of Russia" in page  # the role column
    assert_no_name_in_urls(location, page, "Bastrykin", "Бастрыкин Александр Иванович")


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("role=judge", lambda entry, text: "judge" in text.casefold()),
        ("role=prosecutor", lambda entry, text: "prosecutor" in text.casefold()),
        ("agency=Moscow+City+Court", lambda entry, text: "moscow city court" in text.casefold()),
        ("status=documented", lambda entry, text: entry.status == "documented"),
        ("origin=acf-list", lambda entry, text: entry.origin == "acf-list"),
    ],
)
def test_each_accountability_filter_narrows_to_what_it_says(
    client, editor, candidates, query, keep
):
    for entry in candidates.order_by("pk")[:4]:
        Entry.objects.filter(pk=entry.pk).update(status="documented")
    texts = descriptions()
    expected = {e.pk for e in candidates.all() if keep(e, texts.get(e.entity_id, ""))}
    page = client.get(f"{ENTRIES}?{query}&sort=name").content.decode()
    assert 0 < shown_count(page) == len(expected)
    shown = {int(pk) for pk in re.findall(r'href="/accountability/staff/(\d+)/"', page)}
    assert shown <= expected and len(shown) == min(50, len(expected))
    names = re.findall(r'href="/accountability/staff/\d+/">([^<]+)<', page)
    assert names == sorted(names)


def test_case_lists_search_by_a_participants_name_and_filter_by_status(client, editor):
    documented_official(make_user("carol", "researcher"), make_user("eddie", "editor"))
    for path in ("/cases/staff/", "/cases/staff/cases/", "/cases/staff/positions/"):
        assert client.get(path).status_code == 200, path
    location, page = search(client, "/cases/staff/", "Podyachev")
    assert "Verdict against Ivanova" in page
    assert_no_name_in_urls(location, page, "Podyachev", NAME)
    location, page = search(client, "/cases/staff/", "Podyachev", status="draft")
    assert "Verdict against Ivanova" not in page and "status=draft" in location
    _location, page = search(client, "/cases/staff/", "Podyachev", status="published")
    assert "Verdict against Ivanova" in page
    location, page = search(client, "/cases/staff/positions/", "Podyachev")
    assert "Tverskoy District Court of Moscow" in page
    assert_no_name_in_urls(location, page, "Podyachev", NAME)
    _location, page = search(client, "/cases/staff/", "Someone Else")
    assert "Verdict against Ivanova" not in page


def test_the_links_page_speaks_russian(lists, client, editor):  # noqa: F811
    page = client.get("/ru/sanctions/staff/links/?birth_dates=full").content.decode()
    for words in ("Подтвердить выбранные", "даты рождения совпадают", "сначала с высокой оценкой"):
        assert words in page
    for english in ("Confirm selected", "birth dates agree", "highest score first"):
        assert english not in page


def test_the_migration_fills_the_birth_dates_of_existing_links(lists):  # noqa: F811
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = import_module("civwatch.sanctions.migrations.0004_link_birth_dates")
    Link.objects.update(birth_dates="")
    migration.fill_birth_dates(apps, SimpleNamespace(connection=connection))
    tiers = {link.pk: link.explanation["tier"] for link in Link.objects.all()}
    assert dict(Link.objects.values_list("pk", "birth_dates")) == tiers
    assert set(tiers.values()) == {"full", "partial", "unknown"}
