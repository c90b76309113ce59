"""Nothing internal or confidential reaches the public: pages, API, exports and feeds.

Records are filled with marker strings in every field that is not public (by the model's
declaration, by a record's own field setting, or because the whole record is internal,
confidential or unpublished). Then every public URL is fetched without a token: the URLs come
from the URLconf (each route, with every record id and the other values its parameters take)
and from the links on the pages fetched; and every CLI export is run into a file. No response
and no file may contain a marker, a staff member's user name (every staff user's name carries
the STAFF marker) or the plain sha256 of evidence whose content is not public.
"""

import datetime
import hashlib
import io
import json
import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern
from PIL import Image

from civwatch.accountability.models import (
    Act,
    Entry,
    Exculpatory,
    ReplyRecord,
    Submission,
)
from civwatch.cases.models import Case, Incident, IncidentType, Participant, Position
from civwatch.core.records import DocumentedRecord
from civwatch.entities.models import Entity
from civwatch.evidence.ingest import add_evidence
from civwatch.evidence.models import Citation, Claim, EvidenceItem
from civwatch.exiles.models import ExileFile, HelpRequest
from civwatch.intake.models import Article, ArticleMention, ArticleSuggestion
from tests.auth_helpers import sign_in
from tests.conftest import ids_continue_from_the_highest_row
from tests.test_cases import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ids_from_one(db):
    """Before any record is made: ids as SQLite gives them (conftest explains why)."""
    ids_continue_from_the_highest_row()


MARK = "ZZSECRET"
# In the user name of every staff member the fixtures create: staff identities are never public.
STAFF = "ZZSTAFFNAME"
QUERIES = ["", "?limit=500", "?type=search&year=2024", "?visibility=internal&level=confidential",
           "?status=draft&include=all", "?page=2"]  # fmt: skip
# Staff pages (behind login), the admin and API docs are not public output.
NOT_PUBLIC = ("/admin/", "/cases/staff/", "/accountability/staff/", "/sanctions/staff/",
              "/jobs/", "/api/docs", "/api/openapi.json")  # fmt: skip


def titled(model, title: str):
    """The one record with this title (titles are encrypted: compared in memory, not SQL)."""
    [record] = [r for r in model.objects.all() if r.title == title]
    return record


def text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and f.editable
        and f.name not in {"field_visibility"}
    ]


def mark(record: models.Model, names: list[str]) -> None:
    for name in names:
        field = record._meta.get_field(name)
        value = f"{MARK}-{record._meta.model_name}-{name}"
        if isinstance(field, models.URLField):
            value = f"https://example.org/{value}"
        setattr(record, name, value[: field.max_length] if field.max_length else value)


def hidden_fields(model: type[DocumentedRecord]) -> list[str]:
    return [name for name in text_fields(model) if name not in model.PUBLIC_FIELDS]


def published(record: DocumentedRecord, visibility: str = "public", **restricted: str):
    """Publish a record; `restricted` public fields get their own visibility and a marker."""
    record.status, record.visibility = "published", visibility
    mark(record, hidden_fields(type(record)))
    record.correction_note = ""
    record.field_visibility = restricted
    mark(record, [name for name in restricted if name in text_fields(type(record))])
    record.save()
    return record


def hidden(record: DocumentedRecord, visibility: str, status: str = "published"):
    """A record the public must never see: every text field carries a marker."""
    record.status, record.visibility = status, visibility
    mark(record, text_fields(type(record)))
    record.save()
    return record


def staff(name: str, role: str):
    return make_user(f"{STAFF}-{name}", role)


# Case-only people (never on a public list): one per kind of exposure found by a probe.
CASE_ONLY = [("victim", "confidential"), ("judge", "confidential"), ("witness", "internal")]
# A register snapshot, cut down from the bundled one: an organisation with members, a person.
REGISTER_ROWS = ("240", "212")


def import_register(tmp_path) -> list[str]:
    """Import a two-row foreign-agents snapshot; the names the public lists then show."""
    from tests.conftest import REPO

    lines = (REPO / "tests" / "data" / "registry-2023-09-29.csv").read_text().splitlines()
    rows = [lines[0], *(line for line in lines[1:] if line.split(",", 1)[0] in REGISTER_ROWS)]
    path = tmp_path / "register" / "registry-2023-09-29.csv"
    path.parent.mkdir()
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    call_command("import", "foreign-agents", str(path))
    return ["Апахончич Дарья Александровна", "Роман Удот"]


