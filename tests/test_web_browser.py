"""The public pages, driven in headless Chromium over the real register history."""

import xml.etree.ElementTree as ET

import pytest
from django.db.models import Count

from civwatch.registers.charts import month_range
from civwatch.registers.models import Change, Designation, Snapshot
from civwatch.registers.queries import designations_per_month

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

ATOM = "{http://www.w3.org/2005/Atom}"


def result_count(page) -> str:
    return page.locator("p.result-count").inner_text()


def test_browse_filter_and_paginate(page, live_url):
    page.goto(live_url)
    total = Designation.objects.count()
    assert result_count(page) == f"{total} designations"
    assert page.locator("table.designations tbody tr").count() == 50
    first_page = page.locator("table.designations tbody tr").first.inner_text()
    page.click("a[rel=next]")
    assert "page=2" in page.url
    assert page.locator("table.designations tbody tr").count() == 50
    assert page.locator("table.designations tbody tr").first.inner_text() != first_page

    page.goto(live_url)
    page.select_option("select[name=legal_basis]", "7-FZ-32")
    page.select_option("select[name=status]", "removed")
    page.fill("input[name=year]", "2015")
    page.click("form.filters button[type=submit]")
    expected = Designation.objects.filter(
        legal_basis="7-FZ-32", status="removed", listed_on__year=2015
    ).count()
    assert result_count(page) == f"{expected} designations"
    assert page.locator("table.designations tbody tr").count() == min(expected, 50) > 0
    assert "legal_basis=7-FZ-32" in page.url
    rows = page.locator("table.designations tbody tr").all_inner_texts()
    assert all("2015-" in row and "removed" in row for row in rows)
    # The filters survive pagination.
    if expected > 50:
        page.click("a[rel=next]")
        assert "legal_basis=7-FZ-32" in page.url and "page=2" in page.url


@pytest.mark.parametrize("query", ["Пономарёв", "Ponomarev", "ПОНОМАРЕВ лев"])
def test_search_by_name_in_either_script(page, live_url, query):
    page.goto(live_url)
    page.fill("input[name=q]", query)
    # Wait for the results page: a name search may first build the index of every list, and
    # all_inner_texts() does not wait (it read the old page in a CI run).
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    names = page.locator("table.designations tbody td:first-child a").all_inner_texts()
    assert "Пономарев Лев Александрович" in names
    assert all("Пономарев" in name for name in names)


def test_entity_page_shows_names_identifiers_and_timeline(page, live_url):
    designation = Designation.objects.get(register="foreign-agents", row_id="262")
    page.goto(live_url)
    page.fill("input[name=q]", "Gusev Andrey")
    page.press("input[name=q]", "Enter")
    page.click("text=Гусев Андрей Юрьевич")
    assert page.url.endswith(designation.entity.get_absolute_url())
    assert page.locator("h1").inner_text() == "Гусев Андрей Юрьевич"
    assert page.locator(".latin-name").inner_text() == "Gusev Andrey Yurevich"
    facts = page.locator("dl.facts").first.inner_text()
    assert "253801190331" in facts and "1983-10-06" in facts
    section = page.locator("section.designation").first
    assert designation.legal_basis.label_en in section.locator("dl.facts").inner_text()
    timeline = page.locator("ol.timeline").inner_text()
    assert "2021-09-29" in timeline and "added" in timeline
    section.locator("details summary").click()
    snapshots = section.locator("ul.snapshots li")
    assert snapshots.count() == designation.snapshots.count() > 1
    assert designation.first_seen.file_name in snapshots.first.inner_text()


def test_removed_designation_shows_its_removal(page, live_url):
    change = Change.objects.get(snapshot__file_name="registry-2024-10-01.json", kind="removed")
    page.goto(live_url + change.designation.entity.get_absolute_url())
    assert "removed" in page.locator("section.designation h2").first.inner_text()
    timeline = page.locator("ol.timeline").inner_text()
    assert "decision to remove" in timeline
    assert f"{change.designation.removed_on:%Y-%m-%d}" in timeline


