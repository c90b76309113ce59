"""Organisations across Russian and English, as a screening user and an intake editor see
them (issue 12, part 4). The names are rows of the bundled registers (data/registers/)."""

import pytest

from civwatch.intake.gazetteer import build_gazetteer
from civwatch.intake.mentions import MentionFinder
from civwatch.matching import DEFAULT_THRESHOLD, ScreeningIndex, orgs, record_from_ftm

REGISTER = {
    "memorial": "Межрегиональная общественная организация Правозащитный Центр «Мемориал»",
    "torture": "Межрегиональная общественная организация «Комитет против пыток»",
    "rain": '"Телеканал Дождь"',
    "khodorkovsky": "Khodorkovsky Foundation («Фонд Ходорковского»), Великобритания",
    "verdict": "Фонд содействия защите прав и свобод граждан «Общественный вердикт»",
    "levada": "Автономная Некоммерческая Организация «Аналитический Центр Юрия Левады»",
    "golos": "Ассоциация некоммерческих организаций «В защиту прав избирателей «ГОЛОС»",
    "zvezda": "Телерадиокомпания Вооруженных Сил Российской Федерации «ЗВЕЗДА»",
    "voice-of-america": "«Голос Америки»",
}


def entity(key: str, name: str) -> dict:
    return {"id": key, "schema": "Organization", "properties": {"name": [name]}}


@pytest.fixture(scope="module")
def register() -> ScreeningIndex:
    return ScreeningIndex(record_from_ftm(entity(k, n)) for k, n in REGISTER.items())


def best(index: ScreeningIndex, name: str, schema: str = "Organization"):
    query = {"schema": schema, "properties": {"name": [name]}}
    return index.search(record_from_ftm(query))[0]


@pytest.mark.parametrize(
    ("name", "organisation"),
    [
        ("Memorial", "memorial"),  # the quoted name proper (the issue: 0.49)
        ("Memorial Human Rights Centre", "memorial"),
        ("Pravozashchitny Tsentr Memorial", "memorial"),
        ("Committee Against Torture", "torture"),  # translated word by word
        ("Komitet protiv pytok", "torture"),  # transliterated
        ("TV Rain", "rain"),  # "TV" is телеканал, "Rain" is Дождь
        ("Dozhd", "rain"),
        ("Khodorkovsky Foundation", "khodorkovsky"),  # the state after the comma (0.57)
        ("Фонд Ходорковского", "khodorkovsky"),
        ("Public Verdict Foundation", "verdict"),
        ("Voice of America", "voice-of-america"),
    ],
)
def test_english_and_transliterated_names_find_the_russian_organisation(
    register, name, organisation
):
    top = best(register, name)
    assert top.id == organisation and top.match, (name, top)


def test_the_screening_page_asks_as_a_person_and_still_finds_the_organisation(register):
    # The page screens every name as a Person: vocabulary words still meet their concept.
    for name, organisation in [("TV Rain", "rain"), ("Committee Against Torture", "torture")]:
        top = best(register, name, schema="Person")
        assert top.id == organisation and top.match, (name, top)


def test_the_issue_scores_are_no_longer_sunk_by_a_country_or_legal_forms(register):
    assert best(register, "Memorial").score >= 0.95
    assert best(register, "Khodorkovsky Foundation").score >= 0.95


@pytest.mark.parametrize(
    "name",
    [
        "Human Rights Centre",  # organisation words alone name no one
        "Committee Against Corruption",  # one distinctive word differs
        "TV Zvezda Rain",  # words of two organisations
        "Radio Liberty",
        "Memorial Day Foundation of America",
    ],
)
def test_generic_words_and_partial_names_do_not_reach_the_threshold(register, name):
    query = record_from_ftm({"schema": "Organization", "properties": {"name": [name]}})
    assert not [h for h in register.search(query) if h.match], name


def test_a_match_explains_which_words_met_and_how(register):
    top = best(register, "Committee Against Torture")
    pairs = {(t["query"], t["matched"]) for t in top.explanation["name"]["tokens"]}
    assert pairs == {("committee", "комитет"), ("against", "против"), ("torture", "пыток")}


def test_legal_forms_and_the_vocabulary_are_data_in_both_languages():
    data = orgs.vocabulary()
    assert {"ооо", "ано", "нко", "моо", "роо"} <= set(data["legal_forms"]["ru"])
    for group in ("generic", "words"):
        for concept, spellings in data[group].items():
            assert spellings["ru"] and spellings["en"], concept
    assert orgs.is_generic_word("комитета") and orgs.is_generic_word("Foundation")
    assert orgs.is_legal_form("ООО") and orgs.is_legal_form("OOO")
    assert not orgs.is_generic_word("Мемориал")


def test_quoted_names_nested_or_left_open():
    assert orgs.quoted_names("МРОО «Правозащитный центр «Мемориал»") == [
        "Правозащитный центр «Мемориал",
        "Мемориал",
    ]
    assert orgs.quoted_names('ООО "Ромашка"') == ["Ромашка"]
    assert orgs.quoted_names("Мемориал") == []


def test_a_trailing_state_is_left_out_but_a_state_inside_the_name_is_not():
    assert orgs.without_country("Khodorkovsky Foundation, Великобритания") == (
        "Khodorkovsky Foundation"
    )
    assert orgs.without_country("Bard College, США") == "Bard College"
    assert orgs.without_country("Фонд «Свободная Россия»") == "Фонд «Свободная Россия»"


@pytest.fixture(scope="module")
def finder() -> MentionFinder:
    return MentionFinder(build_gazetteer(entity(k, n) for k, n in REGISTER.items()))


def test_intake_finds_english_names_of_russian_organisations(finder):
    text = (
        "Last week TV Rain reported that the Committee Against Torture had closed; "
        "Telekanal Dozhd said so too, and so did Memorial."
    )
    mentions = {(m.text, m.entity_id) for m in finder.find(text)}
    assert mentions == {
        ("TV Rain", "rain"),
        ("Committee Against Torture", "torture"),
        ("Telekanal Dozhd", "rain"),
        ("Memorial", "memorial"),  # "Правозащитный Центр" left out, as the press does
    }
    first = finder.find(text)[0]
    assert text[first.start : first.end] == "TV Rain" and first.score >= DEFAULT_THRESHOLD


def test_intake_does_not_take_a_common_word_for_an_organisation(finder):
    # "Rain" and "Dozhd" alone are half of "TV Rain"; "Committee" is an organisation word;
    # "Voice" is Голос only by translation.
    text = "Rain fell on Moscow, said Dozhd. The Committee met in Voice of the People square."
    assert finder.find(text) == []
