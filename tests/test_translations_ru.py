"""Russian is a first-class language: every catalogue is complete, and the second wave's staff
pages (four-eyes review, refusals, missing pages) speak Russian under /ru/."""

import re
from pathlib import Path

import pytest

from tests.auth_helpers import sign_in
from tests.test_cases import make_user
from tests.test_four_eyes import form_data, published_incident

PACKAGE = Path(__file__).parent.parent / "src" / "civwatch"
CATALOGUES = sorted(PACKAGE.glob("**/locale/ru/LC_MESSAGES/django.po"))


def unfinished(path: Path) -> list[str]:
    """Entries that are fuzzy guesses or have an empty translation."""
    found = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        starts = [i for i, line in enumerate(lines) if line.startswith("msgid ")]
        if not starts:
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        header = lines[starts[0]] == 'msgid ""' and lines[starts[0] + 1].startswith("msgstr")
        for i, line in enumerate(lines):
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if re.match(r'msgstr(\[\d\])? ""$', line) and not following.startswith('"'):
                fuzzy = True
        if fuzzy or (header and "Language: ru" not in block):
            found.append("\n".join(lines[starts[0] :]))
    return found


def test_there_are_russian_catalogues():
    assert len(CATALOGUES) >= 8


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_russian_entry_is_translated_and_none_is_a_fuzzy_guess(path):
    assert unfinished(path) == []


@pytest.mark.django_db
def test_the_review_of_a_held_change_is_in_russian(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    carol, eddie = make_user("carol", "contributor"), make_user("eddie", "editor")
    erin = make_user("erin", "editor")
    incident = published_incident(carol, eddie)
    sign_in(client, carol)
    page = client.post(
        f"/ru/cases/staff/incidents/{incident.pk}/edit/",
        form_data(incident, title="Обыск в офисе (непроверено)"),
        follow=True,
    ).content.decode()
    # The message was built at import once, so it stayed English whatever the language.
    assert "Ваше изменение ожидает проверки" in page and "Your change" not in page

    sign_in(client, erin)
    page = client.get(f"/ru/cases/staff/incidents/{incident.pk}/").content.decode()
    assert "Ожидают проверки" in page and "Одобрить" in page and "Отклонить" in page
    assert "Waiting for review" not in page


@pytest.mark.django_db
def test_refusals_and_missing_pages_are_in_russian(client):
    sign_in(client, make_user("carol", "contributor"))
    refused = client.get("/ru/staff/audit/")
    assert refused.status_code == 403 and "Доступ запрещён" in refused.content.decode()
    missing = client.get("/ru/cases/999999/")
    assert missing.status_code == 404 and "Страница не найдена" in missing.content.decode()
    assert "Access denied" in client.get("/staff/audit/").content.decode()
