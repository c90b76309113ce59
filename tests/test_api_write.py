"""The write API: each endpoint as the right role, without a token, on a target the caller
may not read, and with bad bodies; each answers with the record as the caller may see it."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civwatch.accounts.models import ApiToken
from civwatch.cases.models import Case, Incident, Participant
from civwatch.core.records import Revision
from civwatch.entities.models import Entity
from civwatch.evidence.ingest import read_original
from civwatch.evidence.models import Claim, CustodyEvent, EvidenceItem
from tests.auth_helpers import sign_in
from tests.test_cases import make_incident, make_user, quote
from tests.test_evidence import PDF

pytestmark = pytest.mark.django_db

FULL_DISK = "tests.test_evidence_storage.FullDiskStorage"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def people():
    users = {
        "carol": make_user("carol", "contributor"),
        "cora": make_user("cora", "contributor"),
        "rita": make_user("rita", "researcher"),
        "eddie": make_user("eddie", "editor"),
    }
    return {name: (user, ApiToken.issue(user)) for name, user in users.items()}


class Api:
    def __init__(self, client):
        self.client = client

    def send(self, method: str, url: str, body=None, token: str | None = None, **extra):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if body is not None and "content_type" not in extra:
            extra = {"data": json.dumps(body), "content_type": "application/json", **extra}
        return getattr(self.client, method)(url, headers=headers, **extra)

    def post(self, url, body=None, token=None, **extra):
        return self.send("post", url, body, token, **extra)

    def patch(self, url, body=None, token=None, **extra):
        return self.send("patch", url, body, token, **extra)


@pytest.fixture
def api(client):
    return Api(client)


def token_of(people, name: str) -> str:
    return people[name][1]


@pytest.fixture
def confidential(people):
    """An incident only editors (and its author, carol) may read."""
    return make_incident(people["carol"][0], title="Confidential search", visibility="confidential")


@pytest.fixture
def mine(people):
    """cora's own internal draft incident."""
    return make_incident(people["cora"][0], title="Cora's draft", visibility="internal")


# -- POST /api/cases/cases ----------------------------------------------------------------


CASE = {"title": "Case of the office", "kind": "criminal", "opened_on": "2024-01-10"}


def test_create_case(api, people):
    response = api.post("/api/cases/cases", CASE, token_of(people, "cora"))
    assert response.status_code == 201
    data = response.json()
    assert (data["title"], data["status"], data["kind_label"]) == (
        "Case of the office",
        "draft",
        "criminal",
    )
    case = Case.objects.get(pk=data["id"])
    assert case.created_by == people["cora"][0] and case.history().count() == 1


def test_create_case_without_a_token_or_with_a_session_only_is_401(api, client, people):
    assert api.post("/api/cases/cases", CASE).status_code == 401
    sign_in(client, people["eddie"][0])  # a session cookie is not a token (no CSRF check)
    assert api.post("/api/cases/cases", CASE).status_code == 401
    assert api.post("/api/cases/cases", CASE, "not-a-token").status_code == 401
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "criminal"},
        {"title": "x", "kind": "martial"},
        {"title": "x", "kind": "civil", "opened_on": "2024-02-01", "closed_on": "2024-01-01"},
        {"title": "x", "kind": "civil", "field_visibility": {"internal_notes": "public"}},
        {"title": "x", "kind": "civil", "field_visibility": {"court": "secret"}},
        {"title": "x", "kind": "civil", "status": "published"},
    ],
)
def test_create_case_bad_bodies_are_422(api, people, body):
    assert api.post("/api/cases/cases", body, token_of(people, "cora")).status_code == 422
    assert not Case.objects.exists()


# -- POST /api/cases/incidents ------------------------------------------------------------


def test_create_incident_in_a_case_the_caller_may_read(api, people):
    case = api.post("/api/cases/cases", CASE, token_of(people, "cora")).json()
    body = {"incident_type": "search", "title": "Search", "date": "2024-03-01", "case": case["id"]}
    response = api.post("/api/cases/incidents", body, token_of(people, "cora"))
    assert response.status_code == 201
    assert (response.json()["case"], response.json()["incident_type"]["name"]) == (
        case["id"],
        "Search or raid",
    )