def test_changes_page_and_a_snapshot(page, live_url):
    snapshot = Snapshot.objects.get(register="foreign-agents", file_name="registry-2024-10-01.json")
    counts = dict(snapshot.changes.values_list("kind").annotate(n=Count("id")).order_by())
    # The figures the issue quotes, checked against the database rather than trusted.
    assert counts == {"added": 6, "modified": 7, "removed": 1}

    page.goto(live_url + "/changes/")
    rows = page.locator("table.snapshots tbody tr")
    assert rows.count() == Snapshot.objects.count()
    newest = rows.first
    cells = newest.locator("td").all_inner_texts()
    assert cells[0].startswith("2024-10-01")
    assert cells[3:7] == [str(counts.get(k, 0)) for k in ("added", "removed", "modified")] + ["0"]
    # The importer's notes (suspect fields, repaired cells) are for staff only (issue 11).
    assert "suspect" not in page.locator("main").inner_text()
    assert page.locator("table.snapshots .note").count() == 0

    page.select_option("select[name=kind]", "removed")
    page.click("form.filters button[type=submit]")
    with_removals = Snapshot.objects.filter(changes__kind="removed").distinct().count()
    assert page.locator("table.snapshots tbody tr").count() == with_removals > 0
    assert "0" not in page.locator("table.snapshots tbody td:nth-child(5)").all_inner_texts()

    page.goto(live_url + "/changes/")
    newest.locator("a").first.click()
    assert page.url.endswith(snapshot.get_absolute_url())
    assert page.locator("table.changes tbody tr").count() == snapshot.changes.count() == 14
    page.click("nav.filters-inline >> text=modified")
    modified = page.locator("table.changes tbody tr")
    assert modified.count() == 7
    first = snapshot.changes.filter(kind="modified").order_by("id").first()
    words = first.described()[0]
    diff = modified.first.locator("ul.diff > li").first
    # In words, with every website added and removed in full.
    assert diff.locator(".what").inner_text() == words.summary
    assert diff.locator("ins").all_text_contents() == [f"added: {url}" for url in words.added]
    assert diff.locator("del").all_text_contents() == [f"removed: {url}" for url in words.removed]


def test_atom_feed_lists_snapshots(page, live_url):
    response = page.request.get(live_url + "/changes/feed.atom")
    assert response.ok and response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.body())  # noqa: S314  (our own feed, not untrusted input)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == min(50, Snapshot.objects.filter(status="applied").count())
    title = entries[0].find(f"{ATOM}title").text
    assert "2024-10-01" in title and "6 entries added" in title and "1 entry removed" in title
    link = entries[0].find(f"{ATOM}link").get("href")
    assert page.request.get(link).ok


def test_statistics_chart(page, live_url):
    rows = designations_per_month()
    months = month_range(rows[0]["month"], rows[-1]["month"])
    page.goto(live_url + "/statistics/")
    groups = page.locator("figure.chart svg g.month")
    assert groups.count() == len(months)
    assert groups.first.get_attribute("data-month") == f"{months[0]:%Y-%m}"
    assert page.locator("figure.chart > svg rect").count() == len(rows)
    legend = page.locator("figure.chart .legend span")
    assert legend.count() == len({row["legal_basis"] for row in rows})
    assert "7-FZ art. 32 (NGOs)" in legend.all_inner_texts()
    labels = page.locator("figure.chart svg text.axis-label").all_text_contents()
    assert labels == ["Month of listing", "Designations"]
    # Each month's stack adds up to that month's designations.
    busiest = max(months, key=lambda m: sum(r["count"] for r in rows if r["month"] == m))
    group = page.locator(f"g.month[data-month='{busiest:%Y-%m}']")
    titles = group.locator("rect title").all_text_contents()
    assert sum(int(t.split(": ")[1].split(" ·")[0]) for t in titles) == int(
        group.get_attribute("data-total")
    )
    page.click("details.chart-data summary")
    assert page.locator("table.chart-data tbody tr").count() == len({r["month"] for r in rows})

    page.select_option("select[name=register]", "undesirable")
    page.click("form.filters button")
    assert page.locator("figure.chart .legend span").count() == len(
        {row["legal_basis"] for row in designations_per_month("undesirable")}
    )


def test_russian_interface(page, live_url):
    page.goto(live_url + "/statistics/")
    page.click("form.language button[value=ru]")
    assert page.url.endswith("/ru/statistics/")
    nav = page.locator("header nav").inner_text().split()
    assert {"Реестры", "Изменения", "Статистика"} <= set(nav)
    assert "Документация API" in page.locator("header nav").inner_text()
    assert page.locator("h1").inner_text() == "Включения в реестры по месяцам и основаниям"
    assert "7-ФЗ, ст. 32 (НКО)" in page.locator("figure.chart .legend").inner_text()

    page.goto(live_url + "/ru/")
    # 1054 → "записи": Russian plural forms come from the catalogue.
    assert result_count(page) == f"{Designation.objects.count()} записи"
    assert page.locator("label", has_text="Основание").count() == 1

    page.click("form.language button[value=en]")
    page.wait_for_url(live_url + "/")
    assert page.locator("h1").inner_text().startswith("State registers")
