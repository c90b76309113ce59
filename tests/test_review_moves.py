"""Review moves and history on the staff record pages, for people (issue 11, item 3).

Each move the user's role allows is a button named in words in the page's language, with a
sentence on what it will do; a move the workflow would refuse for this record now is shown
disabled with the reasons `move()` would give, before the user tries. The history names
staff members by their display name, says what happened in words, and lists the changed
fields by their labels, with dates in the page's language."""

import re

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from civwatch.accountability import workflow as entries
from civwatch.cases.models import Incident
from civwatch.cases.workflow import MOVE_WORDS, TRANSITIONS, move, move_refusals
from civwatch.core.errors import UserError
from tests import test_four_eyes
from tests.accountability_data import documented_official, entry_for
from tests.auth_helpers import sign_in
from tests.test_cases import make_incident

pytestmark = pytest.mark.django_db


team = test_four_eyes.team  # a contributor, a researcher and two editors


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def part(html: str, pattern: str) -> str:
    """The first element of the page matching `pattern` (a regular expression)."""
    found = re.search(pattern, html, re.S)
    assert found, pattern
    return found.group(0)


def moves_of(html: str) -> str:
    return part(html, r'<div class="moves">.*?</div>\s*(?=<dl|<h2|<p|$)')


def history_of(html: str) -> str:
    return part(html, r'<table class="history">.*?</table>')


def test_every_move_of_both_workflows_has_its_words():
    assert set(TRANSITIONS) | set(entries.TRANSITIONS) <= set(MOVE_WORDS)
    for words in MOVE_WORDS.values():
        assert str(words.explanation).endswith(".")


def test_the_author_of_a_draft_sends_it_for_review_in_words_in_both_languages(client, team):
    incident = make_incident(team["carol"])
    sign_in(client, team["carol"])
    url = f"/cases/staff/incidents/{incident.pk}/"
    moves = moves_of(page(client, url))
    assert "Send for review" in moves and "Move to" not in moves
    assert "An editor other than its author checks it before it can be published." in moves
    # The value is the status: other tests and the browser tests click by it.
    assert 'name="move" value="in_review"' in moves and 'name="to" value="in_review"' in moves
    moves = moves_of(page(client, "/ru" + url))
    assert "Отправить на проверку" in moves and "Send for review" not in moves
    assert "in_review" not in re.sub(r'value="in_review"|-in_review"', "", moves)


def test_the_editor_who_wrote_it_sees_verify_refused_and_another_editor_may_verify(client, team):
    incident = make_incident(team["eddie"])
    move(incident, "in_review", team["eddie"])
    url = f"/cases/staff/incidents/{incident.pk}/"
    four_eyes = "An editor other than the author must approve it"

    sign_in(client, team["eddie"])
    moves = moves_of(page(client, url))
    refused = part(moves, r'<div class="move refused">.*?</div>')
    assert re.search(r'<button type="button" value="verified" disabled', refused)
    assert "Verify" in refused and four_eyes in refused
    # "Back to draft" stays possible for him: only the refused move is disabled.
    assert re.search(r'<button type="submit" name="move" value="draft"', moves)
    # What the page says is what the workflow answers when he tries.
    assert move_refusals(incident, "verified", team["eddie"]) == [
        "An editor other than the author must approve it (you wrote or changed content of it "
        "that no other editor has approved yet)."
    ]
    with pytest.raises(UserError, match=four_eyes):
        move(incident, "verified", team["eddie"])
    ru = moves_of(page(client, "/ru" + url))
    assert "Подтвердить проверку" in ru and "Сейчас невозможно:" in ru

    sign_in(client, team["erin"])
    moves = moves_of(page(client, url))
    assert re.search(r'<button type="submit" name="move" value="verified"', moves)
    assert "disabled" not in moves and four_eyes not in moves
    assert "You confirm the content and its sources were checked" in moves