@pytest.fixture
def records(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CIVWATCH_RELEASES = tmp_path / "releases"
    settings.CIVWATCH_HASH_KEY = "test-public-hash-key-0123456789abcdef"
    author = staff("carol", "contributor")
    editor = staff("erin", "editor")
    search = IncidentType.objects.get(code="search")
    day = datetime.date(2024, 3, 1)

    case = Case(title="Case against Memorial", kind="administrative", court="Moscow City Court")
    published(case, court="confidential", article="internal")
    for visibility, status in [("internal", "published"), ("confidential", "published"),
                               ("public", "draft"), ("public", "withdrawn")]:  # fmt: skip
        hidden(Case(kind="criminal"), visibility, status)

    incident = Incident(incident_type=search, title="Search of the office", date=day, case=case)
    published(incident, place="confidential", description="internal", people_count="internal")
    incident.people_count = 99817
    incident.save()
    for visibility, status in [("internal", "published"), ("confidential", "published"),
                               ("public", "in_review"), ("public", "verified")]:  # fmt: skip
        hidden(Incident(incident_type=search, date=day, case=case), visibility, status)

    public_person = Entity.objects.create(id="cw-p1", kind="person", name="Public Defender")
    Participant.objects.create(
        incident=incident, entity=public_person, role="lawyer", visibility="public",
        status="published", internal_notes=f"{MARK}-participant-notes",
    )  # fmt: skip
    for visibility in ("internal", "confidential"):
        Participant.objects.create(
            incident=incident, entity=public_person, role="investigator",
            visibility=visibility, status="published",
        )  # fmt: skip
    hidden(Position(entity=public_person), "confidential")
    for role, visibility in CASE_ONLY:
        person = Entity.objects.create(
            id=f"cw-case-{role}", kind="person", name=f"{MARK}-{role}", birth_date="1971-02-03",
            country=f"{MARK}-{role}-country",
        )  # fmt: skip
        person.names.create(name=f"{MARK}-{role}-alias", kind="alias")
        person.identifiers.create(scheme="inn", value=f"{MARK}-{role}-inn")
        person.websites.create(url=f"https://example.org/{MARK}-{role}")
        Participant.objects.create(
            incident=incident, entity=person, role=role, visibility=visibility, status="published"
        )

    items = []
    for n, visibility in enumerate(["public", "public", "internal", "confidential"]):
        item = add_evidence(
            user=author, incident=incident, kind="quote", title=f"Report {n}",
            source=f"Outlet {n}", quoted_text=f"{MARK}-quote-{n}",
            obtained_how=f"{MARK}-how-{n}", obtained_on=day,
        )  # fmt: skip
        if visibility == "public":
            published(item, url="internal")
        else:
            hidden(item, visibility)
        items.append(item)
    derived = add_evidence(
        user=author, incident=incident, name=f"{MARK}-name.txt", data=f"{MARK}-text".encode(),
        kind="file", title="Leaked file", source="Outlet 9", obtained_how="x", obtained_on=day,
    )  # fmt: skip
    published(derived)
    page = add_evidence(
        user=author, incident=incident, kind="web_page", title="Captured page",
        source="Outlet 10", url=f"https://example.org/{MARK}-captured", obtained_how="x",
        obtained_on=day,
    )  # fmt: skip
    published(page, url="internal")
    items.append(page)
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), "gray").save(photo, format="PNG")
    picture = add_evidence(
        user=author, incident=incident, name="photo.png", data=photo.getvalue(), kind="file",
        title="Photo of the door", source="Outlet 11", obtained_how="x", obtained_on=day,
    )  # fmt: skip
    assert picture.preview
    published(picture)
    items.append(picture)
    # What intake found in it is for editors only.
    Article.objects.create(item=derived, language="en")
    ArticleMention.objects.create(
        item=derived, start=0, end=4, text=f"{MARK}-mention", entity=public_person, score=0.9
    )
    ArticleSuggestion.objects.create(
        item=derived, start=0, end=4, text=f"{MARK}-suggestion", schema="Person"
    )

    claim = published(Claim(incident=incident, statement="Police searched the office."))
    for item in [*items, derived]:
        passage = "entered the office" if item.visibility == "public" else f"{MARK}-passage"
        Citation.objects.create(claim=claim, item=item, passage=passage)
    for visibility, status in [("internal", "published"), ("confidential", "published"),
                               ("public", "draft"), ("public", "withdrawn")]:  # fmt: skip
        hidden(Claim(incident=incident), visibility, status)
    # History and custody notes are staff-only, whoever wrote them.
    incident.save_with_history(editor, note=f"{MARK}-revision-note")
    derived.log("viewed", editor, f"{MARK}-custody-note")
    for model in (Case, Incident, Participant, Position, EvidenceItem, Claim):
        model.objects.filter(created_by=None).update(created_by=author)
        model.objects.exclude(status="draft").update(approved_by=editor)
    # People forced abroad (civwatch.exiles): a file with every encrypted value marked, its
    # caseworker an editor; the public sees only the suppressed figures.
    from tests.test_exiles import marked_exile_file

    settings.CIVWATCH_EXILE_KEYS = tmp_path / "exile-keys"
    marked_exile_file(MARK, caseworker=editor)
    listed = import_register(tmp_path)
    # What the importer noted about a snapshot is staff bookkeeping (issue 11, item 8).
    from civwatch.registers.models import Snapshot

    Snapshot.objects.update(report={"notes": [f"{MARK}-importer-note"],
                                    "suspicions": {"removed_on": f"{MARK}-suspicion"}})  # fmt: skip
    return {"case": case, "incident": incident, "claim": claim, "listed": listed,
            "editor": editor, "tmp_path": tmp_path,
            "snapshot": Snapshot.objects.get()}  # fmt: skip


