"""Search that finds any spelling (issue 12, part 5): the register browser `/`, the sanctions
and external list pages `/sanctions/<dataset>/` and the API's `q` parameters match names
with the screening engine (any script, any romanisation, initials), best match first, with
the exact filters kept and a name being typed still found by its letters
(docs/registers.md, "Searching by name"). On the bundled register history and the bundled
OFAC and ACF lists."""

import io
import re

import pytest
from django.core.management import call_command

from tests.conftest import import_history, wipe_history
from tests.test_sanctions_import import ACF, OFAC
from tests.test_sanctions_xref import wipe_lists

pytestmark = pytest.mark.django_db

LEV_PONOMAREV = "Пономарев Лев Александрович"
ILYA_PONOMAREV = "Пономарев Илья Владимирович"
MURATOV = "Муратов Дмитрий Андреевич"
# How people write Лев Пономарёв: English press, German, initials both ways, Cyrillic.
LEV_SPELLINGS = ["Lev Ponomaryov", "Ponomarjow Lew", "L. A. Ponomarev", "Пономарёв Л. А.",
                 "ПОНОМАРЁВ ЛЕВ"]  # fmt: skip
UNRELATED = "Angela Merkel"  # nobody on these lists; "Angola" and an Anzhela are


@pytest.fixture(scope="module")
def lists(django_db_setup, django_db_blocker):
    """The register history and the OFAC and ACF lists, imported once for the module."""
    with django_db_blocker.unblock():
        import_history()
        call_command("import", "ofac-sdn", str(OFAC), stdout=io.StringIO())
        call_command("import", "acf-list", str(ACF), stdout=io.StringIO())
        yield
        wipe_lists()
        wipe_history()


def listed_names(client, url: str) -> list[str]:
    """The names a register or list page shows, in its order."""
    response = client.get(url)
    assert response.status_code == 200
    return re.findall(r'<tr>\s*<td><a href="[^"]+">([^<]+)</a>', response.content.decode())


