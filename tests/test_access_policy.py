"""The access policy, as a specification: what each role reads behind login, and may write.

Reading. Records of every kind are filled with markers naming the least role that may read
them: `ZZINTERNAL` (researchers and above) and `ZZCONFIDENTIAL` (editors and above), at record
level (an internal or confidential record, or somebody else's unpublished one) and at field
level (a public record with a field restricted). Most are written by another user, an editor.
A contributor and a researcher then crawl every staff page and the API: every route of the
URLconf with every record id, and every link found on the pages fetched. No response may
contain a marker above the role's level. The same crawl as an editor finds both markers, so
the crawl reaches them and the test can fail; a contributor's own and assigned records and a
researcher's internal ones are found as well.

Writing. An access matrix tries every write (staff forms, API status moves) as the public, a
contributor (on somebody else's record and on her own), a researcher and an editor, against
public, internal and confidential targets: a target the actor may not read is a 404, exactly
like a missing one; a readable target the actor may not change is a 403; otherwise the write
succeeds. A refused write leaves the database as it was.
"""

import datetime
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from civwatch.accountability.models import Entry, Exculpatory, ReplyRecord, Submission
from civwatch.accounts import permissions
from civwatch.accounts.models import ApiToken
from civwatch.cases.models import Case, Incident, IncidentType, Participant, Position
from civwatch.core.records import Revision
from civwatch.entities.models import Entity
from civwatch.evidence.models import Citation, Claim, EvidenceItem
from civwatch.intake.models import Article, ArticleMention
from civwatch.sanctions.models import Dataset, Link, ListEntry
from tests.auth_helpers import sign_in
from tests.conftest import ids_continue_from_the_highest_row
from tests.test_cases import make_user
from tests.test_visibility import expand, path_candidates, routes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ids_from_one(db):
    """Before any record is made: ids as SQLite gives them (conftest explains why)."""
    ids_continue_from_the_highest_row()


INTERNAL, CONFIDENTIAL = "ZZINTERNAL", "ZZCONFIDENTIAL"
# What each role must never receive.
FORBIDDEN = {
    "contributor": (INTERNAL, CONFIDENTIAL),
    "researcher": (CONFIDENTIAL,),
    "editor": (),
}
DAY = datetime.date(2024, 3, 1)
# People forced abroad (civwatch.exiles): need-to-know, so no role reads a file it was not
# assigned, the editor included; only its caseworker (and admins) do.
EXILE = "ZZEXILE"
FORBIDDEN = {role: (*markers, EXILE) for role, markers in FORBIDDEN.items()}


def m(level: str, what: str) -> str:
    return f"{level}-{what}"