def path_candidates() -> dict[str, list[str]]:
    ids = {
        str(pk)
        for model in (
            Case,
            Incident,
            Claim,
            EvidenceItem,
            Participant,
            Position,
            Entry,
            Submission,
            ArticleMention,
            ExileFile,
            HelpRequest,
            *initiative_models(),
        )
        for pk in model.objects.values_list("pk", flat=True)
    }
    # "default": the yente API's dataset of every public list (/yente/api/search/default...).
    words = ["incident", "claim", "case", "evidence", "foreign-agents", "search", "default"]
    entities = list(Entity.objects.values_list("pk", flat=True))
    return {"int": sorted(ids), "str": words + entities, "slug": words, "path": words}


def routes(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern.pattern, LocalePrefixPattern):
            part = ""
        else:
            part = str(pattern.pattern).lstrip("^").rstrip("$").replace("\\Z", "")
        if isinstance(pattern, URLResolver):
            found += routes(pattern, prefix + part)
        elif isinstance(pattern, URLPattern):
            found.append(prefix + part)
    return found


def expand(route: str, candidates: dict[str, list[str]]) -> list[str]:
    match = re.search(r"<(?:(\w+):)?\w+>", route)
    if not match:
        return [route]
    values = candidates.get(match.group(1) or "str", [])
    return [
        u for value in values for u in expand(route.replace(match.group(0), value, 1), candidates)
    ]


def discovered_urls() -> list[str]:
    candidates = path_candidates()
    urls = []
    for route in routes():
        if "(?P<" in route or route.startswith(("static", "media")):
            continue  # regex-only routes (admin internals) are not public output
        for path in expand(route, candidates):
            for language_prefix in ("/", "/ru/"):
                url = ("/" if path.startswith("api/") else language_prefix) + path
                urls += [url + query for query in QUERIES]
    return [u for u in dict.fromkeys(urls) if not u.startswith(NOT_PUBLIC)]


def test_no_marker_in_yente_or_reconciliation_answers(client, records, accountability_records):
    """The yente API's POSTs (matching, reconciliation) asked for the marked people by name,
    with no cutoff: nothing marked comes back (the GETs are in the crawl)."""
    # The marked people's names, and a listed person's (so that something is found).
    names = [*(f"{MARK}-{role}" for role, _ in CASE_ONLY), MARK, "Apakhonchich Darya"]
    queries = {str(n): {"schema": "Person", "properties": {"name": [name]}}
               for n, name in enumerate(names)}  # fmt: skip
    outputs = [client.post(f"{base}match/default?cutoff=0&limit=50", {"queries": queries},
                           content_type="application/json")
               for base in ("/yente/api/", "/yente/")]  # fmt: skip
    refine = {str(n): {"query": name, "limit": 50} for n, name in enumerate(names)}
    outputs.append(client.post("/yente/api/reconcile/default", {"queries": refine},
                               content_type="application/json"))  # fmt: skip
    answers = [r.json() for r in outputs if r.status_code == 200]
    # Only what was found: the matching answer repeats each query, marked names included.
    found = [a["responses"][k]["results"] for a in answers[:2] for k in a["responses"]]
    found += [a[k]["result"] for a in answers[2:] for k in a]
    assert len(answers) == 3 and all(results for results in found[-1:])
    assert MARK not in json.dumps(found, ensure_ascii=False)


LINK = re.compile(r"""(?:href|src|action)=["']([^"'#]+)""")


def crawl(client, start: list[str], limit: int = 4000) -> dict[str, bytes]:
    """Every start URL, then up to `limit` more pages found through links."""
    seen: dict[str, bytes] = {}
    queue = deque(start)
    while queue and len(seen) < len(start) + limit:
        url = queue.popleft()
        if url in seen or url.startswith(NOT_PUBLIC) or "/ru" + url in NOT_PUBLIC:
            continue
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        # Headers are output too (a file name in Content-Disposition, say).
        head = "".join(f"{name}: {value}\n" for name, value in response.items())
        seen[url] = head.encode() + b"\n" + body
        assert response.status_code < 500, url
        if "html" in response.get("Content-Type", ""):
            for link in LINK.findall(body.decode("utf-8", "replace")):
                absolute = urljoin(url, link.replace("&amp;", "&"))
                parts = urlsplit(absolute)
                if parts.netloc in ("", "testserver"):
                    path = parts.path + (f"?{parts.query}" if parts.query else "")
                    if not path.startswith(("/static/", "/ru/static/")):
                        queue.append(path)
    return seen


