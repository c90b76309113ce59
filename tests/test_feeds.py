"""The Atom feed of the registers' changes for its readers (issue 14): an author, `published`
on the register's date, `updated` on the last change, a summary for every entry, and
conditional GET. Read on the bundled history."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils.http import http_date

from civwatch.registers.models import Change, Snapshot

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def history(full_history):
    """The module's imported history (read-only)."""


def feed(client, url: str = "/changes/feed.atom") -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314  (our own feed, not untrusted input)


def day_of(text: str) -> datetime.date:
    return datetime.datetime.fromisoformat(text).date()


def test_the_feed_has_an_author_and_is_updated_on_the_last_change(client, history):
    root = feed(client)
    assert root.find(f"{ATOM}author/{ATOM}name").text == "civwatch"
    changed = {c.snapshot.as_of for c in Change.objects.select_related("snapshot")}
    assert day_of(root.find(f"{ATOM}updated").text) == max(changed)


def test_each_entry_is_published_on_the_registers_date(client, history):
    entries = feed(client).findall(f"{ATOM}entry")
    assert len(entries) == min(50, Snapshot.objects.filter(status="applied").count()) > 20
    for entry in entries:
        pk = int(entry.find(f"{ATOM}link").get("href").rstrip("/").rsplit("/", 1)[1])
        snapshot = Snapshot.objects.get(pk=pk)
        assert day_of(entry.find(f"{ATOM}published").text) == snapshot.as_of
        assert day_of(entry.find(f"{ATOM}updated").text) == snapshot.as_of
        # The import time is not the register's: the bundled files were imported today.
        assert snapshot.imported_at.date() != snapshot.as_of


def test_an_entry_without_changes_says_so(client, history):
    quiet = Snapshot.objects.filter(status="applied", changes=None).order_by("-as_of")
    assert quiet.exists()  # the bundled history has snapshots that changed nothing
    # Reached in the feed by hiding the newer snapshots (this test's transaction only).
    Snapshot.objects.filter(as_of__gt=quiet[0].as_of).update(status="skipped")
    entry = feed(client).find(f"{ATOM}entry")
    assert "no changes" in entry.find(f"{ATOM}title").text
    summary = entry.find(f"{ATOM}summary").text
    assert f"{quiet[0].row_count} rows" in summary and quiet[0].as_of.isoformat() in summary


def test_conditional_get_answers_304_until_the_feed_changes(client, history):
    first = client.get("/changes/feed.atom")
    etag, modified = first["ETag"], first["Last-Modified"]
    newest = Snapshot.objects.order_by("-imported_at")[0].imported_at
    assert modified == http_date(newest.timestamp())
    assert client.get("/changes/feed.atom", headers={"if-none-match": etag}).status_code == 304
    since = client.get("/changes/feed.atom", headers={"if-modified-since": modified})
    assert since.status_code == 304 and since.content == b""
    # The Russian feed is another document: another ETag.
    assert client.get("/ru/changes/feed.atom")["ETag"] != etag
    Snapshot.objects.filter(pk=Snapshot.objects.order_by("-as_of")[0].pk).update(status="skipped")
    again = client.get("/changes/feed.atom", headers={"if-none-match": etag})
    assert again.status_code == 200 and again["ETag"] != etag


def test_each_entry_names_the_people_and_organisations_added_or_removed(client, history):
    """2024-10-01: six added, one removed, seven changed (the figures the issue quotes), each
    by name, as the register wrote it that day; no bare row numbers."""
    snapshot = Snapshot.objects.get(register="foreign-agents", file_name="registry-2024-10-01.json")
    url = snapshot.get_absolute_url()
    entries = feed(client).findall(f"{ATOM}entry")
    entry = next(e for e in entries if e.find(f"{ATOM}link").get("href").endswith(url))
    title = entry.find(f"{ATOM}title").text
    assert title.endswith("6 entries added, 1 entry removed, 7 entries changed"), title
    summary = ET.fromstring(f"<div>{entry.find(f'{ATOM}summary').text}</div>")  # noqa: S314
    items = ["".join(li.itertext()) for li in summary.iter("li")]
    changes = snapshot.changes.select_related("designation")
    assert len(items) == changes.count() == 14
    for change in changes:
        name = change.designation.record["name"]
        assert [item for item in items if item.startswith(name)], name
    assert not [item for item in items if re.search(r"#\d+", item)]
    removed = next(
        i for i in items if i.startswith(changes.get(kind="removed").designation.record["name"])
    )
    assert removed.endswith("(removal date added)")
    # In Russian, with Russian plurals.
    russian = feed(client, "/ru/changes/feed.atom").find(f"{ATOM}entry/{ATOM}title").text
    assert "добавлено 6 записей, исключена 1 запись, изменено 7 записей" in russian, russian
