"""What a staff page's queries grow with.

A staff page goes through the access policy for every record and field it shows, and a
lookup made per record (the reader's role, a record's author, a pending change, a history,
an audit event per confidential read) had multiplied an incident page's queries by three.
Each test counts a page's queries, adds rows of every kind the page lists, by other authors,
some confidential, and counts again. Participants, evidence items, positions and the staff
home's and review queue's records cost no query each; what is still paid per row is named
in PER_ROW (a claim: whether the reader may move it, its pending change; an act: its claims,
victims and sources), so that a new per-row lookup fails here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civwatch.accounts import permissions
from civwatch.cases.participants import add_participant
from civwatch.evidence.ingest import add_claim
from civwatch.evidence.models import Claim
from tests.accountability_data import documented_official, entry_for
from tests.auth_helpers import sign_in
from tests.test_cases import make_incident, make_user, quote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# Queries still made per row shown, by kind of row.
PER_ROW = {"claim": 2, "act": 5}


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def more_rows(incident, authors, n: int) -> None:
    """n participants, evidence items and claims per author, every other one confidential."""
    for author in authors:
        for i in range(n):
            visibility = "confidential" if i % 2 else "internal"
            add_participant(incident=incident, user=author, role="witness", visibility=visibility,
                            name=f"Witness {author.username} {i}")  # fmt: skip
            item = quote(author, incident, f"Source {author.username} {i}")
            add_claim(incident=incident, statement=f"Claim {author.username} {i}", author=author,
                      citations=[(item, "The police entered")], visibility=visibility)  # fmt: skip


@pytest.mark.parametrize("reader", ["editor", "researcher"])
def test_an_incident_page_makes_no_query_per_participant_item_or_claim(client, reader):
    users = {role: make_user(role, role) for role in ("contributor", "researcher", "editor")}
    incident = make_incident(users["editor"], place="Tver")
    incident.field_visibility = {"place": "confidential"}
    incident.save_with_history(users["editor"])
    # The reader's own confidential claim: the first count already logs a confidential read.
    more_rows(incident, list({users["editor"], users[reader]}), 2)
    sign_in(client, users[reader])
    url = f"/cases/staff/incidents/{incident.pk}/"
    queries(client, url)  # caches filled (content types, translations)
    few = queries(client, url)
    claims = permissions.readable(users[reader], Claim.objects.all()).count()
    more_rows(incident, users.values(), 3)
    claims = permissions.readable(users[reader], Claim.objects.all()).count() - claims
    assert claims >= 5  # the reader sees some of the new rows, not all
    assert queries(client, url) <= few + PER_ROW["claim"] * claims


def test_an_accountability_entry_page_makes_no_query_per_act_or_position(client):
    author, editor = make_user("rita", "researcher"), make_user("eddie", "editor")
    official = documented_official(author, editor)
    entry = entry_for(official, author)
    sign_in(client, editor)
    url = f"/accountability/staff/{entry.pk}/"
    queries(client, url)
    few = queries(client, url)
    for i in range(3):
        incident = make_incident(author, title=f"Verdict {i}", visibility="public")
        participant = add_participant(incident=incident, user=author, role="judge",
                                      visibility="public", entity=official["judge"])  # fmt: skip
        entry.acts.create(participant=participant, created_by=author)
        official["position"].pk = None
        official["position"].post = f"Judge {i}"
        official["position"].save()
    assert queries(client, url) <= few + PER_ROW["act"] * 3


def test_the_staff_home_and_review_queue_make_no_query_per_record(client):
    users = {role: make_user(role, role) for role in ("contributor", "researcher", "editor")}
    sign_in(client, users["editor"])
    make_incident(users["researcher"], title="First").save_with_history(users["researcher"])
    counts = {url: (queries(client, url), queries(client, url))[1]
              for url in ("/accounts/", "/cases/staff/review/")}  # fmt: skip
    for i in range(4):
        for author in users.values():
            incident = make_incident(author, title=f"Incident {i}", status="in_review")
            incident.save_with_history(author)
    for url, few in counts.items():
        assert queries(client, url) == few, url