def test_the_markers_are_there_for_a_researcher(client, records):
    """The test above could not fail if the markers never reached the database or the API."""
    from civwatch.accounts.models import ApiToken

    token = ApiToken.issue(make_user("rita", "researcher"))
    response = client.get(
        f"/api/cases/incidents/{records['incident'].pk}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert MARK in response.content.decode()
    assert "99817" in response.content.decode()
    # The importer's notes reach staff on the pages the crawl reads.
    sign_in(client, make_user("stan", "contributor"))
    snapshot = records["snapshot"]
    for url in ("/changes/", snapshot.get_absolute_url(), "/api/snapshots"):
        assert f"{MARK}-importer-note" in client.get(url).content.decode(), url


@pytest.fixture
def accountability_records(records):
    """A published entry with markers in its non-public fields and records, an act whose
    participation is internal, and entries still under review with markers everywhere."""
    author = staff("rob", "researcher")
    day = datetime.date(2024, 3, 1)
    judge = Entity.objects.create(id="cw-judge", kind="person", name="Public Judge")
    role = Participant.objects.create(
        incident=records["incident"], entity=judge, role="judge", visibility="public",
        status="published",
    )  # fmt: skip
    entry = Entry(entity=judge, summary="Jailed the searcher's victims.")
    published(entry)
    entry.acts.create(participant=role)
    hidden_role = hidden(
        Participant(incident=records["incident"], entity=judge, role="prosecutor"), "internal"
    )
    entry.acts.create(participant=hidden_role)
    ReplyRecord.objects.create(entry=entry, contacted_on=day, channel=f"{MARK}-channel",
                               answer=f"{MARK}-answer")  # fmt: skip
    Exculpatory.objects.create(entry=entry, text=f"{MARK}-exculpatory", source=f"{MARK}-source")
    Submission.objects.create(
        entry=entry, jurisdiction="uk", authority=f"{MARK}-authority", submitted_on=day,
        reference=f"{MARK}-reference", decided_by=f"{MARK}-decided",
    )  # fmt: skip
    claim = published(Claim(incident=records["incident"], participant=role,
                            statement="The judge approved the search."))  # fmt: skip
    Citation.objects.create(claim=claim, item=EvidenceItem.objects.filter(visibility="public")[0],
                            passage="approved by the judge")  # fmt: skip
    hidden(Claim(incident=records["incident"], participant=role), "confidential")
    for n, status in enumerate(["candidate", "documented", "verified"]):
        person = Entity.objects.create(id=f"cw-unpub-{n}", kind="person", name=f"{MARK}-name-{n}")
        unpublished = Entry(entity=person, created_by=author)
        mark(unpublished, text_fields(Entry))
        unpublished.status = status
        unpublished.save()
        unpublished.acts.create(
            participant=hidden(
                Participant(incident=records["incident"], entity=person, role="judge"), "internal"
            )
        )
        unpublished.corrections.create(note=f"{MARK}-correction-{n}", created_by=author)
    entry.approved_by = records["editor"]
    entry.created_by = author
    entry.save()
    for model in (Act, ReplyRecord, Exculpatory, Submission, Claim, Participant):
        model.objects.filter(created_by=None).update(created_by=author)
    # The entity timeline (civwatch.registers.timeline): a listed person took part in the
    # public incident (whose judge is on the public list, through an act an editor approved:
    # only approved acts are public) and in a confidential one.
    entry.acts.filter(participant=role).update(approved_by=records["editor"])
    listed = Entity.objects.get(pk="fa-212")
    Participant.objects.create(incident=records["incident"], entity=listed, role="victim",
                               visibility="public", status="published")  # fmt: skip
    Participant.objects.create(
        incident=Incident.objects.filter(visibility="confidential").first(), entity=listed,
        role="defendant", visibility="public", status="published",
    )  # fmt: skip
    return {"entry": entry, "listed": listed}


def test_cross_reference_links_are_public_only_when_confirmed_between_public_lists(client, records):
    from civwatch.sanctions.models import Dataset, Link, ListEntry

    dataset = Dataset.objects.create(slug="test-list", title="Test list", kind="official")
    listed = Entity.objects.create(id="tl-1", kind="person", name="Listed Person")
    namesake = Entity.objects.create(id="tl-2", kind="person", name="Other Person")
    for entity in (listed, namesake):
        ListEntry.objects.create(
            dataset=dataset, source_id=entity.pk, entity=entity, name=entity.name
        )
    official = Entity.objects.create(id="cw-official", kind="person", name=f"{MARK}-official")
    Participant.objects.create(
        incident=records["incident"], entity=official, role="judge", visibility="confidential"
    )
    sides = {"right_dataset": "test-list", "right_id": "tl-1", "right_name": listed.name,
             "right_entity": listed, "score": 0.99}  # fmt: skip
    Link.objects.create(
        left_dataset="cases", left_id=official.pk, left_name=official.name,
        left_entity=official, status="confirmed", **sides,
    )  # fmt: skip
    Link.objects.create(
        left_dataset="test-list", left_id="tl-2", left_name=namesake.name, left_entity=namesake,
        explanation={"name": {"tokens": [{"query": f"{MARK}-proposal"}]}}, **sides,
    )  # fmt: skip
    start = ["/sanctions/", "/ru/sanctions/", *(u for u in discovered_urls() if "sanctions" in u)]
    pages = crawl(client, start)
    assert "/sanctions/test-list/entries/tl-1/" in pages  # reached through the list pages
    assert f"/api/sanctions/status/{official.pk}" in pages
    assert not [url for url, body in pages.items() if MARK.encode() in body]


def cli_exports(tmp_path) -> dict[str, bytes]:
    """Every file the CLI publishes: each exporter, each register, each format, into a file."""
    from civwatch.core.subcommands import EXPORTERS
    from civwatch.registers.sources import FORMATS

    # A new exporter must be added here, or this crawl would silently miss its output.
    assert set(EXPORTERS) == {"designations", "ftm", "accountability", "initiatives"}, sorted(
        EXPORTERS
    )
    runs = [("export", "ftm"), ("export", "accountability")]
    runs += [("export", "initiatives", "--format", fmt) for fmt in ("jsonl", "csv")]
    for register in FORMATS:
        for fmt in ("jsonl", "csv"):
            runs.append(("export", "designations", "--register", register, "--format", fmt))
            runs.append(("changes", "--register", register, "--format", fmt))
    folder = tmp_path / "exports"
    folder.mkdir(exist_ok=True)
    outputs = {}
    for number, args in enumerate(runs):
        path = folder / f"{number}.out"
        call_command(*args, "--output", str(path))
        outputs[" ".join(args)] = path.read_bytes()
    # An open-data release (civwatch publish), every file of it, into the folder the site
    # serves releases from: the crawl of the public pages then reaches them too.
    release = io.StringIO()
    call_command("publish", "--output", str(settings.CIVWATCH_RELEASES), stdout=release)
    for path in sorted(Path(release.getvalue().strip()).iterdir()):
        outputs[f"publish {path.name}"] = path.read_bytes()
    return outputs


def public_output(client, tmp_path, start: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every CLI export and release, and every public page, API answer, feed and release file
    the crawl reaches (releases first, so that the site has one to serve)."""
    exports = cli_exports(tmp_path)
    return {**crawl(client, [*start, *discovered_urls()]), **exports}


def test_the_case_only_people_are_in_the_database_the_export_reads(records):
    """The test above could not fail if the case-only people were missing or unnamed."""
    for role, _visibility in CASE_ONLY:
        person = Entity.objects.get(pk=f"cw-case-{role}")
        assert person.name == f"{MARK}-{role}" and person.identifiers.exists()
        assert Participant.objects.filter(entity=person, role=role).exists()


@pytest.fixture
def decided_link(records):
    """A confirmed cross-reference link between two public lists, decided by an editor."""
    from civwatch.sanctions.models import Dataset, Link, ListEntry

    entities = []
    for slug in ("list-a", "list-b"):
        dataset = Dataset.objects.create(slug=slug, title=slug, kind="official")
        # A version whose importer's notes are staff bookkeeping (issue 11, item 8).
        dataset.versions.create(fingerprint=slug, notes=[f"{MARK}-version-note"])
        entity = Entity.objects.create(id=f"{slug}-1", kind="person", name="Same Person")
        ListEntry.objects.create(dataset=dataset, source_id="1", entity=entity, name=entity.name)
        entities.append(entity)
    link = Link.objects.create(
        left_dataset="list-a", left_id="1", left_name="Same Person", left_entity=entities[0],
        right_dataset="list-b", right_id="1", right_name="Same Person", right_entity=entities[1],
        score=0.99,
    )  # fmt: skip
    link.decide(records["editor"], "confirmed")
    return link


def test_staff_user_names_are_there_for_a_researcher(client, records, decided_link):
    """The test above could not fail if no record named its staff author or decider."""
    from civwatch.accounts.models import ApiToken

    token = ApiToken.issue(make_user("rita", "researcher"))
    headers = {"Authorization": f"Bearer {token}"}
    entry = client.get("/api/sanctions/entry?dataset=list-a&source_id=1", headers=headers)
    assert f"{STAFF}-erin" in entry.content.decode()
    incident = client.get(f"/api/cases/incidents/{records['incident'].pk}", headers=headers)
    assert f"{STAFF}-carol" in incident.content.decode()
    # A list version's importer notes reach staff (the crawl checks the public does not).
    sign_in(client, make_user("stan", "contributor"))
    version = decided_link.left_entity.list_entries.get().dataset.latest_version
    assert f"{MARK}-version-note" in client.get(version.get_absolute_url()).content.decode()


def hidden_digests() -> list[str]:
    """The plain sha256 of every evidence item: of a file never public, of a quoted passage
    never public, of an address the record keeps internal. Also as pages abbreviate it."""
    digests = list(EvidenceItem.objects.values_list("sha256", flat=True))
    quote = titled(EvidenceItem, "Report 0")
    page = EvidenceItem.objects.get(kind="web_page")
    assert quote.sha256 == hashlib.sha256(f"{MARK}-quote-0".encode()).hexdigest()
    assert (
        page.sha256 == hashlib.sha256(f"https://example.org/{MARK}-captured".encode()).hexdigest()
    )
    return [text for digest in digests for text in (digest, digest[:16])]


def test_plain_hashes_are_there_for_an_editor(client, records):
    """The test above could not fail if the hashes never reached any output."""
    from civwatch.accounts.models import ApiToken

    token = ApiToken.issue(make_user("eddie", "editor"))
    response = client.get(
        f"/api/cases/incidents/{records['incident'].pk}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert all(digest in response.content.decode() for digest in hidden_digests()[::2])


def test_without_a_hash_key_no_evidence_hash_is_published(client, records, settings):
    settings.CIVWATCH_HASH_KEY = ""
    body = client.get(f"/api/cases/incidents/{records['incident'].pk}").content.decode()
    assert "Leaked file" in body and "sha256" not in body


def test_no_model_declares_a_staff_user_or_a_plain_hash_public():
    """The rules hold by construction: a user (author, approver) or a content hash can never
    be listed among a model's public fields, whatever a later change to a model adds."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    from civwatch.cases.public import STAFF_FIELDS

    documented = [m for m in apps.get_models() if issubclass(m, DocumentedRecord)]
    assert {Case, Incident, Participant, Position, EvidenceItem, Claim, Entry} <= set(documented)
    for model in documented:
        users = {f.name for f in model._meta.concrete_fields
                 if f.is_relation and f.related_model is get_user_model()}  # fmt: skip
        assert users == set(STAFF_FIELDS), model
        assert not users & set(model.PUBLIC_FIELDS), model
        assert not set(model.PUBLIC_DIGESTS) & set(model.PUBLIC_FIELDS), model
    assert EvidenceItem.PUBLIC_DIGESTS == ("sha256",)


def test_a_dossier_names_no_staff_member(records, accountability_records):
    """A dossier is read at the internal level but leaves the organisation."""
    from civwatch.accountability import dossier

    content = dossier.render(accountability_records["entry"], "uk", "json").decode()
    assert "Public Judge" in content and "The judge approved the search." in content
    assert STAFF not in content


# ---------------------------------------------------------------------------------------------
# Open letters (civwatch.letters): signers' details, editors' notes and signatures that are not
# verified or not to be named never reach the public.


@pytest.fixture
def letter_records(records):
    from civwatch.letters.delivery import record_delivery
    from civwatch.letters.models import Display, Signature, VerificationState
    from tests.letters_data import make_letter

    letter = make_letter("marked-letter")
    private = ["signer_name", "signer_role", "email", "note"]
    named = Signature(letter=letter, organisation="Named Signatory", country="DE",
                      website="https://named.example", domain="named.example",
                      display=Display.PUBLIC, state=VerificationState.VERIFIED,
                      verified_on=datetime.date(2026, 1, 5),
                      verified_by=records["editor"])  # fmt: skip
    mark(named, private)
    named.save()
    for n, (display, state) in enumerate([
        (Display.HIDDEN, VerificationState.VERIFIED),
        (Display.NOT_COUNTED, VerificationState.VERIFIED),
        (Display.PUBLIC, VerificationState.PENDING),
        (Display.PUBLIC, VerificationState.REJECTED),
    ]):  # fmt: skip
        other = Signature(letter=letter, display=display, state=state, domain=f"o{n}.example")
        mark(other, text_fields(Signature))
        other.country = "FR"
        other.save()
    delivery = record_delivery(letter, letter.versions.get(language="en"),
                               datetime.date(2026, 2, 1), "The Office", "post",
                               note=f"{MARK}-delivery-note", user=records["editor"])  # fmt: skip
    delivery.replies.create(received_on=datetime.date(2026, 2, 9), sender="The Office",
                            summary="Received.", note=f"{MARK}-reply-note")  # fmt: skip
    return {"letter": letter, "delivery": delivery}


def test_no_signer_detail_or_unnamed_signature_in_public_letter_output(
    client, letter_records, tmp_path
):
    from pypdf import PdfReader

    from civwatch.letters.models import Signature

    start = ["/letters/", "/ru/letters/", "/letters/marked-letter/", "/ru/letters/marked-letter/",
             "/api/letters/marked-letter", "/api/letters/marked-letter/signatures",
             *(u for u in discovered_urls() if "letters" in u)]  # fmt: skip
    pages = crawl(client, start)
    delivery = letter_records["delivery"]
    pdf_url = f"/letters/marked-letter/deliveries/{delivery.pk}.pdf"
    assert "/letters/marked-letter/signatures.csv" in pages and pdf_url in pages
    reached = b"".join(pages.values())
    for expected in ("Named Signatory", "Received.", "Франция", delivery.pdf_sha256):
        assert expected.encode() in reached, expected
    assert b"2 verified signatures" in pages["/letters/marked-letter/"]  # the hidden one counted
    leaks = [url for url, body in pages.items() if MARK.encode() in body]
    assert not leaks, sorted(leaks)[:20]
    pdf = client.get(pdf_url).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Named Signatory" in text and MARK not in text
    for fmt in ("csv", "jsonl"):
        path = tmp_path / f"letters.{fmt}"
        call_command("letters", "export", "marked-letter", "--format", fmt, "--output", str(path))
        exported = path.read_text(encoding="utf-8")
        assert "Named Signatory" in exported and MARK not in exported
    # The test could not fail if the markers were not stored where the pages read.
    assert sum(MARK in s.signer_name for s in Signature.objects.all()) == 5


# ---------------------------------------------------------------------------------------------
# Citizens' initiatives (civwatch.initiatives): a published one shows only its kind, city, date
# and support; everything else of it, and everything of the unpublished ones, is staff-only.


def initiative_models() -> tuple:
    from civwatch.initiatives.models import Attachment, Initiative

    return (Initiative, Attachment)


@pytest.fixture
def initiative_records(settings, tmp_path):
    from civwatch.initiatives import workflow
    from civwatch.initiatives.models import Initiative, Message, SupportAction

    settings.MEDIA_ROOT = tmp_path
    editor = staff("ivy", "editor")
    photo = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(photo, format="JPEG")
    made = []
    for n, state in enumerate(["published", "supported", "declined", "received"]):
        done = workflow.submit(
            kind="rally", city=f"Town {n}", date=datetime.date(2030, 6, 12), description="x",
            uploads=[(f"{MARK}-file-{n}.jpg", photo.getvalue())],
        )  # fmt: skip
        initiative = done.initiative
        if state != "received":
            workflow.move(initiative, editor, "under_review")
            workflow.move(initiative, editor, state.replace("published", "supported"), "x")
        if state in ("published", "supported"):
            workflow.add_support(initiative, editor, "funding")
        workflow.ask(initiative, editor, "x")
        workflow.answer(initiative, "x")
        if state == "published":
            workflow.publish(initiative, True)
            mark(
                initiative,
                [f for f in text_fields(Initiative) if f not in Initiative.PUBLIC_FIELDS],
            )
        else:
            mark(initiative, text_fields(Initiative))
        initiative.save()
        for model, rows in ((Message, initiative.messages.all()),
                            (SupportAction, initiative.support_actions.all())):  # fmt: skip
            for row in rows:
                mark(row, text_fields(model))
                row.save()
        made.append(initiative)
    return made


def test_the_initiative_markers_are_there_for_an_editor(client, initiative_records):
    """The test above could not fail if the markers never reached the database or the pages."""
    from tests.auth_helpers import sign_in

    sign_in(client, make_user("ed", "editor"))
    page = client.get(f"/initiatives/staff/{initiative_records[0].pk}/").content.decode()
    for field in (
        "description",
        "address",
        "organisers_contact",
        "decision_reason",
        "outcome_note",
    ):
        assert f"{MARK}-initiative-{field}" in page, field
    assert f"{MARK}-message-text" in page and f"{MARK}-supportaction-note" in page


# ---------------------------------------------------------------------------------------------
# One crawl of everything public, checked for every kind of hidden value. Crawling every page
# and running every export is the slowest part of the suite: the worlds above are built
# together and crawled once, and each check below says what it proves.

INITIATIVE_PAGES = ("/initiatives/", "/ru/initiatives/", "/initiatives/propose/",
                    "/initiatives/receipt/")  # fmt: skip
ENTRY_API = "/api/sanctions/entry?dataset=list-a&source_id=1"


def reached_the_published_records(output: dict[str, bytes], records: dict) -> None:
    """The crawl really reached the published records and their public parts: a check that
    found no marker in pages it never fetched would prove nothing."""
    incident, case = records["incident"], records["case"]
    reached = b"".join(output.values())
    for expected in ("Search of the office", "Case against Memorial", "Police searched the office.",
                     "Public Defender", "entered the office", "Outlet 9"):  # fmt: skip
        assert expected.encode() in reached, expected
    assert f"/cases/incidents/{incident.pk}/" in output and f"/api/cases/cases/{case.pk}" in output
    assert "/cases/incidents.jsonl" in output and "/cases/feed.atom" in output
    # The yente API too (its entity pages for every entity id, search, catalogue...).
    assert "/yente/api/search/default?limit=500" in output and "/yente/catalog" in output


def reached_the_accountability_list(output: dict[str, bytes], accountability: dict) -> None:
    entry, listed = accountability["entry"], accountability["listed"]
    assert f"/accountability/{entry.pk}/" in output and "/accountability/" in output
    assert f"/api/accountability/entries/{entry.pk}" in output
    reached = b"".join(output.values())
    for expected in ("Public Judge", "The judge approved the search.", "approved by the judge"):
        assert expected.encode() in reached, expected
    # The listed person's timeline, on her page and in the API, holds the public incident and
    # the entry of the judge held responsible for it.
    for url in (f"/entities/{listed.pk}/", f"/ru/entities/{listed.pk}/",
                f"/api/entities/{listed.pk}/timeline"):  # fmt: skip
        assert b"Search of the office" in output[url] and b"Public Judge" in output[url], url


def reached_every_export(output: dict[str, bytes], records: dict) -> None:
    """The exports contain the listed entities and the published entry, and the release the
    CLI wrote was reached through the public release pages."""
    ftm = output["export ftm"].decode()
    designations = output["export designations --register foreign-agents --format jsonl"]
    assert "Апахончич Дарья Александровна" in designations.decode()
    for name in records["listed"]:  # a designated person, a member of a designated movement
        assert name in ftm, name
        assert name in output["publish entities.ftm.jsonl"].decode(), name
    for name in ("export accountability", "publish accountability.ftm.jsonl",
                 "publish targets.simple.csv"):  # fmt: skip
        assert "Public Judge" in output[name].decode(), name
    assert ftm.splitlines() == output["publish entities.ftm.jsonl"].decode().splitlines()
    changes = output["changes --register foreign-agents --format csv"].decode()
    assert "Апахончич Дарья Александровна" in changes
    # Case-only people, even a participant the public pages show, are not listed entities.
    assert "Public Defender" not in ftm and "cw-case-" not in ftm
    assert [u for u in output if re.fullmatch(r"/releases/[\d.-]+/files/entities\.ftm\.jsonl", u)]


def reached_the_decided_link_and_the_initiatives(output: dict[str, bytes]) -> None:
    assert "/sanctions/list-a/entries/1/" in output
    # The decision is public, the decider only as a role.
    entry = output[ENTRY_API].decode()
    assert '"decided_by_role": "editor"' in entry and "confirmed" in entry
    assert "confirmed by an editor" in output["/sanctions/list-a/entries/1/"].decode()
    assert "подтверждено редактором" in output["/ru/sanctions/list-a/entries/1/"].decode()
    reached = b"".join(output.values())
    assert b"Town 0" in reached and b"funding" in reached  # the published one, and its support


def test_no_hidden_value_in_any_public_output(
    client, records, accountability_records, decided_link, initiative_records
):
    """No public page, API answer, feed, release file or CLI export holds a marker (a value
    not public by the model's declaration, a record's field setting, its visibility or its
    status), a staff member's user name, or the plain sha256 of evidence not public."""
    # An entity known only from a confidential participant is not public either.
    secret = Entity.objects.create(id="cw-secret", kind="person", name=f"{MARK}-victim")
    Participant.objects.create(
        incident=records["incident"], entity=secret, role="victim", visibility="confidential"
    )
    output = public_output(
        client, records["tmp_path"], (ENTRY_API, "/api/sanctions/links", *INITIATIVE_PAGES)
    )
    reached_the_published_records(output, records)
    reached_the_accountability_list(output, accountability_records)
    reached_every_export(output, records)
    reached_the_decided_link_and_the_initiatives(output)
    picture = titled(EvidenceItem, "Photo of the door")
    assert f"/cases/evidence/{picture.pk}/preview.png" in output  # stored under its sha256

    markers = sorted(what for what, data in output.items() if MARK.encode() in data)
    assert not markers, markers[:20]
    staff_names = sorted(what for what, data in output.items() if STAFF.encode() in data)
    assert not staff_names, staff_names[:20]
    reached = b"".join(output.values())
    assert b"99817" not in reached  # a restricted number, not only text
    for town in (b"Town 1", b"Town 2", b"Town 3"):  # initiatives not published
        assert town not in reached
    digests = hidden_digests()  # once: it reads (and decrypts) every item
    hashes = {what: digest for what, data in output.items() for digest in digests
              if digest.encode() in data}  # fmt: skip
    assert not hashes, sorted(hashes.items())[:20]
    # What the public gets instead of a plain hash: the keyed one, in the API.
    from civwatch.core.digests import public_digest

    keyed = public_digest(titled(EvidenceItem, "Report 0").sha256)
    assert keyed and keyed.encode() in output[f"/api/cases/incidents/{records['incident'].pk}"]