def test_a_move_the_role_never_allows_is_not_shown(client, team):
    incident = make_incident(team["carol"])
    move(incident, "in_review", team["carol"])
    sign_in(client, team["carol"])
    html = page(client, f"/cases/staff/incidents/{incident.pk}/")
    assert 'value="verified"' not in html and "Verify" not in html


def test_a_correction_asks_for_its_note_and_is_not_refused_before_it_is_written(client, team):
    incident = make_incident(team["carol"], visibility="public")
    move(incident, "in_review", team["carol"])
    move(incident, "verified", team["eddie"])
    move(incident, "published", team["eddie"])
    sign_in(client, team["erin"])
    moves = moves_of(page(client, f"/cases/staff/incidents/{incident.pk}/"))
    assert "Withdraw" in moves and "Publish a correction" in moves
    assert "disabled" not in moves and moves.count('<input name="note" required>') == 2


def test_the_history_names_people_actions_and_fields_in_words(client, team):
    eddie = team["eddie"]
    eddie.first_name, eddie.last_name = "Eddie", "Redaktorov"
    eddie.save()
    incident = make_incident(team["carol"], place="Moscow")
    incident.place, incident.description = "Saint Petersburg", "The police came at dawn."
    incident.save_with_history(team["carol"])
    move(incident, "in_review", team["carol"])
    move(incident, "verified", eddie)
    sign_in(client, eddie)
    url = f"/cases/staff/incidents/{incident.pk}/"

    history = history_of(page(client, url))
    assert "Eddie Redaktorov" in history and "carol" in history  # no full name: the username
    assert "sent for review" in history and "verified" in history and "edited" in history
    assert "place" in history and "description" in history
    for raw in ("incident_type", "date_precision", "field_visibility", "in_review",
                "approved_by", "created_by", "Incident object"):  # fmt: skip
        assert raw not in history
    assert not re.search(r"\d\d:\d\d:\d\d", history)  # no seconds, let alone microseconds

    history = history_of(page(client, "/ru" + url))
    assert "Eddie Redaktorov" in history
    assert "отправлено на проверку" in history and "изменено" in history
    assert "место" in history and "place" not in history and "description" not in history
    created = Incident.objects.get().history().first().at
    with translation.override("ru"):
        when = date_format(timezone.localtime(created), "DATETIME_FORMAT")
    assert when in history


def test_the_accountability_entry_page_shows_its_moves_in_words(client, team):
    official = documented_official(team["rita"], team["eddie"])
    entry = entry_for(official, team["eddie"])  # the editor attributed the act himself
    url = f"/accountability/staff/{entry.pk}/"
    sign_in(client, team["rita"])
    moves = moves_of(page(client, url))
    assert 'name="move" value="documented"' in moves and "Mark as documented" in moves
    assert "Move to" not in moves
    entries.move(entry, "documented", team["rita"])

    sign_in(client, team["eddie"])
    refused = part(moves_of(page(client, url)), r'<div class="move refused">.*?</div>')
    assert 'value="verified" disabled' in refused and "Verify" in refused
    assert "An editor other than the author must approve it" in refused
    sign_in(client, team["erin"])
    moves = moves_of(page(client, url))
    assert re.search(r'<button type="submit" name="move" value="verified"', moves)
    assert "Back to candidates" in moves and "disabled" not in moves
    entries.move(entry, "verified", team["erin"])
    history = history_of(page(client, url))
    assert "marked as documented" in history and "verified" in history and "erin" in history


def test_an_entry_without_acts_cannot_be_marked_documented_and_says_why(client, team):
    official = documented_official(team["rita"], team["eddie"])
    entry = entry_for(official, team["rita"])
    entry.acts.all().delete()
    sign_in(client, team["rita"])
    refused = part(
        moves_of(page(client, f"/accountability/staff/{entry.pk}/")),
        r'<div class="move refused">.*?</div>',
    )
    assert "Mark as documented" in refused
    assert "No act is attributed to this person yet." in refused
