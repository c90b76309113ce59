"""The public pages, driven in headless Chromium over the real register history."""

import xml.etree.ElementTree as ET

import pytest

from civwatch.registers.models import Change, Designation, Snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def test_browse_filter_and_paginate(page, live_url):
    page.goto(live_url)
    total = Designation.objects.count()
    assert page.locator("p.muted").first.inner_text() == f"{total} designations"
    assert page.locator("table.designations tbody tr").count() == 50
    page.click("a[rel=next]")
    assert "page=2" in page.url
    assert page.locator("table.designations tbody tr").count() == 50

    page.goto(live_url)
    page.select_option("select[name=legal_basis]", "7-FZ-32")
    page.select_option("select[name=status]", "removed")
    page.fill("input[name=year]", "2015")
    page.click("form.filters button[type=submit]")
    expected = Designation.objects.filter(
        legal_basis="7-FZ-32", status="removed", listed_on__year=2015
    ).count()
    assert page.locator("p.muted").first.inner_text() == f"{expected} designations"
    assert page.locator("table.designations tbody tr").count() == min(expected, 50) > 0
    assert "legal_basis=7-FZ-32" in page.url
    rows = page.locator("table.designations tbody tr").all_inner_texts()
    assert all("2015-" in row for row in rows)


@pytest.mark.parametrize("query", ["Пономарёв Лев", "Ponomarev Lev", "ПОНОМАРЕВ лев"])
def test_search_by_name_in_either_script(page, live_url, query):
    page.goto(live_url)
    page.fill("input[name=q]", query)
    page.press("input[name=q]", "Enter")
    names = page.locator("table.designations tbody td:first-child a").all_inner_texts()
    assert names == ["Пономарев Лев Александрович"]


def test_entity_page_shows_names_identifiers_and_timeline(page, live_url):
    designation = Designation.objects.get(register="foreign-agents", row_id="262")
    page.goto(live_url)
    page.fill("input[name=q]", "Гусев Андрей")
    page.press("input[name=q]", "Enter")
    page.click("text=Гусев Андрей Юрьевич")
    assert page.url.endswith(designation.entity.get_absolute_url())
    assert page.locator("h1").inner_text() == "Гусев Андрей Юрьевич"
    assert page.locator(".latin-name").inner_text() == "Gusev Andrey Yurevich"
    facts = page.locator("dl.facts").first.inner_text()
    assert "253801190331" in facts and "1983-10-06" in facts
    timeline = page.locator("ol.timeline").inner_text()
    assert "2021-09-29" in timeline and "added" in timeline
    page.click("details summary")
    snapshots = page.locator("ul.snapshots li")
    assert snapshots.count() == designation.snapshots.count()


def test_removed_designation_shows_its_removal(page, live_url):
    change = Change.objects.get(snapshot__file_name="registry-2024-10-01.json", kind="removed")
    page.goto(live_url + change.designation.entity.get_absolute_url())
    assert "removed" in page.locator("h2").first.inner_text()
    timeline = page.locator("ol.timeline").inner_text()
    assert "decision to remove" in timeline and "2024-09-20" in timeline


def test_changes_page_and_a_snapshot(page, live_url):
    page.goto(live_url + "/changes/")
    latest = page.locator("table.snapshots tbody tr").first
    cells = latest.locator("td").all_inner_texts()
    snapshot = Snapshot.objects.get(file_name="registry-2024-10-01.json")
    counts = {kind: snapshot.changes.filter(kind=kind).count() for kind in Change.Kind.values}
    assert cells[0].startswith("2024-10-01")
    assert cells[3:7] == [str(counts[k]) for k in ("added", "removed", "modified", "reinstated")]
    assert "suspect removed_on" in page.locator("table.snapshots").inner_text()
    latest.locator("a").first.click()
    assert page.locator("table.changes tbody tr").count() == snapshot.changes.count()
    page.click("nav.filters-inline >> text=removed")
    removed = page.locator("table.changes tbody tr")
    assert removed.count() == counts["removed"]
    assert "removed_on" in removed.first.inner_text()


def test_atom_feed_lists_snapshots(page, live_url):
    response = page.request.get(live_url + "/changes/feed.atom")
    assert response.ok and "atom" in response.headers["content-type"]
    feed = ET.fromstring(response.body())  # noqa: S314  (our own feed, not untrusted input)
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == Snapshot.objects.filter(status="applied").count()
    title = entries[0].find("{http://www.w3.org/2005/Atom}title").text
    assert "2024-10-01" in title and "added" in title


def test_statistics_chart(page, live_url):
    page.goto(live_url + "/statistics/")
    bars = page.locator("figure.chart svg rect")
    data_rows = page.locator("table.chart-data tbody tr")
    assert bars.count() == data_rows.count() > 100
    assert page.locator("figure.chart .legend span").count() == 8
    tooltip = bars.first.locator("title").text_content()
    assert tooltip.startswith("2013-06: 1")
    page.select_option("select[name=register]", "undesirable")
    page.click("form.filters button")
    assert page.locator("figure.chart .legend span").count() == 1


def test_russian_interface(page, live_url):
    page.goto(live_url)
    page.click("form.language button[value=ru]")
    assert page.url.rstrip("/").endswith("/ru")
    assert page.locator("header nav").inner_text().split() == [
        "Реестры",
        "Изменения",
        "Статистика",
        "API",
    ]
    # 1054 → "записи": Russian plural forms come from the catalogue.
    count = page.locator("p.muted").first.inner_text()
    assert count == f"{Designation.objects.count()} записи"
