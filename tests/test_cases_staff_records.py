"""Staff forms for cases and officials' positions: same visibility and review rules as
incidents, lists in the staff area, bad input refused with nothing saved."""

import pytest
from django.urls import reverse
from django.utils import translation

from civwatch.cases.models import Case, Position
from civwatch.entities.models import Entity
from tests.auth_helpers import sign_in
from tests.test_cases import make_user

pytestmark = pytest.mark.django_db
SECRET = "informant: the court clerk"


@pytest.fixture
def team():
    return {
        "carol": make_user("carol", "contributor"),
        "rita": make_user("rita", "researcher"),
        "eddie": make_user("eddie", "editor"),
        "erin": make_user("erin", "editor"),
    }


@pytest.fixture
def judge():
    entity = Entity(id="cw-judge-1", kind="person", name="Веретенникова Ольга Сергеевна")
    entity.index_names([entity.name])
    entity.save()
    return entity


def case_data(**extra) -> dict:
    return {
        "title": "Case against the rights defender",
        "kind": "administrative",
        "article": "20.2 КоАП",
        "court": "Tverskoy District Court",
        "opened_on": "2024-03-12",
        "visibility": "public",
        "field_visibility": "{}",
        "internal_notes": SECRET,
        **extra,
    }


def move(client, model: str, pk: int, to: str) -> None:
    client.post(reverse("cases:staff_move", args=[model, pk]), {"to": to})


def test_a_case_is_recorded_reviewed_and_published_without_its_internal_notes(client, team):
    sign_in(client, team["carol"])
    response = client.post(reverse("cases:staff_case_new"), case_data())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:staff_case", args=[case.pk])
    assert (case.created_by, case.status) == (team["carol"], "draft")
    assert case.history().get().action == "created"
    move(client, "case", case.pk, "in_review")

    sign_in(client, team["eddie"])
    move(client, "case", case.pk, "verified")
    move(client, "case", case.pk, "published")
    case.refresh_from_db()
    assert (case.status, case.approved_by) == ("published", team["eddie"])
    assert [r.action for r in case.history()] == ["created", "in_review", "verified", "published"]

    client.logout()
    public = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "Case against the rights defender" in public and SECRET not in public


def test_an_editor_cannot_publish_their_own_case(client, team):
    sign_in(client, team["eddie"])
    client.post(reverse("cases:staff_case_new"), case_data())
    case = Case.objects.get()
    move(client, "case", case.pk, "in_review")
    move(client, "case", case.pk, "verified")
    case.refresh_from_db()
    assert case.status == "in_review"


def test_a_case_closing_before_it_opens_is_refused(client, team):
    sign_in(client, team["carol"])
    response = client.post(reverse("cases:staff_case_new"), case_data(closed_on="2024-01-01"))
    assert response.status_code == 400
    assert "A case cannot close before it opens." in response.content.decode()
    assert not Case.objects.exists()


def test_a_position_is_recorded_with_its_dates_and_their_precision(client, team, judge):
    sign_in(client, team["carol"])
    data = {
        "pick": judge.pk,
        "post": "judge",
        "agency": "Tverskoy District Court of Moscow",
        "started_on": "2015-01-01",
        "ended_on": "",
        "date_precision": "year",
        "visibility": "internal",
        "field_visibility": '{"agency": "confidential"}',
    }
    response = client.post(reverse("cases:staff_position_new"), data)
    position = Position.objects.get()
    assert response.status_code == 302
    assert (position.entity, position.date_precision, position.ended_on) == (judge, "year", None)
    page = client.get(reverse("cases:staff_position", args=[position.pk])).content.decode()
    assert "Tverskoy District Court of Moscow" in page  # the author sees all of it

    response = client.post(reverse("cases:staff_position_new"), {**data, "pick": "nobody"})
    assert response.status_code == 400
    assert "Choose one of the people or organisations found." in response.content.decode()
    response = client.post(reverse("cases:staff_position_new"), {**data, "ended_on": "2010-01-01"})
    assert "A position cannot end before it starts." in response.content.decode()
    assert Position.objects.count() == 1


def test_lists_show_each_role_what_it_may_read(client, team, judge):
    sign_in(client, team["carol"])
    client.post(reverse("cases:staff_case_new"), case_data(title="Open case"))
    client.post(
        reverse("cases:staff_case_new"),
        case_data(title="Secret case", visibility="confidential"),
    )
    sign_in(client, team["erin"])
    client.post(reverse("cases:staff_case_new"), case_data(title="Case by Erin"))

    def titles(user) -> set[str]:
        sign_in(client, user)
        page = client.get(reverse("cases:staff_cases")).content.decode()
        return {t for t in ("Open case", "Secret case", "Case by Erin") if t in page}

    assert titles(team["carol"]) == {"Open case", "Secret case"}  # her own drafts
    assert titles(team["rita"]) == {"Open case", "Case by Erin"}  # not the confidential one
    assert titles(team["eddie"]) == {"Open case", "Secret case", "Case by Erin"}
    by_title = {case.title: case for case in Case.objects.all()}  # titles are encrypted
    secret = by_title["Secret case"]
    sign_in(client, team["rita"])
    assert client.get(reverse("cases:staff_case", args=[secret.pk])).status_code == 404
    sign_in(client, team["carol"])
    erins = by_title["Case by Erin"]
    # Erin's draft is not Carol's to read: it is answered like a missing case.
    assert client.get(reverse("cases:staff_case_edit", args=[erins.pk])).status_code == 404


def test_the_forms_speak_russian(client, team):
    sign_in(client, team["carol"])
    case_form, position_form = reverse("cases:staff_case_new"), reverse("cases:staff_position_new")
    # override() restores the language afterwards: a request leaves its language active in
    # the test's thread, and later tests read English messages.
    with translation.override("ru"):
        page = client.get("/ru" + case_form).content.decode()
        assert "Записать дело" in page and "статья кодекса" in page.lower()
        page = client.get("/ru" + position_form).content.decode()
        assert "Записать должность" in page
