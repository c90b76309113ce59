"""Public pages say what they know (issue 11, item 8): a change reads in words for people in
English and Russian, a list of links is shown whole, the importer's notes are for staff only,
every list page gives the date of its data and its source, and the footer names the sources
of the page it is on. Read on the bundled snapshots (and one derived from the first)."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from civwatch.accountability.models import Entry
from civwatch.registers.models import Change, Snapshot
from civwatch.sanctions.models import Dataset
from tests.accountability_data import documented_official, entry_for
from tests.auth_helpers import sign_in
from tests.conftest import FOREIGN_AGENTS, REPO
from tests.test_accountability import publish
from tests.test_cases import make_user

pytestmark = pytest.mark.django_db
FIRST = REPO / "tests" / "data" / "registry-2023-09-29.csv"
EU_SAMPLE = REPO / "tests" / "data" / "sanctions" / "eu-fsf-sample.xml"
# The raw names of the row fields, as the importer stores them (never shown to the public).
RAW_FIELDS = ("removed_on", "listed_on", "resources", "row_id", "in_register", "suspect")
MINISTRY = ("Ministry of Justice", "Министерство юстиции")


def main(response) -> str:
    """The page's content without the header and footer (the menu has words of its own)."""
    assert response.status_code == 200
    return re.search(r"<main>(.*)</main>", response.content.decode(), re.S).group(1)


def footer(response) -> str:
    return re.search(r"<footer.*?</footer>", response.content.decode(), re.S).group(0)


def as_of_dates(response) -> list[str]:
    """The dates of the page's "data as of" list, as its <time> elements give them."""
    block = re.search(r'<ul class="data-as-of">(.*?)</ul>', response.content.decode(), re.S)
    assert block, "the page says nothing about the date of its data"
    return re.findall(r'<time class="as-of" datetime="([\d-]+)">', block.group(1))


def import_snapshots(*paths: Path) -> None:
    call_command("import", "foreign-agents", *map(str, paths), "--suspect", "keep-previous",
                 stdout=io.StringIO())  # fmt: skip


@pytest.fixture
def corrected(tmp_path) -> Change:
    """The first bundled snapshot, then the same table a week later in which the Ministry
    corrected the removal date of row 1 (05.07.2023 → 12.07.2023)."""
    rows = list(csv.reader(FIRST.open(encoding="utf-8", newline="")))
    header = rows[0]
    row = next(r for r in rows if r[0] == "1")
    assert row[header.index("dateOut")] == "05.07.2023"
    row[header.index("dateOut")] = "12.07.2023"
    later = tmp_path / "registry-2023-10-07.csv"
    with later.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    import_snapshots(FIRST, later)
    return Change.objects.get(snapshot__as_of=datetime.date(2023, 10, 7))


def test_a_removal_date_correction_reads_in_words_in_english_and_russian(client, corrected):
    assert corrected.fields == {"removed_on": ["2023-07-05", "2023-07-12"]}
    # Addresses first: a /ru/ request leaves Russian active, and reverse() would then add /ru.
    url, entity_url = (
        corrected.snapshot.get_absolute_url(),
        corrected.designation.entity.get_absolute_url(),
    )
    english = main(client.get(url))
    assert "removal date corrected" in english
    assert "2023-07-05" in english and "2023-07-12" in english
    russian = main(client.get("/ru" + url))
    assert "исправлено: дата исключения" in russian
    for page in (english, russian):
        assert not [name for name in RAW_FIELDS if name in page], page
    # The entity's timeline says it in the same words (the one description of a change).
    timeline = client.get("/ru" + entity_url)
    assert "исправлено: дата исключения" in main(timeline)
    api = client.get(f"/api/entities/{corrected.designation.entity_id}/timeline").json()
    changes = [c for item in api for c in item["changes"]]
    assert changes == [{"field": "removed_on", "label": "removal date",
                        "summary": "removal date corrected", "before": "2023-07-05",
                        "after": "2023-07-12", "added": [], "removed": []}]  # fmt: skip


