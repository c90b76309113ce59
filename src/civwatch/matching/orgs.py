"""Organisation names across Russian and English.

"Межрегиональная общественная организация «Комитет против пыток»", "Committee Against
Torture" and "Komitet protiv pytok" name one body. Three things make them meet:

- legal forms and type words ("ООО", "Межрегиональная общественная организация", "LLC")
  say what kind of body it is, never which one: they are dropped;
- the words both languages say (committee/комитет, torture/пытки, TV/телеканал) are read as
  one concept key each, from a bilingual vocabulary kept as data (organisations.json), so a
  translated name meets the original; organisation words (centre, fund, committee) weigh
  little, because every second name has one;
- every other word keeps its phonetic keys (keys.py), so a transliterated name ("Dozhd",
  "Memorial") meets the Cyrillic one.

A name also stands for its quoted name proper (the press writes «Мемориал» for the
register's "Правозащитный центр «Мемориал»"), and for itself without a trailing state
(", Великобритания"), which the registers add to foreign names and nobody else writes.
"""

import json
import re
from collections.abc import Container
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale

from civwatch.matching.keys import cyrillic_key, is_cyrillic, token_keys
from civwatch.matching.translit import search_key

VOCABULARY_FILE = Path(__file__).with_name("organisations.json")
# Concept keys cannot meet a phonetic key within the index's two-edit neighbourhood.
CONCEPT_PREFIX = "##"
# Share of a name's weight an organisation word (centre, fund, committee) carries, against
# a distinctive word of the same rarity.
GENERIC_WEIGHT = 0.35
OPENING = "«“„"
CLOSING = "»”"
SHORT_STEM = 3
ABBREVIATION = 5  # letters: "ооо", "фгбоу"
# Adjectives of places and peoples: "Пермский", "Рязанское", "ингушской" are written "Perm",
# "Ryazan", "Ingush" in English names.
PLACE_ADJECTIVE = re.compile(r"(?<=\w\w\w)(ск|цк)(ий|ая|ое|ой|ого|их|ие|ую|ом)$")
# Genitive endings of names inside organisation names, and the nominative's: Левады ->
# Левада, Юрия -> Юрий, Рылькова -> Рыльков, Дона -> Дон.
NOMINATIVE = {"ы": "а", "ия": "ий", "ея": "ей", "ова": "ов", "ева": "ев", "ина": "ин", "а": ""}
GENITIVE = re.compile(r"(ия|ея|ова|ева|ина|(?<=[бвгджзклмнпрстфхцчшщ])а|(?<=[бвдзлмнпрстф])ы)$")
MIN_GENITIVE = 4
ALTERNATIVES = re.compile(r"\s*/\s*")
TRAILING_SEGMENT = re.compile(r"\s*[,;]\s*([^,;()«»\"]+?)\s*\.?$")


@cache
def vocabulary() -> dict:
    return json.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))


def _phrases(entries: list[str]) -> list[tuple[str, ...]]:
    return [tuple(entry.split()) for entry in entries]


@cache
def _tables() -> tuple[dict, dict, frozenset[str], frozenset[str]]:
    """Phrase tables: {language: {first word: [(phrase, concept or None), ...]}}, longest
    first, for Russian stems and English words; the stopwords; the generic concept keys."""
    data = vocabulary()
    tables: dict[str, dict[str, list]] = {"ru": {}, "en": {}}

    def add(language: str, phrase: tuple[str, ...], concept: str | None) -> None:
        tables[language].setdefault(phrase[0], []).append((phrase, concept))

    for language in ("ru", "en"):
        for phrase in _phrases(data["legal_forms"][language]):
            add(language, phrase, None)
        for group in ("generic", "words"):
            for concept, spellings in data[group].items():
                for phrase in _phrases(spellings[language]):
                    add(language, phrase, CONCEPT_PREFIX + concept)
    # Russian abbreviations are written in Latin letters too ("OOO", "MOO", "ANO").
    for phrase in _phrases(data["legal_forms"]["ru"]):
        if len(phrase) == 1 and len(phrase[0]) <= ABBREVIATION:
            add("en", (search_key(phrase[0]),), None)
    for table in tables.values():
        for first in table.values():
            first.sort(key=lambda item: -len(item[0]))
    stop = frozenset(w for language in ("ru", "en") for w in data["stopwords"][language])
    generic = frozenset(CONCEPT_PREFIX + concept for concept in data["generic"])
    return tables["ru"], tables["en"], stop, generic


def _russian_stems(word: str) -> list[str]:
    """The stems a Russian word may have under the vocabulary's rule, longest first: a stem
    of two letters takes one letter at most, or "юг" would swallow "югра"."""
    longest = vocabulary()["max_russian_ending"]
    return [
        word[:k]
        for k in range(len(word), 0, -1)
        if len(word) - k <= (longest if k >= SHORT_STEM else 1)
    ]


def _english_forms(word: str) -> list[str]:
    forms = [word]
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        forms.append(word[:-2])
    if word.endswith("s") and len(word) > 2:
        forms.append(word[:-1])
    return forms


def _word_matches(entry: str, word: str) -> bool:
    if is_cyrillic(word):
        return entry in _russian_stems(word)
    return entry in _english_forms(word)


def _heads(word: str) -> list[str]:
    """The table entries a word may start a phrase with."""
    return _russian_stems(word) if is_cyrillic(word) else _english_forms(word)