def test_create_incident_auth_and_unreadable_case(api, people, confidential):
    body = {"incident_type": "search", "title": "Search"}
    assert api.post("/api/cases/incidents", body).status_code == 401
    secret_case = Case(title="Secret case", kind="criminal", visibility="confidential")
    secret_case.created_by = people["carol"][0]
    secret_case.save_with_history(people["carol"][0])
    # A case cora may not read is refused like a missing one.
    for case_id in (secret_case.pk, 999999):
        response = api.post(
            "/api/cases/incidents", {**body, "case": case_id}, token_of(people, "cora")
        )
        assert response.status_code == 422 and "No case with this id." in response.text
    assert not Incident.objects.exclude(pk=confidential.pk).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"incident_type": "no-such-type", "title": "x"},
        {"incident_type": "search", "title": ""},
        {"incident_type": "search", "title": "x", "people_count": -1},
        {"incident_type": "search", "title": "x", "date_precision": "week"},
        {"incident_type": "search", "title": "x", "field_visibility": {"title": "hidden"}},
        {"incident_type": "search", "title": "x", "created_by": 1},
    ],
)
def test_create_incident_bad_bodies_are_422(api, people, body):
    assert api.post("/api/cases/incidents", body, token_of(people, "cora")).status_code == 422


# -- PATCH /api/cases/incidents/{id} ------------------------------------------------------


def test_patch_incident_by_its_author_changes_only_the_given_fields(api, people, mine):
    url = f"/api/cases/incidents/{mine.pk}"
    body = {"place": "Moscow", "field_visibility": {"place": "confidential"}}
    response = api.patch(url, body, token_of(people, "cora"))
    assert response.status_code == 200
    data = response.json()
    assert (data["place"], data["title"], data["date"]) == ("Moscow", "Cora's draft", "2024-03-01")
    mine.refresh_from_db()
    assert mine.field_visibility == {"place": "confidential"}
    assert mine.history().last().changes["place"] == ["", "Moscow"]


def test_patch_of_a_published_incident_goes_through_its_normal_save(api, people):
    author, editor = people["carol"][0], people["eddie"][0]
    incident = make_incident(author, title="Published search", visibility="public")
    Incident.objects.filter(pk=incident.pk).update(status="published", approved_by=editor)
    before = Revision.objects.count()
    response = api.patch(
        f"/api/cases/incidents/{incident.pk}", {"title": "Edited"}, token_of(people, "eddie")
    )
    assert response.status_code == 200
    revision = Revision.objects.order_by("pk").last()
    assert Revision.objects.count() == before + 1 and revision.user == editor
    assert revision.object_id == str(incident.pk)


def test_patch_auth_unreadable_forbidden_and_bad_bodies(api, people, mine, confidential):
    url = f"/api/cases/incidents/{mine.pk}"
    assert api.patch(url, {"title": "x"}).status_code == 401
    # carol cannot read cora's internal draft: 404, as for a missing incident.
    assert api.patch(url, {"title": "x"}, token_of(people, "carol")).status_code == 404
    assert api.patch("/api/cases/incidents/999999", {}, token_of(people, "cora")).status_code == 404
    secret = f"/api/cases/incidents/{confidential.pk}"
    assert api.patch(secret, {"title": "x"}, token_of(people, "rita")).status_code == 404
    # rita reads cora's internal draft but is neither its author nor an editor.
    assert api.patch(url, {"title": "x"}, token_of(people, "rita")).status_code == 403
    for body in ({"title": None}, {"title": ""}, {"visibility": "everyone"}, {"bogus": 1}):
        assert api.patch(url, body, token_of(people, "cora")).status_code == 422
    mine.refresh_from_db()
    assert mine.title == "Cora's draft"


# -- POST /api/cases/incidents/{id}/participants ------------------------------------------