@pytest.fixture
def world(settings, tmp_path):
    """Records of every kind, most of them an editor's, with markers at each level."""
    settings.MEDIA_ROOT = tmp_path
    eddie = make_user("eddie", "editor")
    carol = make_user("carol", "contributor")
    rita = make_user("rita", "researcher")
    search = IncidentType.objects.get(code="search")

    def record(model, visibility, status="published", author=eddie, restricted=None, **fields):
        obj = model(visibility=visibility, status=status, created_by=author, **fields)
        obj.field_visibility = restricted or {}
        obj.save()
        return obj

    # Cases: public with restricted fields; internal; confidential; somebody else's draft.
    case = record(
        Case, "public", title="Public case", kind="criminal", court=m(CONFIDENTIAL, "court"),
        article=m(INTERNAL, "article"), internal_notes=m(INTERNAL, "case-notes"),
        restricted={"court": "confidential", "article": "internal"},
    )  # fmt: skip
    record(Case, "internal", title=m(INTERNAL, "case"), kind="civil", summary=m(INTERNAL, "s"))
    record(Case, "confidential", title=m(CONFIDENTIAL, "case"), kind="civil")
    record(Case, "public", status="draft", title=m(INTERNAL, "draft-case"), kind="civil")

    # Incidents.
    incident = record(
        Incident, "public", incident_type=search, title="Public search", date=DAY, case=case,
        place=m(CONFIDENTIAL, "place"), description=m(INTERNAL, "description"),
        internal_notes=m(INTERNAL, "incident-notes"),
        restricted={"place": "confidential", "description": "internal"},
    )  # fmt: skip
    internal_incident = record(
        Incident, "internal", incident_type=search, title=m(INTERNAL, "incident"), date=DAY
    )
    secret_incident = record(
        Incident, "confidential", incident_type=search, title=m(CONFIDENTIAL, "incident"),
        date=DAY, place=m(CONFIDENTIAL, "incident-place"),
    )  # fmt: skip
    record(Incident, "public", status="in_review", incident_type=search,
           title=m(INTERNAL, "unpublished-incident"))  # fmt: skip

    # People: a public lawyer, an internal witness, a confidential judge, a victim whose name
    # (the entity field) is confidential on a public participation.
    def person(pk, name):
        return Entity.objects.create(id=pk, kind="person", name=name)

    lawyer = person("cw-lawyer", "Public Lawyer")
    witness = person("cw-witness", m(INTERNAL, "witness"))
    judge = person("cw-judge", m(CONFIDENTIAL, "judge"))
    victim = person("cw-victim", m(CONFIDENTIAL, "victim"))
    record(Participant, "public", incident=incident, entity=lawyer, role="lawyer")
    record(Participant, "internal", incident=incident, entity=witness, role="witness")
    record(Participant, "confidential", incident=incident, entity=judge, role="judge")
    record(Participant, "public", incident=incident, entity=victim, role="victim",
           restricted={"entity": "confidential"})  # fmt: skip
    secret_judge = record(
        Participant, "confidential", incident=secret_incident, entity=lawyer, role="judge"
    )

    # Positions.
    record(Position, "public", entity=lawyer, post="Advocate", agency=m(CONFIDENTIAL, "agency"),
           internal_notes=m(INTERNAL, "position-notes"),
           restricted={"agency": "confidential"})  # fmt: skip
    record(Position, "internal", entity=lawyer, post=m(INTERNAL, "post"), agency="x")
    record(Position, "confidential", entity=lawyer, post=m(CONFIDENTIAL, "post"), agency="x")

    # Evidence: public items (one with a confidential title), an internal and a confidential.
    def item(visibility, title, restricted=None, **fields):
        return record(
            EvidenceItem, visibility, status="draft", kind="quote", title=title,
            source=fields.pop("source", title), quoted_text=fields.pop("quoted_text", ""),
            obtained_how=m(INTERNAL, "how"), obtained_on=DAY, incident=incident,
            sha256="0" * 64, restricted=restricted, **fields,
        )  # fmt: skip

    open_item = item("public", "Open report", source="Outlet A",
                     quoted_text=m(INTERNAL, "quote"))  # fmt: skip
    veiled = item("public", m(CONFIDENTIAL, "item-title"), source="Outlet B",
                  restricted={"title": "confidential"})  # fmt: skip
    internal_item = item("internal", m(INTERNAL, "item"), quoted_text=m(INTERNAL, "iq"))
    secret_item = item("confidential", m(CONFIDENTIAL, "item"), quoted_text=m(CONFIDENTIAL, "q"))

    # Claims: a published one citing every item (passages of hidden items carry markers).
    claim = record(Claim, "public", incident=incident, statement="The police searched.")
    for cited, passage in [(open_item, "searched the office"), (veiled, "seen by a witness"),
                           (internal_item, m(INTERNAL, "passage")),
                           (secret_item, m(CONFIDENTIAL, "passage"))]:  # fmt: skip
        Citation.objects.create(claim=claim, item=cited, passage=passage)
    record(Claim, "internal", incident=incident, statement=m(INTERNAL, "claim"))
    record(Claim, "confidential", incident=incident, statement=m(CONFIDENTIAL, "claim"))
    record(Claim, "public", status="draft", incident=incident, statement=m(INTERNAL, "draft"))

    # Accountability: a published entry (acts on a public and on a confidential participation),
    # its internal parts, an entry under review and a confidential entry.
    entry = record(
        Entry, "internal", status="published", entity=lawyer, summary="Public summary",
        birth_place=m(INTERNAL, "birth-place"), documents=m(INTERNAL, "documents"),
    )  # fmt: skip
    lawyer_role = Participant.objects.get(entity=lawyer, incident=incident)
    entry.acts.create(participant=lawyer_role)
    entry.acts.create(participant=secret_judge)
    ReplyRecord.objects.create(entry=entry, contacted_on=DAY, channel=m(INTERNAL, "channel"))
    Exculpatory.objects.create(entry=entry, text=m(INTERNAL, "exculpatory"))
    Submission.objects.create(entry=entry, jurisdiction="uk", authority=m(INTERNAL, "authority"),
                              submitted_on=DAY)  # fmt: skip
    record(Entry, "internal", status="candidate", entity=witness, summary=m(INTERNAL, "cand"))
    record(Entry, "confidential", status="candidate", entity=judge,
           summary=m(CONFIDENTIAL, "entry"))  # fmt: skip

    # Intake: an article kept as a confidential item, naming the confidential judge.
    article_item = item("confidential", m(CONFIDENTIAL, "article"),
                        derived_text=f"{m(CONFIDENTIAL, 'article-text')} judge")  # fmt: skip
    Article.objects.create(item=article_item, language="en")
    ArticleMention.objects.create(item=article_item, start=0, end=5, text="judge", entity=judge,
                                  score=0.9)  # fmt: skip

    # Cross-reference links whose `cases` side is the confidential judge or the witness.
    dataset = Dataset.objects.create(slug="test-list", title="Test list", kind="official")
    listed = person("tl-1", "Listed Person")
    ListEntry.objects.create(dataset=dataset, source_id="tl-1", entity=listed, name=listed.name)
    for official in (judge, witness):
        Link.objects.create(
            left_dataset="cases", left_id=official.pk, left_name=official.name,
            left_entity=official, right_dataset="test-list", right_id="tl-1",
            right_name=listed.name, right_entity=listed, score=0.99,
        )  # fmt: skip

    # Carol's own draft (confidential, in full for her) and a case she was assigned.
    own = record(Incident, "confidential", status="draft", author=carol, incident_type=search,
                 title="Carol's own draft", place="Carol's own place")  # fmt: skip
    assigned = record(Case, "internal", status="draft", title="Assigned to Carol", kind="civil")
    assigned.assignees.add(carol)
    record(Incident, "internal", status="draft", incident_type=search, case=assigned,
           title="Incident of the assigned case")  # fmt: skip
    # A file of a person abroad, assigned to a caseworker none of the roles above is.
    from tests.test_exiles import marked_exile_file

    settings.CIVWATCH_EXILE_KEYS = tmp_path / "exile-keys"
    casey = make_user("casey", "contributor")
    marked_exile_file(EXILE, caseworker=casey)
    initiative_markers(eddie)  # citizens' initiatives (block at the end of this file)
    return {
        "users": {"carol": carol, "rita": rita, "eddie": eddie, "casey": casey},
        "incident": incident,
        "internal_incident": internal_incident,
        "own": own,
        "entry": entry,
    }


