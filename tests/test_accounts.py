"""Users, roles and API tokens: the CLI, hashed storage, and what each role may do in the API."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from civwatch.accounts.models import ApiToken, hash_token
from civwatch.cases.models import Incident
from tests.test_cases import make_incident, make_user

pytestmark = pytest.mark.django_db


def new_token(name: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("users", "token", name, stdout=out)
    return out.getvalue().strip()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_users_add_creates_a_user_with_the_role():
    call_command("users", "add", "rita", "--role", "researcher")
    user = get_user_model().objects.get(username="rita")
    assert list(user.groups.values_list("name", flat=True)) == ["researcher"]
    assert not user.is_superuser and user.is_staff


def test_users_add_refuses_an_unknown_role_and_a_duplicate():
    with pytest.raises(CommandError):
        call_command("users", "add", "x", "--role", "overlord")
    call_command("users", "add", "rita", "--role", "editor")
    with pytest.raises(CommandError, match="already exists"):
        call_command("users", "add", "rita", "--role", "editor")


def test_a_token_is_printed_once_and_stored_only_as_its_hash():
    call_command("users", "add", "rita", "--role", "researcher")
    token = new_token("rita")
    stored = ApiToken.objects.get()
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert ApiToken.user_for(token).username == "rita"
    assert new_token("rita") != token


def test_token_for_an_unknown_user_is_refused():
    with pytest.raises(CommandError, match="No user"):
        call_command("users", "token", "nobody")


@pytest.fixture
def internal_incident():
    author = make_user("carol", "contributor")
    return make_incident(author, title="Internal search record", visibility="internal")


def test_reading_internal_needs_a_researcher_token(client, internal_incident):
    url = f"/api/cases/incidents/{internal_incident.pk}"
    assert client.get(url).status_code == 404
    make_user("cora", "contributor")
    assert client.get(url, headers=bearer(new_token("cora"))).status_code == 404
    make_user("rita", "researcher")
    response = client.get(url, headers=bearer(new_token("rita")))
    assert response.status_code == 200
    assert response.json()["title"] == "Internal search record"


def test_a_bad_token_is_401_not_a_silent_public_view(client):
    response = client.get("/api/cases/incidents", headers=bearer("not-a-token"))
    assert response.status_code == 401


def test_writing_drafts_needs_a_contributor_and_publishing_an_editor(client):
    payload = {"incident_type": "search", "title": "Search of the office", "date": "2024-03-01"}
    post = lambda url, data, token=None: client.post(  # noqa: E731
        url, json.dumps(data), content_type="application/json",
        headers=bearer(token) if token else {},
    )  # fmt: skip
    assert post("/api/cases/incidents", payload).status_code == 401
    make_user("cora", "contributor")
    cora = new_token("cora")
    created = post("/api/cases/incidents", payload, cora)
    assert created.status_code == 201 and created.json()["status"] == "draft"
    incident_id = created.json()["id"]
    status = f"/api/cases/incidents/{incident_id}/status"
    assert post(status, {"to": "in_review"}, cora).status_code == 200
    # Her own record, but an editor's move: refused (403, the access policy) with the reason.
    refused = post(status, {"to": "verified"}, cora)
    assert refused.status_code == 403 and "editor" in refused.json()["detail"]
    make_user("eddie", "editor")
    eddie = new_token("eddie")
    assert post(status, {"to": "verified"}, eddie).status_code == 200
    assert post(status, {"to": "published"}, eddie).status_code == 200
    assert Incident.objects.get(pk=incident_id).status == "published"


@pytest.mark.parametrize(
    "payload",
    [
        {"incident_type": "no-such-type", "title": "x"},
        {"incident_type": "search", "title": ""},
        {"incident_type": "search", "title": "x", "date": "31.02.2024"},
        {"incident_type": "search", "title": "x", "visibility": "everyone"},
        {"title": "x"},
    ],
)
def test_bad_input_is_4xx_never_500(client, payload):
    make_user("cora", "contributor")
    response = client.post(
        "/api/cases/incidents",
        json.dumps(payload),
        content_type="application/json",
        headers=bearer(new_token("cora")),
    )
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "url",
    [
        "/api/cases/incidents?limit=0",
        "/api/cases/incidents?year=abc",
        "/api/cases/incidents/999999",
        "/api/cases/cases/abc",
        "/api/cases/evidence?offset=-1",
    ],
)
def test_bad_parameters_are_4xx(client, url):
    assert 400 <= client.get(url).status_code < 500