def test_add_a_new_person_and_a_known_entity(api, people, mine):
    url = f"/api/cases/incidents/{mine.pk}/participants"
    body = {"name": "Иван Петров", "schema": "Person", "role": "victim", "visibility": "internal"}
    response = api.post(url, body, token_of(people, "cora"))
    assert response.status_code == 201
    data = response.json()
    assert (data["role"], data["entity"]["name"], data["status"]) == (
        "victim",
        "Иван Петров",
        "draft",
    )
    entity = Entity.objects.get(pk=data["entity"]["id"])
    assert entity.kind == "person"
    second = api.post(
        url,
        {"entity_id": entity.pk, "role": "witness", "degree": "", "visibility": "internal"},
        token_of(people, "cora"),
    )
    assert second.status_code == 201 and second.json()["entity"]["id"] == entity.pk
    organisation = api.post(
        url,
        {
            "name": "ОВД Тверской",
            "schema": "Organization",
            "role": "attacker",
            "degree": "committed",
        },
        token_of(people, "cora"),
    )
    assert organisation.status_code == 201
    assert organisation.json()["involvement"] == "committed"
    assert Participant.objects.filter(incident=mine).count() == 3


def test_participants_auth_unreadable_targets_and_bad_bodies(api, people, mine, confidential):
    body = {"name": "Someone", "schema": "Person", "role": "victim"}
    url = f"/api/cases/incidents/{mine.pk}/participants"
    assert api.post(url, body).status_code == 401
    secret = f"/api/cases/incidents/{confidential.pk}/participants"
    assert api.post(secret, body, token_of(people, "cora")).status_code == 404
    # An entity known only from a confidential participation is unknown to cora.
    hidden = Entity.objects.create(id="cw-hidden", kind="person", name="Hidden victim")
    Participant(
        incident=confidential, entity=hidden, role="victim", visibility="confidential"
    ).save_with_history(people["carol"][0])
    refused = api.post(url, {"entity_id": "cw-hidden", "role": "victim"}, token_of(people, "cora"))
    assert refused.status_code == 422 and "No entity with this id." in refused.text
    for bad in (
        {"schema": "Person", "role": "victim"},
        {"name": "X", "schema": "Vessel", "role": "victim"},
        {"name": "X", "role": "bystander"},
        {"name": "X", "role": "victim", "degree": "a lot"},
        {"name": "X", "role": "victim", "visibility": "secret"},
        {"entity_id": "no-such-entity", "role": "victim"},
    ):
        assert api.post(url, bad, token_of(people, "cora")).status_code == 422, bad
    assert not Participant.objects.filter(incident=mine).exists()


# -- POST /api/cases/incidents/{id}/evidence ----------------------------------------------


QUOTE = {
    "kind": "quote",
    "title": "Report by Mediazona",
    "source": "Mediazona",
    "quoted_text": "The police entered the office.",
    "obtained_how": "copied from the publication",
    "obtained_on": "2024-03-02",
    "visibility": "public",
}
FILE_FIELDS = {
    "title": "Court decision",
    "source": "Tverskoy court",
    "obtained_how": "from the lawyer",
    "obtained_on": "2024-05-01",
    "visibility": "internal",
}


def test_add_a_quote_and_a_web_page_as_json(api, people, mine):
    url = f"/api/cases/incidents/{mine.pk}/evidence"
    response = api.post(url, QUOTE, token_of(people, "cora"))
    assert response.status_code == 201
    data = response.json()
    assert (data["kind"], data["quoted_text"], data["visibility"], data["incident"]) == (
        "quote",
        QUOTE["quoted_text"],
        "public",
        mine.pk,
    )
    page = {**QUOTE, "kind": "web_page", "quoted_text": "", "url": "https://example.org/a"}
    assert api.post(url, page, token_of(people, "cora")).status_code == 201
    assert EvidenceItem.objects.filter(incident=mine).count() == 2


def test_upload_a_file_as_multipart(api, people, mine):
    url = f"/api/cases/incidents/{mine.pk}/evidence"
    response = api.post(
        url,
        token=token_of(people, "cora"),
        # Empty form fields mean "not given".
        data={**FILE_FIELDS, "published_on": "", "file": SimpleUploadedFile("decision.pdf", PDF)},
    )
    assert response.status_code == 201
    data = response.json()
    assert (data["kind"], data["media_type"], data["original_name"]) == (
        "file",
        "application/pdf",
        "decision.pdf",
    )
    assert read_original(EvidenceItem.objects.get(pk=data["id"])) == PDF