LINK = re.compile(r"""(?:href|src|action)=["']([^"'#]+)""")
NOT_CRAWLED = ("/admin/logout", "/ru/admin/logout", "/static/", "/ru/static/", "/i18n/")


def staff_urls() -> list[str]:
    """Every route (staff pages, API, public pages) with every record id and entity id."""
    candidates = path_candidates()
    candidates["str"] = [*candidates["str"], "case", "position", "reply", "test-list", "tl-1"]
    urls = []
    for route in routes():
        if "(?P<" in route or route.startswith(("static", "media")):
            continue
        for path in expand(route, candidates):
            urls.append("/" + path)
            if path.startswith("api/"):
                urls.append(f"/{path}?limit=500")
    return [u for u in dict.fromkeys(urls) if not u.startswith(NOT_CRAWLED)]


def audited_reads() -> int:
    from civwatch.core.models import AuditEvent

    return AuditEvent.objects.filter(action="read").count()


def crawl(
    client, start: list[str], limit: int = 3000, reads: dict[str, int] | None = None
) -> dict[str, bytes]:
    """Every page reached from `start`; `reads`, when given, gets the number of confidential
    reads the audit log recorded while each page was served."""
    seen: dict[str, bytes] = {}
    queue = deque(start)
    with translation.override("en"):
        while queue and len(seen) < len(start) + limit:
            url = queue.popleft()
            if url in seen or url.startswith(NOT_CRAWLED) or "logout" in url:
                continue
            before = audited_reads() if reads is not None else 0
            response = client.get(url)
            if reads is not None:
                reads[url] = audited_reads() - before
            body = b"".join(response.streaming_content) if response.streaming else response.content
            seen[url] = body
            assert response.status_code < 500, url
            if "html" not in response.get("Content-Type", ""):
                continue
            for link in LINK.findall(body.decode("utf-8", "replace")):
                parts = urlsplit(urljoin(url, link.replace("&amp;", "&")))
                if parts.netloc in ("", "testserver"):
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def leaks(pages: dict[str, bytes], role: str) -> dict[str, str]:
    return {
        url: marker
        for url, body in pages.items()
        for marker in FORBIDDEN[role]
        if marker.encode() in body
    }


def crawl_as(client, user) -> dict[str, bytes]:
    sign_in(client, user)
    return crawl(client, staff_urls())


