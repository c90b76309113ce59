"""The public pages through Django's test client: bad input, missing pages, query budgets."""

import pytest
from django.urls import reverse

from civwatch.entities.models import Entity
from civwatch.registers.models import Designation, Snapshot
from civwatch.screening.lists import database_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(full_history):
    """The module's imported history (read-only)."""


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=abc", "year"),
        ("year=1800", "year"),
        ("status=bogus", "status"),
        ("kind=spaceship", "kind"),
        ("legal_basis=no-such-law", "legal_basis"),
        ("register=nowhere", "register"),
        ("q=" + "x" * 300, "q"),
    ],
)
def test_register_list_shows_form_errors_for_bad_filters(client, history, query, field):
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert b'class="errorlist' in response.content
    # An invalid form filters nothing rather than guessing.
    assert response.context["page"].paginator.count == Designation.objects.count()


@pytest.mark.parametrize("page", ["999999", "abc", "-1", "0"])
def test_out_of_range_pages_fall_back_to_a_real_page(client, history, page):
    response = client.get("/", {"page": page})
    assert response.status_code == 200
    assert len(response.context["page"]) > 0


@pytest.mark.parametrize(
    "url",
    [
        "/changes/?kind=bogus&register=nowhere&page=999999",
        "/statistics/?register=nowhere",
        "/changes/feed.atom?page=abc",
    ],
)
def test_other_pages_survive_bad_parameters(client, history, url):
    assert client.get(url).status_code == 200


def test_snapshot_page_ignores_an_unknown_kind(client, history):
    snapshot = Snapshot.objects.get(register="foreign-agents", file_name="registry-2024-10-01.json")
    response = client.get(snapshot.get_absolute_url(), {"kind": "bogus", "page": "abc"})
    assert response.status_code == 200
    assert len(response.context["page"]) == snapshot.changes.count()


@pytest.mark.parametrize(
    "url", ["/entities/fa-999999/", "/snapshots/999999/", "/snapshots/abc/", "/ru/entities/x/"]
)
def test_missing_objects_are_404(client, history, url):
    assert client.get(url).status_code == 404


def test_filters_use_the_shared_query(client, history):
    response = client.get("/", {"register": "undesirable", "status": "active"})
    expected = Designation.objects.filter(register="undesirable", status="active").count()
    assert response.context["page"].paginator.count == expected > 0


def test_register_list_runs_a_bounded_number_of_queries(
    client, history, django_assert_max_num_queries
):
    # Count + one page of designations with their entity, register and legal basis joined;
    # a few more for the session and the form's choice lists, never one per row. A name
    # adds two: whether the screening index is current, and the entities the filters leave
    # (the index itself is built once per process and list change, not per request).
    database_index()
    with django_assert_max_num_queries(10):
        response = client.get("/", {"q": "Ponomarev"})
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        response = client.get("/")
    assert len(response.context["page"]) == 50


def test_entity_page_runs_a_bounded_number_of_queries(
    client, history, django_assert_max_num_queries
):
    # The entity with the most designations, changes and snapshots, so N+1 would show.
    entity = max(
        Entity.objects.filter(designations__isnull=False).distinct()[:300],
        key=lambda e: sum(d.changes.count() + d.snapshots.count() for d in e.designations.all()),
    )
    # 13: the sanctions status adds one query for the dates of the official lists (constant).
    # 15: the timeline adds two, whatever the entity has (its public participations; its own
    # and its incidents' accountability entries); its register events use the prefetch.
    # 16: the footer names the entity's registers with the date of their data (one query; one
    # more only for an entity on a sanctions list).
    with django_assert_max_num_queries(16):
        response = client.get(entity.get_absolute_url())
    assert response.status_code == 200
    assert response.context["entity"] == entity


@pytest.mark.parametrize("name", ["registers:changes", "registers:statistics"])
def test_summary_pages_run_a_bounded_number_of_queries(
    client, history, django_assert_max_num_queries, name
):
    with django_assert_max_num_queries(8):
        assert client.get(reverse(name)).status_code == 200


def test_russian_pages_are_under_ru(client, history):
    response = client.get("/ru/changes/")
    assert response.status_code == 200
    assert "Изменения".encode() in response.content
    assert response.headers["Content-Language"] == "ru"


def test_language_switch_keeps_the_page_and_its_filters(client, history):
    page = client.get("/ru/statistics/", {"register": "undesirable"})
    next_url = page.context["request"].get_full_path()
    assert b'value="/statistics/?register=undesirable"' in page.content
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/statistics/?register=undesirable"}
    )
    assert (
        response.status_code == 302 and response["Location"] == "/statistics/?register=undesirable"
    )
    response = client.post(
        "/i18n/setlang/", {"language": "ru", "next": "/statistics/?register=undesirable"}
    )
    assert response["Location"] == "/ru/statistics/?register=undesirable"
    assert next_url == "/ru/statistics/?register=undesirable"