def test_evidence_auth_unreadable_targets_and_bad_bodies(api, people, mine, confidential):
    url = f"/api/cases/incidents/{mine.pk}/evidence"
    assert api.post(url, QUOTE).status_code == 401
    secret = f"/api/cases/incidents/{confidential.pk}/evidence"
    assert api.post(secret, QUOTE, token_of(people, "cora")).status_code == 404
    for bad in (
        {**QUOTE, "quoted_text": ""},
        {**QUOTE, "kind": "web_page", "url": ""},
        {**QUOTE, "kind": "file"},
        {**QUOTE, "obtained_on": "yesterday"},
        {**QUOTE, "reliability": "Z"},
        {**QUOTE, "sha256": "0" * 64},
    ):
        assert api.post(url, bad, token_of(people, "cora")).status_code == 422, bad
    not_json = api.post(
        url, token=token_of(people, "cora"), data="{", content_type="application/json"
    )
    assert not_json.status_code == 422
    files = [
        ("virus.exe", b"MZ\x90\x00binary"),
        ("decision.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n"),
        ("empty.txt", b""),
    ]
    for name, content in files:
        response = api.post(
            url,
            token=token_of(people, "cora"),
            data={**FILE_FIELDS, "file": SimpleUploadedFile(name, content)},
        )
        assert response.status_code == 422, name
    no_file = api.post(url, token=token_of(people, "cora"), data=FILE_FIELDS)
    assert no_file.status_code == 422
    text = api.post(url, token=token_of(people, "cora"), data="x", content_type="text/plain")
    assert text.status_code == 415
    assert not EvidenceItem.objects.exists() and not CustodyEvent.objects.exists()


def test_a_full_disk_during_an_api_upload_is_507_and_keeps_nothing(
    api, people, mine, settings, media
):
    settings.CIVWATCH_EVIDENCE_STORAGE = FULL_DISK
    url = f"/api/cases/incidents/{mine.pk}/evidence"
    big = b"%PDF-1.4\n" + b"0" * 5000 + b"\n%%EOF\n"
    send = lambda: api.post(  # noqa: E731
        url,
        token=token_of(people, "cora"),
        data={**FILE_FIELDS, "file": SimpleUploadedFile("decision.pdf", big)},
    )
    response = send()
    assert response.status_code == 507 and "disk is full" in response.json()["detail"]
    assert not EvidenceItem.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]
    settings.CIVWATCH_EVIDENCE_STORAGE = "civwatch.evidence.storage.EvidenceStorage"
    assert send().status_code == 201


# -- POST /api/cases/incidents/{id}/claims ------------------------------------------------


def test_add_a_claim_citing_evidence(api, people, mine):
    cora = people["cora"][0]
    items = [quote(cora, mine, "Mediazona"), quote(cora, mine, "OVD-Info")]
    participant = api.post(
        f"/api/cases/incidents/{mine.pk}/participants",
        {"name": "Иван Петров", "role": "victim"},
        token_of(people, "cora"),
    ).json()
    body = {
        "statement": "Ivan Petrov's flat was searched.",
        "participant": participant["id"],
        "citations": [
            {"evidence": items[0].pk, "passage": "The police entered"},
            {"evidence": items[1].pk, "passage": "the office"},
        ],
    }
    response = api.post(f"/api/cases/incidents/{mine.pk}/claims", body, token_of(people, "cora"))
    assert response.status_code == 201
    data = response.json()
    assert (data["statement"], data["participant"], data["status"]) == (
        body["statement"],
        participant["id"],
        "draft",
    )
    assert data["citations"] == [
        {"evidence": items[0].pk, "passage": "The police entered"},
        {"evidence": items[1].pk, "passage": "the office"},
    ]