def test_a_contributor_reads_the_public_record_and_her_own_and_assigned_records(client, world):
    pages = crawl_as(client, world["users"]["carol"])
    reached = b"".join(pages.values())
    # The crawl went through the staff pages and the API, and her own and assigned records.
    for expected in ("Public search", "Public Lawyer", "The police searched.", "Open report",
                     "Carol's own draft", "Carol's own place", "Assigned to Carol",
                     "Incident of the assigned case"):  # fmt: skip
        assert expected.encode() in reached, expected
    assert f"/cases/staff/incidents/{world['incident'].pk}/" in pages
    assert f"/api/cases/incidents/{world['own'].pk}" in pages
    found = leaks(pages, "contributor")
    assert not found, sorted(found.items())[:20]


def test_a_researcher_reads_internal_records_and_fields_but_nothing_confidential(client, world):
    pages = crawl_as(client, world["users"]["rita"])
    reached = b"".join(pages.values())
    # Internal markers are reached: the crawl is not blind to what lies above the public.
    for expected in ("incident-notes", "description", "witness", "birth-place", "exculpatory",
                     "passage", "item"):  # fmt: skip
        assert m(INTERNAL, expected).encode() in reached, expected
    assert f"/accountability/staff/{world['entry'].pk}/" in pages
    for expected in INITIATIVE_INTERNAL:  # citizens' initiatives
        assert m(INTERNAL, expected).encode() in reached, expected
    # The cross-reference staff page shows the witness's link, not the confidential judge's.
    assert m(INTERNAL, "witness").encode() in pages["/sanctions/staff/links/"]
    found = leaks(pages, "researcher")
    assert not found, sorted(found.items())[:20]


def test_the_crawl_reaches_every_marker_as_an_editor(client, world):
    """The two tests above could not fail if the crawl never reached the markers. And every
    page or API answer that shows an editor a confidential value logs the read."""
    reads: dict[str, int] = {}
    sign_in(client, world["users"]["eddie"])
    pages = crawl(client, staff_urls(), reads=reads)
    unlogged = [
        url for url, body in pages.items() if CONFIDENTIAL.encode() in body and not reads[url]
    ]
    assert sorted(unlogged) == [], " ".join(sorted(unlogged))
    reached = b"".join(pages.values())
    for marker in ("judge", "victim", "place", "item-title", "passage", "claim", "article-text",
                   "court", "agency", "entry"):  # fmt: skip
        assert m(CONFIDENTIAL, marker).encode() in reached, marker
    for marker in ("witness", "draft-case", "unpublished-incident", "draft", "post"):
        assert m(INTERNAL, marker).encode() in reached, marker
    assert m(CONFIDENTIAL, "judge").encode() in pages["/sanctions/staff/links/"]
    for marker in INITIATIVE_CONFIDENTIAL:  # citizens' initiatives
        assert m(CONFIDENTIAL, marker).encode() in reached, marker
    assert m(CONFIDENTIAL, INITIATIVE_DROPPED).encode() not in reached


def test_the_crawl_reaches_an_exile_file_as_its_caseworker(client, world):
    """The exile markers are reached by the one user assigned (so the tests above can fail)."""
    from civwatch.exiles.models import Consent, ExileFile, HelpRequest, SupportAction

    pages = crawl_as(client, world["users"]["casey"])
    reached = b"".join(pages.values())
    for model in (ExileFile, SupportAction, Consent, HelpRequest):
        for name in model.SHREDDED:
            assert f"{EXILE}-exile-{name}".encode() in reached, name
    assert not [
        u for u, body in pages.items() if INTERNAL.encode() in body or CONFIDENTIAL.encode() in body
    ]