def read_words(words: list[str], initials: Container[str] = ()) -> list[tuple[str, str | None]]:
    """An organisation name's words (split_name's tokens) as (text, concept key or None):
    legal forms and stopwords dropped, a phrase of the vocabulary joined into one word
    ("права человека" -> one "human-rights" word). A stopword written as an initial
    (`initials`: "A." or a capital "И" of "Бастрыкин А. И.") is kept: a query whose type is
    not known is read as an organisation too, and "a", "и", "в", "с" are people's initials."""
    russian, english, stop, _ = _tables()
    out: list[tuple[str, str | None]] = []
    i = 0
    while i < len(words):
        word = words[i]
        table = russian if is_cyrillic(word) else english
        found = None
        for head in _heads(word):
            for phrase, concept in table.get(head, ()):
                size = len(phrase)
                if i + size <= len(words) and all(
                    _word_matches(part, w)
                    for part, w in zip(phrase, words[i : i + size], strict=True)
                ):
                    found = (size, concept)
                    break
            if found:
                break
        if found:
            size, concept = found
            if concept is not None:
                out.append((" ".join(words[i : i + size]), concept))
            i += size
            continue
        if word not in stop or word in initials:
            out.append((word, None))
        i += 1
    return out


@lru_cache(maxsize=65536)
def concept_of(word: str) -> str | None:
    """The concept key of one word ("комитета" -> the committee key), or None."""
    read = read_words([word.casefold()])
    return read[0][1] if len(read) == 1 else None


def is_generic_key(key: str) -> bool:
    return key in _tables()[3]


def is_generic_word(word: str) -> bool:
    """An organisation word both languages say (centre, fund, committee, TV)."""
    concept = concept_of(word)
    return concept is not None and is_generic_key(concept)


def may_be_left_out(word: str) -> bool:
    """A generic word the press drops from a name ("фонд", "центр", "project"), unlike one
    that is part of how the name is said ("TV" of TV Rain, "Committee" of the Committee
    Against Torture)."""
    concept = concept_of(word)
    left_out = vocabulary()["left_out_in_text"]
    return concept is not None and concept.removeprefix(CONCEPT_PREFIX) in left_out


def is_legal_form(word: str) -> bool:
    """A legal form, type word or stopword, dropped from organisation names."""
    return not read_words([word.casefold()])


def quoted_names(name: str) -> list[str]:
    """The names between quotation marks, nested ones too, outermost first; a quotation left
    open runs to the end ("МРОО «Правозащитный центр «Мемориал»" holds "Правозащитный центр
    «Мемориал»" and "Мемориал"). Straight quotes open and close in turn."""
    found: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for position, char in enumerate(name):
        if char == '"':
            if stack and stack[-1][0] == '"':
                found.append((stack.pop()[1], position))
            else:
                stack.append((char, position + 1))
        elif char in OPENING:
            stack.append((char, position + 1))
        elif char in CLOSING and stack:
            found.append((stack.pop()[1], position))
    found += [(start, len(name)) for _, start in stack]
    names = []
    for start, end in sorted(found):
        inner = name[start:end].strip(' «»“”„"')
        if any(ch.isalpha() for ch in inner) and inner != name.strip(' «»“”„"'):
            names.append(inner)
    return list(dict.fromkeys(names))


@cache
def country_names() -> frozenset[str]:
    """States as the registers write them after a name, in Russian and English."""
    names = {n.casefold() for n in vocabulary()["country_suffixes"]}
    for language in ("ru", "en"):
        names.update(
            name.casefold()
            for code, name in Locale.parse(language).territories.items()
            if len(code) == 2 and code.isalpha()
        )
    return frozenset(names)


def without_country(name: str) -> str:
    """The name without a trailing ", <state>" ("Khodorkovsky Foundation, Великобритания")."""
    match = TRAILING_SEGMENT.search(name)
    if match and " ".join(match.group(1).casefold().split()) in country_names():
        return name[: match.start()].strip()
    return name


def name_variants(name: str) -> list[str]:
    """Other forms an organisation's name is written in: without a trailing state, and each
    quoted name proper."""
    variants = [without_country(name), *quoted_names(name)]
    # "Команда против пыток/Комитет против пыток": two names of one body.
    variants += [
        part for v in variants if "(" not in v for part in ALTERNATIVES.split(v) if part
    ]  # fmt: skip
    return [v for v in dict.fromkeys(variants) if v.strip() and v != name]


@lru_cache(maxsize=65536)
def word_keys(word: str) -> tuple[str, ...]:
    """An organisation word's phonetic keys; an adjective of a place also has the place's
    ("пермский": the keys of "пермский" and of "перм"), and a name in the genitive its
    nominative's ("Центр Юрия Левады", "Женщины Дона": левада, дон)."""
    keys = token_keys(word)
    if is_cyrillic(word):
        place = PLACE_ADJECTIVE.sub("", word)
        forms = [place] if place != word else []
        if len(word) >= MIN_GENITIVE:
            forms += [GENITIVE.sub(lambda m: NOMINATIVE[m.group()], word)]
        keys = tuple(dict.fromkeys([*keys, *(cyrillic_key(f) for f in forms if f != word)]))
    return keys


def unmatched_share(token) -> float:
    """How much a query word that the name lacks counts against the match: an organisation
    word ("Foundation" after "Public Verdict") little."""
    generic = any(map(is_generic_key, token.keys)) or is_generic_word(token.text)
    return GENERIC_WEIGHT if generic else 1.0