def test_a_long_link_change_shows_every_link_added_and_removed(client):
    """OVD-Info's websites between 2024-05-02 and 2024-05-03: eight added, three removed."""
    import_snapshots(*(p for p in FOREIGN_AGENTS if p.stem in ("registry-2024-05-02",
                                                               "registry-2024-05-03")))  # fmt: skip
    change = Change.objects.get(snapshot__as_of="2024-05-03", fields__has_key="resources",
                                designation__row_id="263")  # fmt: skip
    before, after = change.fields["resources"]
    added = [url for url in after if url not in before]
    removed = [url for url in before if url not in after]
    assert (len(added), len(removed)) == (8, 3)
    assert max(map(len, added)) > 100  # the donation link, cut before at 200 characters a line
    for url, kind in [(change.snapshot.get_absolute_url(), "websites"),
                      ("/ru" + change.snapshot.get_absolute_url(), "сайтов")]:  # fmt: skip
        page = main(client.get(url))
        row = re.search(r'<a href="/(?:ru/)?entities/fa-263/">.*?</tr>', page, re.S).group(0)
        assert "…" not in row
        shown = re.findall(r"<ins>.*?</span>(.*?)</ins>", row)
        gone = re.findall(r"<del>.*?</span>(.*?)</del>", row)
        assert [s.replace("&amp;", "&") for s in shown] == added and gone == removed
        assert kind in row  # "8 websites added, 3 websites removed" / "добавлено 8 сайтов…"


def test_importer_notes_are_for_staff_only(client):
    """The snapshot of 2024-06-01 would have reinstated all 202 removed designations at once:
    the importer kept the previous removal dates and noted why. Staff read that; the public
    reads the changes."""
    import_snapshots(*(p for p in FOREIGN_AGENTS if p.stem in ("registry-2024-05-07",
                                                               "registry-2024-06-01")))  # fmt: skip
    suspect = Snapshot.objects.get(as_of="2024-06-01")
    assert "202 of 202" in suspect.report["suspicions"]["removed_on"]
    pages = ("/changes/", suspect.get_absolute_url(), "/ru/changes/",
             "/ru" + suspect.get_absolute_url(), "/api/snapshots")  # fmt: skip
    for url in pages:
        body = client.get(url).content.decode()
        assert "202 of 202" not in body and "previous values kept" not in body, url
        assert "suspect" not in body, url
    assert all(s["report"] == {} for s in client.get("/api/snapshots").json())

    sign_in(client, make_user("carol", "contributor"))
    for url in pages:
        assert "202 of 202" in client.get(url).content.decode(), url


def test_each_register_list_page_shows_the_date_of_its_data_and_its_publisher(client, corrected):
    newest = str(Snapshot.objects.latest("as_of").as_of)
    assert newest == "2023-10-07"
    snapshot = corrected.snapshot.get_absolute_url()
    for url in ("/", "/?register=foreign-agents", "/changes/", "/ru/changes/", snapshot):
        response = client.get(url)
        if url != snapshot:  # a snapshot is its own date
            assert as_of_dates(response) == [newest], url
        assert "minjust.gov.ru/ru/pages/reestr-inostryannykh-agentov/" in footer(response), url
    # No other register was imported: no page names it as a source.
    assert "documents/7756" not in client.get("/").content.decode()
    assert "data-as-of" not in client.get("/?register=undesirable").content.decode()


def test_the_sanctions_pages_give_the_lists_date_and_never_name_the_ministry(client):
    call_command("import", "eu-fsf", str(EU_SAMPLE), stdout=io.StringIO())
    dataset = Dataset.objects.get(slug="eu-fsf")
    version = dataset.latest_version
    day = str(version.source_date or version.imported_at.date())
    for url in ("/sanctions/", "/ru/sanctions/", dataset.get_absolute_url(),
                "/ru" + dataset.get_absolute_url(), version.get_absolute_url()):  # fmt: skip
        response = client.get(url)
        if "versions" not in url:
            assert as_of_dates(response) == [day], url
        assert dataset.publisher in footer(response), url
        assert not [name for name in MINISTRY if name in footer(response)], url


def test_the_accountability_list_is_as_of_its_latest_publication(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    carol, eddie = make_user("carol", "researcher"), make_user("eddie", "editor")
    entry = entry_for(documented_official(carol, eddie), carol)
    publish(entry, carol, eddie)
    published = entry.history().get(action="published").at.date()
    response = client.get("/accountability/")
    assert as_of_dates(response)[0] == str(published)
    assert "Accountability list" in footer(response)
    assert not [name for name in MINISTRY if name in footer(response)]
    assert Entry.objects.filter(status="published").count() == 1


def test_the_releases_page_is_as_of_the_data_of_its_newest_release(
    client, corrected, settings, tmp_path
):
    settings.CIVWATCH_RELEASES = tmp_path / "releases"
    call_command("publish", "--output", str(settings.CIVWATCH_RELEASES), stdout=io.StringIO())
    dates = as_of_dates(client.get("/releases/"))
    # The newest release's data (its last register change), then the registers it holds.
    assert dates[0] == str(corrected.snapshot.as_of) == "2023-10-07"