def test_an_api_token_reads_what_its_user_may_read(client, world):
    incident = world["incident"]
    for name, shown, hidden in [("carol", "Public Lawyer", INTERNAL),
                                ("rita", m(INTERNAL, "witness"), CONFIDENTIAL)]:  # fmt: skip
        token = ApiToken.issue(world["users"][name])
        body = client.get(
            f"/api/cases/incidents/{incident.pk}", headers={"Authorization": f"Bearer {token}"}
        ).content.decode()
        assert shown in body and hidden not in body
    token = ApiToken.issue(world["users"]["carol"])
    answer = client.get(
        f"/api/cases/incidents/{world['internal_incident'].pk}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 404


def test_a_confidential_read_passes_through_the_one_audit_hook(world):
    from civwatch.core.models import AuditEvent

    def reads():
        return [
            (e.user_id, e.model, e.object_id, e.details["fields"])
            for e in AuditEvent.objects.filter(action="read").order_by("seq")
        ]

    eddie, rita = world["users"]["eddie"], world["users"]["rita"]
    incident = world["incident"]
    before = reads()
    assert "place" in permissions.visible_fields(eddie, incident)
    assert reads() == [*before, (eddie.pk, "cases.Incident", str(incident.pk), ["place"])]
    assert "place" not in permissions.visible_fields(rita, incident)
    assert len(reads()) == len(before) + 1


# ---------------------------------------------------------------------------------------------
# The access matrix


OK, LOGIN = "ok", "login"
ACTORS = ("anonymous", "carol", "rita", "erin")
TARGETS = ("public", "internal", "confidential", "own")
# What each actor reads among the targets (own: Carol's internal draft).
READS = {
    "anonymous": set(),
    "carol": {"public", "own"},
    "rita": {"public", "internal", "own"},
    "erin": set(TARGETS),
}
# The move tried on each target, from the status it is in.
MOVES = {"public": "withdrawn", "internal": "draft", "confidential": "draft", "own": "in_review"}


@pytest.fixture
def matrix(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    users = {
        "carol": make_user("carol", "contributor"),
        "rita": make_user("rita", "researcher"),
        "eddie": make_user("eddie", "editor"),
        "erin": make_user("erin", "editor"),
    }
    search = IncidentType.objects.get(code="search")
    specs = {
        "public": ("public", "published", users["eddie"]),
        "internal": ("internal", "in_review", users["eddie"]),
        "confidential": ("confidential", "in_review", users["eddie"]),
        "own": ("internal", "draft", users["carol"]),
    }
    incidents = {}
    for name, (visibility, status, author) in specs.items():
        incident = Incident.objects.create(
            incident_type=search, title=f"{name} incident", visibility=visibility, status=status,
            created_by=author,
        )  # fmt: skip
        # An item on each incident that its author (and whoever may read it) may cite.
        EvidenceItem.objects.create(
            incident=incident, kind="quote", title="Report", source="Outlet", quoted_text="q",
            obtained_how="x", obtained_on=DAY, sha256="1" * 64, visibility=visibility,
            created_by=author,
        )  # fmt: skip
        incidents[name] = incident
    return {"users": users, "incidents": incidents}


def fingerprint() -> tuple:
    """Everything a write could change."""
    return (
        list(Incident.objects.order_by("pk").values_list("title", "status", "correction_note")),
        Participant.objects.count(),
        EvidenceItem.objects.count(),
        Claim.objects.count(),
        Citation.objects.count(),
        Revision.objects.count(),
    )


def page_write(action: str):
    def edit(client, incident):
        data = {"incident_type": incident.incident_type_id, "title": "Rewritten",
                "date_precision": "day", "visibility": incident.visibility,
                "field_visibility": "{}"}  # fmt: skip
        return client.post(reverse("cases:staff_incident_edit", args=[incident.pk]), data)

    def participant(client, incident):
        data = {"new_name": "New Person", "new_kind": "person", "role": "witness",
                "visibility": "internal"}  # fmt: skip
        return client.post(reverse("cases:staff_participant_add", args=[incident.pk]), data)

    def evidence(client, incident):
        data = {"kind": "quote", "title": "Added", "source": "Somewhere", "quoted_text": "text",
                "obtained_how": "read", "obtained_on": "2024-03-01", "reliability": "F",
                "credibility": "6", "visibility": "internal"}  # fmt: skip
        return client.post(reverse("cases:staff_evidence_add", args=[incident.pk]), data)

    def claim(client, incident):
        item = incident.evidence_items.get()
        data = {"statement": "A claim", "visibility": "internal", f"passage_{item.pk}": "q"}
        return client.post(reverse("cases:staff_claim_add", args=[incident.pk]), data)

    def move(client, incident):
        data = {"to": MOVES_BY_ID[incident.pk], "note": "a correction note"}
        return client.post(reverse("cases:staff_move", args=["incident", incident.pk]), data)

    return {"edit": edit, "participant": participant, "evidence": evidence, "claim": claim,
            "move": move}[action]  # fmt: skip


MOVES_BY_ID: dict[int, str] = {}


def expected(actor: str, target: str, action: str) -> object:
    if actor == "anonymous":
        return LOGIN
    if target not in READS[actor]:
        return 404
    changes = actor == "erin" or (actor == "carol" and target == "own")
    if action == "edit":
        return OK if changes else 403
    if action in ("participant", "evidence", "claim"):
        return OK if changes or actor == "rita" else 403
    if MOVES[target] == "withdrawn":
        return OK if actor == "erin" else 403
    return OK if changes else 403


def outcome(response) -> object:
    if response.status_code == 302:
        return LOGIN if "/accounts/signin/" in response["Location"] else OK
    if response.status_code in (401,):
        return LOGIN
    return OK if response.status_code == 200 else response.status_code


@pytest.mark.parametrize("action", ["edit", "participant", "evidence", "claim", "move"])
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("actor", ACTORS)
def test_every_staff_form_write_as_every_role(client, matrix, actor, target, action):
    incident = matrix["incidents"][target]
    MOVES_BY_ID[incident.pk] = MOVES[target]
    if actor != "anonymous":
        sign_in(client, matrix["users"][actor])
    before = fingerprint()
    got = outcome(page_write(action)(client, incident))
    want = expected(actor, target, action)
    assert got == want, (actor, target, action)
    if want == OK:
        assert fingerprint() != before
    else:
        assert fingerprint() == before


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("actor", ACTORS)
def test_every_api_status_move_as_every_role(client, matrix, actor, target):
    incident = matrix["incidents"][target]
    headers = {}
    if actor != "anonymous":
        headers["Authorization"] = f"Bearer {ApiToken.issue(matrix['users'][actor])}"
    before = fingerprint()
    response = client.post(
        f"/api/cases/incidents/{incident.pk}/status",
        {"to": MOVES[target], "note": "a correction note"},
        content_type="application/json",
        headers=headers,
    )
    want = expected(actor, target, "move")
    got = {200: OK, 401: LOGIN, 403: 403 if actor != "anonymous" else LOGIN, 404: 404}.get(
        response.status_code, response.status_code
    )
    assert got == want, (actor, target, response.content)
    assert (fingerprint() != before) == (want == OK)


def test_a_claim_may_not_cite_or_name_what_its_author_cannot_read(client, matrix):
    """Carol's own incident holds an editor's confidential item and participant: citing or
    naming them by id is a 404, as if they did not exist, and nothing is saved."""
    own = matrix["incidents"]["own"]
    secret = EvidenceItem.objects.create(
        incident=own, kind="quote", title=m(CONFIDENTIAL, "cited"), source="Elsewhere",
        quoted_text="q", obtained_how="x", obtained_on=DAY, sha256="2" * 64,
        visibility="confidential", created_by=matrix["users"]["eddie"],
    )  # fmt: skip
    person = Entity.objects.create(id="cw-secret", kind="person", name=m(CONFIDENTIAL, "name"))
    hidden = Participant.objects.create(
        incident=own, entity=person, role="victim", visibility="confidential",
        created_by=matrix["users"]["eddie"],
    )  # fmt: skip
    sign_in(client, matrix["users"]["carol"])
    page = client.get(reverse("cases:staff_incident", args=[own.pk])).content.decode()
    assert CONFIDENTIAL not in page and f"passage_{secret.pk}" not in page
    mine = own.evidence_items.exclude(pk=secret.pk).get()
    url = reverse("cases:staff_claim_add", args=[own.pk])
    before = fingerprint()
    for data in (
        {"statement": "s", "visibility": "internal", f"passage_{secret.pk}": "q"},
        {"statement": "s", "visibility": "internal", f"passage_{mine.pk}": "q",
         "participant": hidden.pk},
    ):  # fmt: skip
        assert client.post(url, data).status_code == 404
    assert fingerprint() == before


def test_case_records_entries_and_assignments(client, matrix):
    """Cases and entries follow the same rules; only editors assign a case."""
    users = matrix["users"]
    cases = {
        level: Case.objects.create(title=f"{level} case", kind="civil", visibility=level,
                                   created_by=users["eddie"], status="published")
        for level in ("public", "internal", "confidential")
    }  # fmt: skip
    edit = {"title": "Rewritten", "kind": "civil", "field_visibility": "{}"}
    expected_codes = {
        "carol": {"public": 403, "internal": 404, "confidential": 404},
        "rita": {"public": 403, "internal": 403, "confidential": 404},
        "erin": {"public": 302, "internal": 302, "confidential": 302},
    }
    for actor, want in expected_codes.items():
        sign_in(client, users[actor])
        for level, case in cases.items():
            url = reverse("cases:staff_case_edit", args=[case.pk])
            data = {**edit, "visibility": level}
            assert client.post(url, data).status_code == want[level], (actor, level)
    # The cases are published: Erin's edits wait for a second editor (four-eyes).
    assert [c.pending_change().values.get("title") for c in cases.values()] == ["Rewritten"] * 3

    # Assigning: a researcher may not; an editor gives Carol the confidential case, which she
    # then reads and edits, and takes it back.
    secret = cases["confidential"]
    url = reverse("cases:staff_case_assign", args=[secret.pk])
    sign_in(client, users["rita"])
    assert client.post(url, {"username": "carol"}).status_code == 403
    assert not secret.assignees.exists()
    sign_in(client, users["erin"])
    assert client.post(url, {"username": "carol"}).status_code == 302
    sign_in(client, users["carol"])
    assert client.get(reverse("cases:staff_case", args=[secret.pk])).status_code == 200
    assert permissions.can_change(users["carol"], secret)
    sign_in(client, users["erin"])
    client.post(url, {"username": "carol", "remove": "on"})
    sign_in(client, users["carol"])
    assert client.get(reverse("cases:staff_case", args=[secret.pk])).status_code == 404

    # Entries: researchers work on any entry they read; a confidential entry is the editors'.
    person = Entity.objects.create(id="cw-official", kind="person", name="An Official")
    other = Entity.objects.create(id="cw-official-2", kind="person", name="Another Official")
    open_entry = Entry.objects.create(entity=person, visibility="internal")
    secret_entry = Entry.objects.create(entity=other, visibility="confidential")
    sign_in(client, users["rita"])
    for entry, want in ((open_entry, 302), (secret_entry, 404)):
        url = reverse("accountability:staff_edit", args=[entry.pk])
        assert client.post(url, {"summary": "Edited"}).status_code == want
    assert [e for e in Entry.objects.all() if e.summary == "Edited"] == [open_entry]
    sign_in(client, users["carol"])
    url = reverse("accountability:staff_edit", args=[open_entry.pk])
    assert client.post(url, {"summary": "By Carol"}).status_code == 403


def test_claims_move_as_their_incident_allows(client, matrix):
    """A claim is read and moved under the same rules, on the staff page and through the API:
    a contributor cannot see an editor's claim under review (404) nor withdraw a published one
    (403); the editor's other colleague can."""
    users, incident = matrix["users"], matrix["incidents"]["public"]
    in_review = Claim.objects.create(incident=incident, statement="Under review",
                                     status="in_review", visibility="public",
                                     created_by=users["eddie"])  # fmt: skip
    published = Claim.objects.create(incident=incident, statement="Published",
                                     status="published", visibility="public",
                                     created_by=users["eddie"])  # fmt: skip
    carol = {"Authorization": f"Bearer {ApiToken.issue(users['carol'])}"}
    erin = {"Authorization": f"Bearer {ApiToken.issue(users['erin'])}"}

    def api(claim, to, headers):
        return client.post(f"/api/cases/claims/{claim.pk}/status", {"to": to, "note": "n"},
                           content_type="application/json", headers=headers)  # fmt: skip

    before = fingerprint()
    assert api(in_review, "draft", carol).status_code == 404
    assert api(published, "withdrawn", carol).status_code == 403
    sign_in(client, users["carol"])
    page = reverse("cases:staff_move", args=["claim", in_review.pk])
    assert client.post(page, {"to": "draft"}).status_code == 404
    page = reverse("cases:staff_move", args=["claim", published.pk])
    assert client.post(page, {"to": "withdrawn", "note": "n"}).status_code == 403
    assert fingerprint() == before and Claim.objects.get(pk=in_review.pk).status == "in_review"
    assert api(in_review, "draft", erin).status_code == 200
    assert api(published, "withdrawn", erin).status_code == 200


def test_a_person_known_only_from_unreadable_records_is_an_unknown_id(client, matrix):
    users = matrix["users"]
    victim = Entity.objects.create(id="cw-hidden", kind="person", name=m(CONFIDENTIAL, "v"))
    Participant.objects.create(
        incident=matrix["incidents"]["confidential"], entity=victim, role="victim",
        visibility="confidential", created_by=users["eddie"],
    )  # fmt: skip
    Entity.objects.create(id="cw-new", kind="person", name="Nobody Yet")
    own = matrix["incidents"]["own"]
    url = reverse("cases:staff_participant_add", args=[own.pk])
    sign_in(client, users["carol"])
    before = fingerprint()
    for entity_id, code in (("cw-hidden", 400), ("cw-missing", 400), ("cw-new", 302)):
        data = {"pick": entity_id, "new_kind": "person", "role": "witness",
                "visibility": "internal"}  # fmt: skip
        response = client.post(url, data)
        assert response.status_code == code, entity_id
        if code == 400:
            assert "Choose one of the people or organisations found." in response.content.decode()
            assert m(CONFIDENTIAL, "v") not in response.content.decode()
            assert fingerprint() == before
    assert permissions.nameable_entities(users["erin"], ["cw-hidden"]) == {"cw-hidden"}


# ---------------------------------------------------------------------------------------------
# Open letters (civwatch.letters): editors manage letters; a signer's name, role and e-mail and
# an editor's note on a signature are confidential, as is a hidden organisation's name.

LETTER_PAGES = ["/letters/staff/", "/letters/staff/marked-letter/", "/letters/marked-letter/",
                "/api/letters/marked-letter", "/api/letters/marked-letter/signatures"]  # fmt: skip


@pytest.fixture
def letter_world(world):
    from civwatch.letters.delivery import record_delivery
    from civwatch.letters.models import Display, Signature
    from tests.letters_data import make_letter

    letter = make_letter("marked-letter")
    for n, display in enumerate([Display.PUBLIC, Display.HIDDEN]):
        Signature.objects.create(
            letter=letter, organisation="Open Org" if n == 0 else m(CONFIDENTIAL, "hidden-org"),
            country="DE", website=f"https://org{n}.example", domain=f"org{n}.example",
            signer_name=m(CONFIDENTIAL, "signer-name"), signer_role=m(CONFIDENTIAL, "signer-role"),
            email=f"{CONFIDENTIAL}-signer@org{n}.example", display=display,
            note=m(CONFIDENTIAL, "signature-note"), state="verified",
        )  # fmt: skip
    record_delivery(letter, letter.versions.get(language="en"), DAY, "The Office", "post",
                    note=m(CONFIDENTIAL, "delivery-note"),
                    user=world["users"]["eddie"])  # fmt: skip
    return letter


@pytest.mark.parametrize(("name", "role"), [("carol", "contributor"), ("rita", "researcher")])
def test_signers_details_reach_no_contributor_or_researcher(client, letter_world, name, role):
    sign_in(client, letter_world_user(name))
    pages = crawl(client, [*LETTER_PAGES, *(u for u in staff_urls() if "letters" in u)])
    assert b"Open Org" in pages["/letters/marked-letter/"]  # the public part was reached
    found = leaks(pages, role)
    assert not found, sorted(found.items())[:20]


def test_the_letters_crawl_reaches_the_signers_details_as_an_editor(client, letter_world):
    """The test above could not fail if the crawl never reached the markers."""
    sign_in(client, letter_world_user("eddie"))
    pages = crawl(client, [*LETTER_PAGES, *(u for u in staff_urls() if "letters" in u)])
    staff_page = pages["/letters/staff/marked-letter/"]
    for marker in ("signer-name", "signer-role", "signature-note", "hidden-org", "delivery-note"):
        assert m(CONFIDENTIAL, marker).encode() in staff_page, marker


def letter_world_user(name: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)


# ---------------------------------------------------------------------------------------------
# Citizens' initiatives (civwatch.initiatives): researchers read them, the organisers' contact
# and the original uploads are for editors only, contributors see the public page only.

INITIATIVE_INTERNAL = ("initiative-city", "initiative-description", "initiative-address",
                       "decision-reason", "support-note", "question", "answer",
                       "outcome-note")  # fmt: skip
INITIATIVE_CONFIDENTIAL = ("organisers-contact",)
# The name of the submitter's file is kept nowhere (docs/initiatives.md), not even for editors.
INITIATIVE_DROPPED = "upload-name"


def initiative_markers(editor) -> None:
    """An initiative under way with markers in every non-public field, and a published one."""
    import io

    from PIL import Image

    from civwatch.initiatives import workflow

    photo = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(photo, format="JPEG")
    done = workflow.submit(
        kind="picket", city=m(INTERNAL, "initiative-city"), date=DAY,
        description=m(INTERNAL, "initiative-description"),
        address=m(INTERNAL, "initiative-address"),
        organisers_contact=m(CONFIDENTIAL, "organisers-contact"),
        uploads=[(m(CONFIDENTIAL, INITIATIVE_DROPPED) + ".jpg", photo.getvalue())],
    )  # fmt: skip
    initiative = done.initiative
    workflow.move(initiative, editor, "under_review")
    workflow.ask(initiative, editor, m(INTERNAL, "question"))
    workflow.answer(initiative, m(INTERNAL, "answer"))
    workflow.move(initiative, editor, "supported", m(INTERNAL, "decision-reason"))
    workflow.add_support(initiative, editor, "funding", m(INTERNAL, "support-note"))
    workflow.record_outcome(initiative, "held", m(INTERNAL, "outcome-note"))
    shown = workflow.submit(
        kind="rally", city="Public town", date=DAY, description=m(INTERNAL, "shown-description"),
        organisers_contact=m(CONFIDENTIAL, "shown-contact"),
    ).initiative  # fmt: skip
    workflow.move(shown, editor, "under_review")
    workflow.move(shown, editor, "supported")
    workflow.publish(shown, True)


def test_a_contributor_sees_initiatives_only_as_the_public_does(client, world):
    sign_in(client, world["users"]["carol"])
    assert b"Public town" in client.get("/initiatives/").content
    assert client.get("/initiatives/staff/").status_code == 403
