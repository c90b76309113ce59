"""The screening engine as a user of the library and of `civwatch screen` sees it."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from civwatch.matching import DEFAULT_THRESHOLD, ScreeningIndex, record_from_ftm
from civwatch.matching.keys import split_name, token_keys

DATA = Path(__file__).parent / "data" / "screening"
PONOMAREV = {"id": "fa-1", "schema": "Person", "properties": {
    "name": ["Пономарёв Лев Александрович"], "birthDate": ["1941-09-02"]}}  # fmt: skip


def screen(index: ScreeningIndex, name: str, **properties) -> list:
    query = {"schema": "Person", "properties": {"name": [name], **properties}}
    return index.search(record_from_ftm(query))


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    lines = (DATA / "entities.ftm.jsonl").read_text(encoding="utf-8").splitlines()
    return ScreeningIndex(record_from_ftm(json.loads(line)) for line in lines[:8])


@pytest.mark.parametrize(
    "spelling",
    [
        "Lev Ponomaryov",  # English press
        "Lev Ponomarev",  # passport (ICAO)
        "Lew Ponomarjow",  # German
        "Lev Ponomariow",  # Polish
        "Lev Ponomarëv",  # library catalogue (ISO 9 / scientific)
        "Léon Ponomarev",  # not a transliteration: must not reach the threshold
    ],
)
def test_one_man_in_many_conventions(index, spelling):
    top = screen(index, spelling)[0]
    if spelling.startswith("Léon"):
        assert not top.match
    else:
        assert top.id == "fa-ponomarev" and top.match, (spelling, top)


@pytest.mark.parametrize(
    "spelling",
    ["PONOMAREV L.A.", "L. A. Ponomarev", "Ponomarev Lev", "Aleksandrovich Ponomarev Lev"],
)
def test_initials_missing_patronymic_and_any_order(index, spelling):
    top = screen(index, spelling)[0]
    assert top.id == "fa-ponomarev" and top.match


def test_conventions_decode_to_the_same_sounds():
    assert len({token_keys(w)[0] for w in ["Хрущёв", "Khrushchev"]}) == 1
    for spelling in ["Khrouchtchev", "Chruščëv"]:
        assert token_keys("Хрущёв")[0] in token_keys(spelling), spelling
    for spelling in ["Yevgeniy", "Evgenij", "Jewgeni"]:
        assert token_keys("Евгений")[0] in token_keys(spelling), spelling


def test_a_spelling_one_sound_away_still_matches(index):
    # German writes ё after щ as "o", English as "e": one vowel apart, still the man.
    top = screen(index, "Nikita Chruschtschow")[0]
    assert top.id == "acf-khrushchev" and top.match


def test_gendered_surname_finds_the_right_person(index):
    top = screen(index, "Anna Ponomareva")[0]
    assert top.id == "fa-ponomareva" and top.match
    assert screen(index, "Anna Ponomarev")[0].id == "fa-ponomareva"


def test_birth_date_conflict_keeps_a_namesake_below_the_threshold(index):
    agreeing = screen(index, "Lev Ponomarev", birthDate=["1941-09-02"])[0]
    conflicting = screen(index, "Lev Ponomarev", birthDate=["1990-01-01"])[0]
    assert agreeing.match and agreeing.explanation["birthDate"] == "agree"
    assert not conflicting.match and conflicting.explanation["birthDate"] == "conflict"
    assert conflicting.score < agreeing.score


def test_identifier_agreement_is_decisive(index):
    top = screen(index, "I. Ponomarev", innCode=["773671548130"])[0]
    assert top.id == "fa-ponomarev-ilya" and top.score >= 0.99
    assert top.explanation["identifiers"] == "agree"


def test_explanation_says_which_parts_matched_and_how(index):
    top = screen(index, "Ponomarev L.")[0]
    tokens = {t["query"]: t for t in top.explanation["name"]["tokens"]}
    assert tokens["ponomarev"]["matched"] == "пономарёв"
    assert tokens["ponomarev"]["how"] == "transliteration"
    assert tokens["l"]["how"] == "initial"
    assert top.explanation["name"]["unmatched_name"] == ["александрович"]


def test_turkic_patronymic_is_one_patronymic(index):
    top = screen(index, "Binyatov Marat")[0]
    assert top.id == "rfm-binyatov" and top.match


def test_organisation_names_by_alias(index):
    top = index.search(
        record_from_ftm({"schema": "Organization", "properties": {"name": ["Memorial"]}})
    )[0]
    assert top.id == "fa-memorial" and top.match


def test_scores_are_within_zero_and_one(index):
    for name in ["Lev Ponomaryov", "Nikita Khrushchev", "Julia Shukova", "x"]:
        assert all(0 <= r.score <= 1 for r in screen(index, name))
    assert 0 < DEFAULT_THRESHOLD < 1


def run_screen(tmp_path, *extra):
    output = tmp_path / "results.jsonl"
    errors = io.StringIO()
    call_command(
        "screen", "--entities", str(DATA / "entities.ftm.jsonl"),
        "--queries", str(DATA / "queries.jsonl"), "--output", str(output), *extra,
        stderr=errors,
    )  # fmt: skip
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    return rows, errors.getvalue()


def test_batch_cli_answers_every_query_in_order(tmp_path, capsys):
    rows, _ = run_screen(tmp_path, "--limit", "3")
    warnings = capsys.readouterr().err
    assert [r["qid"] for r in rows] == ["q1", "q2", "q3", None, "q5", "q6", "q7"]
    assert rows[0]["results"][0]["id"] == "fa-ponomarev"
    assert set(rows[0]["results"][0]) == {"id", "score", "match", "explanation"}
    assert all(len(r["results"]) <= 3 for r in rows)
    assert rows[6]["results"][0]["id"] == "fa-ponomarev-ilya"
    # Bad lines are reported with their line numbers, and answered with an error.
    assert rows[3]["error"].startswith("line 4: malformed JSON")
    assert "unknown or unscreenable schema 'Payment'" in rows[4]["error"]
    assert rows[5]["error"] == "line 6: no name to screen"
    assert "entities.ftm.jsonl, line 9: malformed JSON" in warnings
    assert "entities.ftm.jsonl, line 10: unknown or unscreenable schema 'Payment'" in warnings
    assert "entities.ftm.jsonl, line 11: no name to screen" in warnings
    assert "queries.jsonl, line 4: malformed JSON" in warnings


def test_index_cache_is_reused(tmp_path):
    cache = tmp_path / "cache"
    first, _ = run_screen(tmp_path, "--index-cache", str(cache))
    assert len(list(cache.iterdir())) == 1
    second, _ = run_screen(tmp_path, "--index-cache", str(cache))
    assert first == second


def test_missing_file_is_a_clean_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("screen", "--entities", str(tmp_path / "nope.jsonl"),
                     "--queries", str(DATA / "queries.jsonl"))  # fmt: skip


def small_index(people: dict[str, str], schema: str = "Person") -> ScreeningIndex:
    return ScreeningIndex(
        record_from_ftm({"id": key, "schema": schema, "properties": {"name": [name]}})
        for key, name in people.items()
    )


PEOPLE = {
    "khrushchev": "Хрущёв Никита Сергеевич",
    "shchukin": "Щукин Юрий Эдуардович",
    "yakovlev": "Яковлев Геннадий Олегович",
    "chernov": "Чернов Игорь Григорьевич",
    "khodorkovsky": "Ходорковский Михаил Борисович",
    "navalny": "Навальный Алексей Анатольевич",
    "vasilyeva": "Васильева Юлия Вячеславовна",
    "zhukov": "Жуков Владимир Петрович",
    "brezhnev": "Брежнев Леонид Ильич",
    "taymaskhanov": "Таймасханов Бекхан Элимсолтоевич",
    "khamatkhanov": "Хаматханов Тимур Мусаевич",
    "musatov-eo": "Мусатов Е. О.",
    "musatov-ivan": "Мусатов Иван Михайлович",
    "ivanov-sergeevich": "Иванов Иван Сергеевич",
    "kim-dmitry": "Ким Дмитрий Матвеевич",
    "kim-mikhail": "Ким Михаил Николаевич",
    "kokukhin-ivan": "Кокухин Иван Иванович",
    "kokukhin-evgeny": "Кокухин Евгений Александрович",
    "akbulatova": "Акбулатова Зарина Шахрановна",
    "akbulatov": "Акбулатов Сергей Сергеевич",
}


@pytest.fixture(scope="module")
def people() -> ScreeningIndex:
    return small_index(PEOPLE)


@pytest.mark.parametrize(
    ("spelling", "person"),
    [
        # ISO 9 and the scientific system, diacritics and modifier letters included.
        ("Hruŝëv Nikita Sergeevič", "khrushchev"),
        ("Ŝukin Ûrij Èduardovič", "shchukin"),
        ("Vasilʹeva Ûliâ Vâčeslavovna", "vasilyeva"),
        # Slavic Latin has no "kh" or "sh": there they are к and с before х (h, ch).
        ("Bekhan Tajmashanov", "taymaskhanov"),
        ("Timur Musajevič Chamatchanov", "khamatkhanov"),
        # Ukrainian romanisation, as in OpenSanctions: г is h, и is y.
        ("Yakovlev Hennadiy Olehovych", "yakovlev"),
        ("Chernov Ihor Hryhorovych", "chernov"),
        # German writes ж as "sch"; French leaves a final e silent.
        ("Leonid Breschnew", "brezhnev"),
        ("Chtchoukine Iouri", "shchukin"),
        # Chat: 4 for ч, x for х, w for в.
        ("4ernov Igor", "chernov"),
        ("Xodorkovskij Mixail", "khodorkovsky"),
        ("Wladimir Zhukov", "zhukov"),
        # Look-alike letters of the other script inside a word.
        ("Нaвальный Алексей", "navalny"),  # Latin "a"
        ("Nаvalny Aleksei", "navalny"),  # Cyrillic "а"
    ],
)
def test_letter_systems_the_dev_set_lacks(people, spelling, person):
    top = screen(people, spelling)[0]
    assert top.id == person and top.match, (spelling, top)


@pytest.mark.parametrize(
    ("written", "cyrillic"),
    [
        ("4ernov", "Чернов"),  # chat: 4 for ч
        ("Ni6in", "Нишин"),  # chat: 6 for ш
        ("Xodorkovskij", "Ходорковский"),  # chat and GOST 7.79 B: x for х
        ("Xрущёв", "Хрущёв"),  # a Latin X in a Cyrillic word
        ("HAВAЛЬHЫЙ", "НАВАЛЬНЫЙ"),  # Latin H and A
        ("Nаvalnyj", "Навальный"),  # a Cyrillic а in a Latin word
        ("Ihor", "Игорь"),  # Ukrainian h for г
        ("Breschnew", "Брежнев"),  # German sch for ж
        ("Poutine", "Путин"),  # French silent final e
        ("Bekhan", "Бекхан"),  # Slavic Latin: k, then h for х
        ("Sacharowa", "Захарова"),  # German: s before a vowel is з
        ("Kasakow", "Казаков"),  # ... also between vowels
        ("Wassiljew", "Васильев"),  # ... while ss is с
    ],
)
def test_spellings_decode_to_the_cyrillic_sounds(written, cyrillic):
    [word] = split_name(written)
    assert token_keys(cyrillic)[0] in token_keys(word)


def test_short_patronymic_is_a_patronymic(people):
    # Ильич has no -вич, yet it is the father's name: leaving it out is not a mismatch.
    top = screen(people, "Leonid Brezhnev")[0]
    assert top.id == "brezhnev" and top.match
    assert top.explanation["name"]["unmatched_name"] == ["ильич"]


def test_an_initial_keeps_its_vowel(people):
    # Keys fold е and и together, initials do not: "Е." is not Ivan.
    hits = screen(people, "Musatov Ivan")
    assert hits[0].id == "musatov-ivan"
    assert all(h.id != "musatov-eo" or not h.match for h in hits)
    assert screen(people, "Musatov E. O.")[0].id == "musatov-eo"


@pytest.mark.parametrize(
    ("written", "person"),
    [
        ("Dmitri M. Kim", "kim-dmitry"),  # one initial between given name and surname
        ("Kim Dmitri M.", "kim-dmitry"),  # ... or after them: the patronymic
        ("Kokukhin I. I.", "kokukhin-ivan"),  # "I." is И (or Ю, Я), never Е
        ("Kokukhin Je. A.", "kokukhin-evgeny"),  # German Je = Е
        ("Akbulatowa S. S.", "akbulatova"),  # German: S = З (Sarina), Sch = Ш
    ],
)
def test_initials_stand_for_the_start_of_a_spelling(people, written, person):
    top = screen(people, written)[0]
    assert top.id == person and top.match, (written, top)


def test_an_initial_stands_for_a_hyphenated_fathers_name():
    # "Магомед-Салиевич" is one father's name in two words: "M." is its initial.
    index = small_index(
        {
            "umarov-islam": "Умаров Ислам Магомед-Салиевич",
            "umarov-ibragim": "Умаров Ибрагим Русланович",
            "umarova": "Умарова Индира Магомед-Салиевна",
        }
    )
    for written, person in [("Umarov I. M.", "umarov-islam"), ("Umarova I.M.", "umarova")]:
        top = screen(index, written)[0]
        assert top.id == person and top.match, (written, top)


def test_a_different_patronymic_is_another_person(people):
    namesake = screen(people, "Ivanov Ivan Petrovich")[0]
    assert namesake.id == "ivanov-sergeevich" and not namesake.match
    assert screen(people, "Ivanov Ivan Sergeyevich")[0].match


@pytest.mark.parametrize(
    ("typed", "person"),
    [
        ("Navlany Aleksei", "navalny"),  # neighbours swapped in a short surname
        ("Brezhnev Leondi Ilyich", "brezhnev"),  # ... in the given name
        ("Chrenov Igor Grigorievich", "chernov"),  # ... across a digraph ("ch")
        ("Khrushcehv Nikita", "khrushchev"),  # ... inside "shch": two sounds change
        ("Khodorkvoskiy Mikhial Borisovich", "khodorkovsky"),  # two swaps in two words
        ("Tajmasxanov Behkan", "taymaskhanov"),  # a letter dropped, one swapped
    ],
)
def test_typing_errors_in_latin_still_find_the_person(people, typed, person):
    top = screen(people, typed)[0]
    assert top.id == person and top.match, (typed, top)


@pytest.mark.parametrize(
    ("typed", "person"),
    [
        ("Навлаьный Алексей", "navalny"),
        ("Васильеав Юлия Вячеславовна", "vasilyeva"),
        ("Ходорквоский Михаил Борисович", "khodorkovsky"),
    ],
)
def test_typing_errors_in_cyrillic_find_a_latin_name(typed, person):
    index = small_index(
        {
            "khodorkovsky": "Mikhail Borisovich Khodorkovsky",
            "navalny": "Aleksei Anatolyevich Navalny",
            "vasilyeva": "Yuliya Vyacheslavovna Vasilyeva",
            "zhukov": "Vladimir Petrovich Zhukov",
        }
    )
    top = screen(index, typed)[0]
    assert top.id == person and top.match, (typed, top)


@pytest.mark.parametrize(
    "name",
    [
        "Navalnenko Aleksei Anatolyevich",
        "Zhukovsky Vladimir Petrovich",
        "Vasilevskaya Yuliya Vyacheslavovna",
        "Chernovenko Igor Grigoryevich",
    ],
)
def test_a_surname_with_another_ending_is_not_a_typing_error(people, name):
    # Same given name and patronymic, surname formed with another ending: another family.
    assert not screen(people, name)[0].match


@pytest.fixture(scope="module")
def organisations() -> ScreeningIndex:
    return small_index(
        {
            "romashka": "ООО «Ромашка»",
            "memorial": "Межрегиональная общественная организация «Мемориал»",
            "new-life": "АНО «Новая Жизнь» (ранее «Старый Путь»)",
            "fbk": "Фонд борьбы с коррупцией",
        },
        schema="Organization",
    )


@pytest.mark.parametrize(
    ("name", "organisation"),
    [
        ("Romashka LLC", "romashka"),  # legal form in the other language
        ('OOO "Romashka"', "romashka"),  # abbreviation transliterated, other quotes
        ("MOO Memorial", "memorial"),
        ("Novaya Zhizn", "new-life"),
        ("Staryi Put", "new-life"),  # the former name in brackets
        ("АНО «Старый путь»", "new-life"),
        ("Fond borby s korruptsiei", "fbk"),
    ],
)
def test_organisations_by_what_is_left_of_legal_forms(organisations, name, organisation):
    top = organisations.search(
        record_from_ftm({"schema": "Organization", "properties": {"name": [name]}})
    )[0]
    assert top.id == organisation and top.match, (name, top)


def test_legal_forms_alone_do_not_match(organisations):
    hits = organisations.search(
        record_from_ftm({"schema": "Organization", "properties": {"name": ["ООО «Василёк»"]}})
    )
    assert not any(h.match for h in hits)


def test_badly_shaped_queries_are_answered_with_the_field_at_fault(tmp_path):
    queries = tmp_path / "queries.jsonl"
    lines = [
        {"qid": "string", "schema": "Person", "properties": {"name": "Lev Ponomarev"}},
        {"qid": "list", "properties": [1]},
        {"qid": "number", "properties": {"name": [5]}},
        {"qid": "blank", "properties": {"name": ["   "]}},
        {"qid": "schema", "schema": ["Person"], "properties": {"name": ["Lev Ponomarev"]}},
    ]
    queries.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    output = tmp_path / "results.jsonl"
    call_command("screen", "--entities", str(DATA / "entities.ftm.jsonl"), "--queries",
                 str(queries), "--output", str(output), stderr=io.StringIO())  # fmt: skip
    rows = {r["qid"]: r for r in map(json.loads, output.read_text().splitlines())}
    # A lone string is a list of one, as in yente.
    assert rows["string"]["results"][0]["id"] == "fa-ponomarev"
    assert rows["list"]["error"] == "line 2: properties: expected an object"
    assert rows["number"]["error"] == "line 3: properties.name: expected a list of strings"
    assert rows["blank"]["error"] == "line 4: no name to screen"
    assert rows["schema"]["error"] == "line 5: unknown or unscreenable schema ['Person']"


# A query whose type is not known ("Thing": the search pages, yente's text search) is read as
# an organisation too, whose stopwords ("a", "и", "в", "с") are also people's initials.
INITIAL_OF = {"и": "Иван", "в": "Владимир", "с": "Сергей", "a": "Aleksandr"}


def test_an_initial_that_is_also_a_stopword_is_kept_in_a_query_of_unknown_type():
    from civwatch.matching import orgs

    vocabulary = json.loads(orgs.VOCABULARY_FILE.read_text(encoding="utf-8"))
    single = {w for words in vocabulary["stopwords"].values() for w in words if len(w) == 1}
    # Every one-letter stopword of the data is tried here (a new one must be added).
    assert single == set(INITIAL_OF)
    for letter, given in INITIAL_OF.items():
        cyrillic = {"Aleksandr": "Александр"}.get(given, given)
        index = small_index({"right": f"Петров {cyrillic} Олегович",
                             "other": "Петров Борис Олегович"})  # fmt: skip
        surname = "Petrov" if letter.isascii() else "Петров"
        for typed in (f"{surname} {letter.upper()}.", f"{surname} {letter.upper()}. О."):
            query = record_from_ftm({"schema": "Thing", "properties": {"name": [typed]}})
            results = index.search(query, limit=2)
            assert results and results[0].id == "right", (typed, results)
            assert results[0].explanation["name"]["unmatched_query"] == [], typed


def test_an_unfinished_last_word_is_completed_only_when_asked():
    """Search as you type: "Bastr" stands for the words that begin with it, in either script,
    while the words before it are matched whole."""
    index = small_index(
        {
            "bastrykin": "Bastrykin Aleksandr Ivanovich",
            "bastrakov": "Бастраков Олег Петрович",
            "ivanov": "Ivanov Sergei Borisovich",
        }
    )

    def found(typed: str, complete: bool) -> list[str]:
        query = record_from_ftm({"schema": "Person", "properties": {"name": [typed]}})
        results = index.search(query, threshold=1.0, complete=complete)
        return [r.id for r in results if r.score >= 0.4]

    assert found("Bastr", complete=False) == []
    assert sorted(found("Bastr", complete=True)) == ["bastrakov", "bastrykin"]
    assert found("Бастры", complete=True) == ["bastrykin"]
    assert found("Aleksandr Bastryk", complete=True) == ["bastrykin"]
    # Only the last word is unfinished: "Bas" before a finished surname completes nothing.
    assert found("Bas Ivanov", complete=True) == []
    # Fewer than three letters begin too many words: nothing is completed.
    assert found("Ba", complete=True) == []
