"""Staff pages: replies, exculpatory notes, corrections, submissions and outcomes by form."""

import pytest

from civwatch.accountability import workflow
from civwatch.accountability.models import Entry
from civwatch.entities.models import Entity
from tests.accountability_data import documented_official, entry_for
from tests.auth_helpers import sign_in
from tests.test_cases import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    carol, eddie = make_user("carol", "researcher"), make_user("eddie", "editor")
    entry = entry_for(documented_official(carol, eddie), carol)
    for to, user in [("documented", carol), ("verified", eddie), ("published", eddie)]:
        workflow.move(entry, to, user)
    return entry


def test_records_added_on_the_entry_page_go_into_the_history_and_the_dossier(client, entry):
    sign_in(client, Entry.objects.get().created_by)
    base = f"/accountability/staff/{entry.pk}"
    forms = {
        "add/reply": {"contacted_on": "2025-01-05", "channel": "letter to the court's address",
                      "answer": "No comment.", "answered_on": "2025-01-20"},
        "add/exculpatory": {"text": "He acquitted two protesters in 2021.", "source": "Court site"},
        "submissions": {"jurisdiction": "uk", "authority": "FCDO Sanctions Directorate",
                        "submitted_on": "2025-02-01", "reference": "GHR-7"},
    }  # fmt: skip
    for path, data in forms.items():
        assert client.post(f"{base}/{path}/", data).status_code == 302, path
    correction = {"note": "The sentence was two years, not three."}
    # A correction note is public at once: only an editor publishes one.
    assert client.post(f"{base}/add/correction/", correction).status_code == 403
    sign_in(client, Entry.objects.get().approved_by)
    assert client.post(f"{base}/add/correction/", correction).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "submitted"
    actions = [rev.action for rev in entry.history()][-5:]
    assert actions == ["right of reply recorded", "exculpatory information added",
                       "submission", "submitted", "correction published"]  # fmt: skip
    page = client.get(f"{base}/").content.decode()
    assert "He acquitted two protesters in 2021." in page and "FCDO Sanctions Directorate" in page

    sign_in(client, make_user("erin", "editor"))
    submission = entry.submissions.get()
    outcome = {f"s{submission.pk}-outcome": "designated", f"s{submission.pk}-decided_by": "FCDO",
               f"s{submission.pk}-decided_on": "2025-06-01"}  # fmt: skip
    assert (
        client.post(f"/accountability/staff/submissions/{submission.pk}/", outcome).status_code
        == 302
    )
    assert Entry.objects.get().status == "designated"

    public = client.get(f"/accountability/{entry.pk}/").content.decode()
    assert "The sentence was two years, not three." in public
    assert "acquitted" not in public and "FCDO" not in public


def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(client, entry):
    sign_in(client, Entry.objects.get().created_by)
    response = client.post(f"/accountability/staff/{entry.pk}/add/reply/", {"channel": "email"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not entry.replies.exists()
    assert client.post(f"/accountability/staff/{entry.pk}/add/nonsense/", {}).status_code == 404
    response = client.post("/accountability/staff/", {"pick": "no-such-person"})
    assert response.status_code == 400
    assert "Choose one of the people or organisations found." in response.content.decode()


def test_contributors_and_the_public_cannot_reach_staff_pages(client, entry):
    assert client.get("/accountability/staff/").status_code == 302  # to the login page
    sign_in(client, make_user("connie", "contributor"))
    assert client.get(f"/accountability/staff/{entry.pk}/").status_code == 403


def test_the_workspace_links_the_staff_list_for_those_who_may_open_it(client):
    link = 'href="/accountability/staff/"'
    sign_in(client, make_user("connie", "contributor"))
    assert link not in client.get("/cases/staff/").content.decode()
    sign_in(client, make_user("rita", "researcher"))
    assert link in client.get("/cases/staff/").content.decode()


def test_the_api_gives_the_public_list_and_a_researcher_more(client, entry):
    from civwatch.accounts.models import ApiToken

    candidate = Entry.objects.create(entity=Entity.objects.create(
        id="cw-cand", kind="person", name="Кандидатов"), internal_notes="from a tip")  # fmt: skip
    public = client.get("/api/accountability/entries").json()
    assert [e["name"] for e in public["results"]] == ["Подъячев Юрий Иванович"]
    assert "internal_notes" not in public["results"][0]
    assert client.get(f"/api/accountability/entries/{candidate.pk}").status_code == 404
    token = ApiToken.issue(make_user("rita", "researcher"))
    auth = {"Authorization": f"Bearer {token}"}
    seen = client.get(f"/api/accountability/entries/{candidate.pk}", headers=auth).json()
    assert seen["internal_notes"] == "from a tip"
    bad = client.get("/api/accountability/entries", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