def api_names(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    return [item["name"] for item in body.get("items", body.get("results"))]


@pytest.mark.parametrize("query", LEV_SPELLINGS)
def test_the_register_page_finds_any_spelling(lists, client, query):
    assert listed_names(client, f"/?q={query}") == [LEV_PONOMAREV]


@pytest.mark.parametrize("query", LEV_SPELLINGS)
def test_the_api_finds_any_spelling(lists, client, query):
    assert api_names(client, f"/api/entities?q={query}") == [LEV_PONOMAREV]
    assert api_names(client, f"/api/designations?q={query}") == [LEV_PONOMAREV]


def test_a_surname_alone_in_german_spelling_puts_the_person_first(lists, client):
    assert listed_names(client, "/?q=Muratow")[0] == MURATOV
    assert api_names(client, "/api/entities?q=Muratow")[0] == MURATOV
    assert listed_names(client, "/ru/?q=Муратов")[0] == MURATOV


def test_a_name_being_typed_is_still_found_by_its_letters(lists, client):
    # "Понома" is no name the engine knows; it is the beginning of two.
    assert set(listed_names(client, "/?q=Понома")) == {LEV_PONOMAREV, ILYA_PONOMAREV}
    assert set(api_names(client, "/api/entities?q=ponoma")) == {LEV_PONOMAREV, ILYA_PONOMAREV}


def test_the_best_match_comes_first(lists, client):
    # Both Ponomarevs match the surname; the one whose given name was typed is first.
    assert listed_names(client, "/?q=Ponomaryov Ilya") == [ILYA_PONOMAREV]
    both = listed_names(client, "/?q=Ponomaryov")
    assert set(both) == {LEV_PONOMAREV, ILYA_PONOMAREV}
    assert api_names(client, "/api/entities?q=Пономарёв Илья")[0] == ILYA_PONOMAREV


def test_a_filter_narrows_the_ranked_result(lists, client):
    # Лев Пономарёв was listed in 2020, Илья Пономарёв in 2022.
    assert listed_names(client, "/?q=Ponomaryov&year=2022") == [ILYA_PONOMAREV]
    assert listed_names(client, "/?q=Ponomaryov&year=2020&kind=person") == [LEV_PONOMAREV]
    assert listed_names(client, "/?q=Lev Ponomaryov&register=undesirable") == []
    assert api_names(client, "/api/entities?q=Ponomaryov&year=2022") == [ILYA_PONOMAREV]
    assert api_names(client, "/api/entities?q=Ponomaryov&status=removed") == []


def test_an_unrelated_name_finds_nothing(lists, client):
    response = client.get(f"/?q={UNRELATED}")
    assert "Nothing matches these filters." in response.content.decode()
    assert api_names(client, f"/api/entities?q={UNRELATED}") == []
    assert listed_names(client, f"/sanctions/us-ofac-sdn/?q={UNRELATED}") == []
    assert api_names(client, f"/api/sanctions/entries?dataset=acf-list&q={UNRELATED}") == []


def test_without_a_name_the_order_is_the_lists_own(lists, client):
    """Newest listing first on the register page, by name on a list page, as before."""
    from civwatch.registers.models import Designation
    from civwatch.sanctions.models import ListEntry

    newest = Designation.objects.exclude(listed_on=None).order_by("-listed_on", "register", "id")
    assert listed_names(client, "/")[:5] == [d.entity.name for d in newest[:5]]
    entries = ListEntry.objects.filter(dataset="acf-list", present=True)
    by_name = [e.name for e in entries.order_by("name", "source_id")[:5]]
    assert listed_names(client, "/sanctions/acf-list/")[:5] == by_name


def test_pages_of_a_ranked_search_hold_every_result_once(lists, client):
    """A search with more results than a page: the best first, then every other result on
    the following pages, none twice, as many as the count says."""
    first = client.get("/?q=Aleksandr").content.decode()
    count = int(re.search(r'result-count">(\d+) designations', first).group(1))
    assert count > 50 and "?q=Aleksandr&amp;page=2" in first
    rows, names = [], []
    for number in range(1, (count + 49) // 50 + 1):
        page = client.get(f"/?q=Aleksandr&page={number}").content.decode()
        rows += re.findall(r"<tr>\s*<td><a .*?</tr>", page, flags=re.S)
        names += listed_names(client, f"/?q=Aleksandr&page={number}")
    assert len(rows) == len(set(rows)) == count
    # The engine's matches (the given name Александр) come before the names that only
    # contain the letters (the patronymic Александрович).
    assert names[0].split()[1] == "Александр"


@pytest.mark.parametrize(
    ("dataset", "query", "expected"),
    [
        ("acf-list", "Bastrykin Aleksandr", "Бастрыкин Александр Иванович"),
        ("acf-list", "Bastrykin A. I.", "Бастрыкин Александр Иванович"),
        ("acf-list", "Muratow Sergej", "Муратов Сергей Николаевич"),
        ("us-ofac-sdn", "Бастрыкин Александр", "BASTRYKIN, Alexander Ivanovich"),
        ("us-ofac-sdn", "Bastrykine Alexandre", "BASTRYKIN, Alexander Ivanovich"),
    ],
)
def test_the_list_pages_find_any_spelling(lists, client, dataset, query, expected):
    assert listed_names(client, f"/sanctions/{dataset}/?q={query}")[0] == expected
    api = api_names(client, f"/api/sanctions/entries?dataset={dataset}&q={query}")
    assert api[0] == expected


def test_a_list_filter_narrows_the_ranked_result(lists, client):
    found = "/sanctions/us-ofac-sdn/?q=Бастрыкин Александр&programme=MAGNIT"
    assert listed_names(client, found) == ["BASTRYKIN, Alexander Ivanovich"]
    elsewhere = "/sanctions/us-ofac-sdn/?q=Бастрыкин Александр&programme=SDGT"
    assert listed_names(client, elsewhere) == []


def test_a_list_page_finds_only_its_own_entries(lists, client):
    # Бастрыкин is on both lists; the undesirable register does not list him.
    assert listed_names(client, "/sanctions/acf-list/?q=BASTRYKIN, Alexander") == [
        "Бастрыкин Александр Иванович"
    ]
    assert listed_names(client, "/?q=Bastrykin Aleksandr") == []