def test_claims_auth_unreadable_targets_and_bad_bodies(api, people, mine, confidential):
    cora, carol = people["cora"][0], people["carol"][0]
    item = quote(cora, mine, "Mediazona")
    secret_item = quote(carol, confidential, "Secret source")
    EvidenceItem.objects.filter(pk=secret_item.pk).update(visibility="confidential")
    body = {"statement": "A claim", "citations": [{"evidence": item.pk, "passage": "police"}]}
    url = f"/api/cases/incidents/{mine.pk}/claims"
    assert api.post(url, body).status_code == 401
    secret = f"/api/cases/incidents/{confidential.pk}/claims"
    assert api.post(secret, body, token_of(people, "cora")).status_code == 404
    # Move the confidential item onto cora's incident: still unreadable to her.
    EvidenceItem.objects.filter(pk=secret_item.pk).update(incident=mine)
    hidden_citation = {**body, "citations": [{"evidence": secret_item.pk, "passage": "x"}]}
    for bad in (
        hidden_citation,
        {**body, "citations": []},
        {**body, "citations": [{"evidence": 999999, "passage": "x"}]},
        {**body, "citations": [{"evidence": item.pk, "passage": ""}]},
        {**body, "citations": [{"evidence": item.pk, "passage": "a"}] * 2},
        {**body, "statement": ""},
        {**body, "participant": 999999},
        {**body, "visibility": "everyone"},
    ):
        assert api.post(url, bad, token_of(people, "cora")).status_code == 422, bad
    assert not Claim.objects.exists()


# -- status moves -------------------------------------------------------------------------


def test_status_moves_answer_with_the_record_and_hide_unreadable_targets(api, people, mine):
    url = f"/api/cases/incidents/{mine.pk}/status"
    assert api.post(url, {"to": "in_review"}).status_code == 401
    assert api.post(url, {"to": "in_review"}, token_of(people, "carol")).status_code == 404
    assert api.post(url, {"to": "limbo"}, token_of(people, "cora")).status_code == 422
    response = api.post(url, {"to": "in_review"}, token_of(people, "cora"))
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["title"]) == ("in_review", "Cora's draft")
    # Verifying is an editor's move: refused before it is tried, with the reason.
    assert api.post(url, {"to": "verified"}, token_of(people, "cora")).status_code == 403

    cora = people["cora"][0]
    items = [quote(cora, mine, "Mediazona"), quote(cora, mine, "OVD-Info")]
    claim = api.post(
        f"/api/cases/incidents/{mine.pk}/claims",
        {"statement": "S", "citations": [{"evidence": i.pk, "passage": "p"} for i in items]},
        token_of(people, "cora"),
    ).json()
    claim_url = f"/api/cases/claims/{claim['id']}/status"
    assert api.post(claim_url, {"to": "in_review"}, token_of(people, "carol")).status_code == 404
    moved = api.post(claim_url, {"to": "in_review"}, token_of(people, "cora"))
    assert moved.status_code == 200 and moved.json()["citations"][0]["passage"] == "p"


# -- the OpenAPI document ------------------------------------------------------------------


def test_the_openapi_document_types_every_write(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    writes = {
        ("/api/cases/cases", "post"): "CaseIn",
        ("/api/cases/incidents", "post"): "IncidentIn",
        ("/api/cases/incidents/{incident_id}", "patch"): "IncidentPatch",
        ("/api/cases/incidents/{incident_id}/participants", "post"): "ParticipantIn",
        ("/api/cases/incidents/{incident_id}/claims", "post"): "ClaimIn",
    }
    for (path, method), name in writes.items():
        operation = paths[path][method]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{name}"}
        assert operation["security"] == [{"TokenAuth": []}]
        answer = next(iter(operation["responses"].values()))
        assert answer["content"]["application/json"]["schema"]["$ref"].endswith("Out")
    evidence = paths["/api/cases/incidents/{incident_id}/evidence"]["post"]["requestBody"]
    assert set(evidence["content"]) == {"application/json", "multipart/form-data"}
    participant = schema["components"]["schemas"]["ParticipantIn"]["properties"]
    assert {"name", "schema", "entity_id", "role", "degree", "visibility"} <= set(participant)
