"""Intake: known people and organisations found in articles, with exact offsets.

The fixtures in tests/data/intake/ were written for these tests (no published article is
copied); the people are real entries of the bundled foreign-agents register, named in
declined Russian forms, with initials, and in English, German and French romanisations.
"""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from civwatch.intake.analysis import analyse_file
from civwatch.intake.extract import extract_text
from civwatch.intake.known import database_gazetteer

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "data" / "intake"

LEV_PONOMAREV = "fa-215"
ILYA_PONOMAREV = "fa-463"
SHENDEROVICH = "fa-327"
ALBATS = "fa-409"
MURATOV = "fa-665"
KARA_MURZA = "fa-376"
SHULMAN = "fa-366"
PROKHOROV = "fa-789"
PUBLIC_VERDICT = "fa-8"
BYKOV = "fa-410"
MAKAREVICH = "fa-423"
GALKIN = "fa-431"
KASPAROV = "fa-388"
TROITSKY = "fa-516"
BELLINGCAT = "uo-58"


def at(text: str, phrase: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def expected(text: str, spec: list[tuple[str, int, str]]) -> list[tuple[str, int, int, str]]:
    return [(phrase, *at(text, phrase, n), entity) for phrase, n, entity in spec]


def found(name: str) -> tuple[str, object]:
    data = (FIXTURES / name).read_bytes()
    analysis = analyse_file(name, data, database_gazetteer())
    mentions = [(m.text, m.start, m.end, m.entity_id) for m in analysis.mentions]
    return analysis, mentions


@pytest.fixture(autouse=True)
def registers(full_history):
    """The whole bundled register history (module-scoped import)."""


# The mentions each fixture must give, exactly (no other): phrase, which occurrence of the
# phrase in the extracted text (0 = first), entity id. Also read by bench/intake.py.
EXPECTED = {
    "ru-detention.txt": [
        ("Льва Пономарёва", 0, LEV_PONOMAREV),  # headline, genitive of Лев Пономарёв
        ("Льва Пономарёва", 1, LEV_PONOMAREV),
        ("Пономарёву", 0, LEV_PONOMAREV),  # dative surname after the full name
        ("Пономарёва", 2, LEV_PONOMAREV),  # lone genitive surname after a common word
        ("Виктор Шендерович", 0, SHENDEROVICH),
        ("Евгения Альбац", 0, ALBATS),
        ("Д. А. Муратов", 0, MURATOV),  # initials
        ("Общественный вердикт", 0, PUBLIC_VERDICT),  # between quotation marks
        ("Пономарев Илья", 0, ILYA_PONOMAREV),  # the other Ponomarev, surname first
    ],
    "en-court.html": [
        ("Lev Ponomaryov", 0, LEV_PONOMAREV),  # "Lev&nbsp;Ponomaryov" in the HTML
        ("Lev Ponomarev", 0, LEV_PONOMAREV),
        ("Ponomarev", 1, LEV_PONOMAREV),  # "Ponomarev’s lawyer"
        ("Viktor Shenderovich", 0, SHENDEROVICH),
        ("Yevgenia Albats", 0, ALBATS),
        ("Dmitry Muratov", 0, MURATOV),
        ("Jewgenija Albaz", 0, ALBATS),  # German
        ("Dmitri Muratow", 0, MURATOV),
        ("Ievguenia Albats", 0, ALBATS),  # French
        ("Vladimir Kara-Murza", 0, KARA_MURZA),
    ],
    "ru-verdict.pdf": [
        ("Владимира Кара-Мурзы", 0, KARA_MURZA),
        ("Владимира Владимировича Кара-Мурзу", 0, KARA_MURZA),
        ("Кара-Мурза", 0, KARA_MURZA),
        ("Илья Пономарев", 0, ILYA_PONOMAREV),
        # A member entry of a listed association repeats her name: the designated person
        # is preferred, not dropped as a namesake.
        ("Екатерина Шульман", 0, SHULMAN),
        ("Вадим Прохоров", 0, PROKHOROV),
    ],
    # Namesakes of listed people, given names alone, organisation names that several
    # entities share (three «Мемориал», two «Дождь», four «Голос»): none is a mention.
    "ru-namesakes.txt": [
        ("Дмитрий Быков", 0, BYKOV),
        ("Андрей Макаревич", 0, MAKAREVICH),
        ("Максима Галкина", 0, GALKIN),
        ("Екатерину Шульман", 0, SHULMAN),
        ("Артемий Троицкий", 0, TROITSKY),
        # Not «Троицкий вариант» nor "Троицкий вариант событий": an adjective of a title.
        ("Троицкий", 3, TROITSKY),
    ],
    "en-namesakes.txt": [
        ("Andrei Makarevich", 0, MAKAREVICH),
        ("Maxim Galkin", 0, GALKIN),
        # No "Meduza": "Medusa Project" is both SIA «Medusa Project» (foreign agents) and the
        # undesirable organisation; two entities that fit equally give no mention.
        ("Dmitry Bykov", 0, BYKOV),
        ("Galkin", 1, GALKIN),  # "Mr Galkin said"
        ("Garry Kasparov", 0, KASPAROV),
        ("Kasparov", 1, KASPAROV),  # "Kasparov's foundation"
        ("Bellingcat", 0, BELLINGCAT),  # not "the Republic" (an outlet is called Republic)
    ],
}


@pytest.mark.parametrize("name", EXPECTED)
def test_exactly_the_expected_mentions_with_their_offsets(name):
    analysis, mentions = found(name)
    assert analysis.language == name[:2]
    assert mentions == expected(analysis.text, EXPECTED[name])


def test_no_false_mentions_from_given_names_patronymics_or_unannounced_surnames():
    analysis, mentions = found("ru-detention.txt")
    # "Лев Александрович" (given name and patronymic), "Лев и Ирина" (given names alone),
    # "Быков" (a register surname never named in full here) are not mentions.
    for phrase in ("Лев Александрович", "Лев и Ирина", "Быков"):
        start, end = at(analysis.text, phrase)
        assert not any(s < end and start < e for _, s, e, _ in mentions), phrase


def test_html_text_leaves_out_scripts_and_the_head():
    analysis, _ = found("en-court.html")
    assert "var headline" not in analysis.text and "p { margin" not in analysis.text
    assert analysis.text.startswith("Home | World\nMoscow court fines veteran rights defender")


def test_pdf_text_layer_is_read():
    analysis, _ = found("ru-verdict.pdf")
    assert analysis.media_type == "application/pdf"
    assert analysis.text.startswith("Приговор по делу Владимира Кара-Мурзы\n")


def test_unknown_people_and_organisations_are_suggested():
    russian, _ = found("ru-detention.txt")
    english, _ = found("en-court.html")
    assert [(s["text"], s["schema"]) for s in russian.suggestions] == [
        ("Тверского суда", "Organization"),
        ("Сергея Бережковского", "Person"),
        ("Анны Зарецкой", "Person"),
    ]
    assert [(s["text"], s["schema"]) for s in english.suggestions] == [
        ("Tverskoy District Court", "Organization"),
        ("Olga Veretennikova", "Person"),  # after the cue "Judge"
    ]
    for analysis in (russian, english):
        for s in analysis.suggestions:
            assert analysis.text[s["start"] : s["end"]] == s["text"]


def run_intake(*paths) -> tuple[list[dict], str | None]:
    out = StringIO()
    try:
        call_command("intake", *map(str, paths), "--format", "jsonl", stdout=out)
        error = None
    except CommandError as failure:
        error = str(failure)
    return [json.loads(line) for line in out.getvalue().splitlines()], error


def test_command_prints_one_line_per_file_with_offsets_into_the_extracted_text():
    files = [FIXTURES / n for n in ("ru-detention.txt", "en-court.html", "ru-verdict.pdf")]
    lines, error = run_intake(*files)
    assert error is None
    assert [line["file"] for line in lines] == list(map(str, files))
    for path, line in zip(files, lines, strict=True):
        assert set(line) == {"file", "language", "mentions", "suggestions"}
        _, text = extract_text(path.name, path.read_bytes())
        for mention in line["mentions"]:
            assert set(mention) == {"text", "start", "end", "entity_id", "name", "score"}
            assert text[mention["start"] : mention["end"]] == mention["text"]
            assert 0 < mention["score"] <= 1
    assert lines[0]["mentions"][0]["name"] == "Пономарев Лев Александрович"


def test_bad_files_get_an_error_line_naming_them_and_a_failing_exit(tmp_path):
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <</Type /Catalog")
    (tmp_path / "latin1.txt").write_bytes("Пономарёв".encode("cp1251"))
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04 zipped")
    (tmp_path / "huge.txt").write_bytes(b"a" * (20 * 1024 * 1024 + 1))
    good = FIXTURES / "ru-detention.txt"
    names = ["broken.pdf", "latin1.txt", "photo.txt", "notes.docx", "huge.txt", "missing.txt"]
    lines, error = run_intake(tmp_path / names[0], good, *(tmp_path / n for n in names[1:]))
    assert error == "6 of 7 files could not be read"
    assert lines[1]["file"] == str(good) and lines[1]["mentions"]
    errors = {Path(line["file"]).name: line["error"] for line in lines if "error" in line}
    assert set(errors) == set(names)
    for name, message in errors.items():
        assert name in message
    assert "damaged PDF" in errors["broken.pdf"]
    assert "not UTF-8" in errors["latin1.txt"]
    assert "image" in errors["photo.txt"]
    assert "not an accepted file type" in errors["notes.docx"]
    assert "larger than 20 MB" in errors["huge.txt"]
    assert "no such file" in errors["missing.txt"]
