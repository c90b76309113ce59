"""People and organisations a text names that civwatch does not know yet.

Russian: natasha's news NER (slovnet), whose embeddings and model ship inside the natasha
package, so nothing is downloaded. English: no comparable model ships in a package, so a rule
reads the cues English news writing itself gives (docs/intake.md):

- a person is two or three capitalised words (or initials and a surname) whose first word is
  a Russian given name from natasha's name list, compared through the matching library's
  phonetic keys, so "Yevgenia", "Evgenia" and "Jewgenija" are all Евгения; or any
  capitalised words right after a title or a role word ("Mr", "judge", "activist");
- an organisation is a run of capitalised words that contains a head word of organisation
  names ("Foundation", "Court", "Ministry", "Centre"...).

Suggestions never overlap a mention of a known entity.
"""

from functools import cache
from pathlib import Path

from civwatch.intake.mentions import (
    FUNCTION_WORDS,
    Mention,
    Word,
    name_runs,
    words_of,
)
from civwatch.intake.morphology import nominatives
from civwatch.matching import has_patronymic_ending
from civwatch.matching.keys import is_cyrillic, token_keys

PERSON_CUES = {
    "mr", "mrs", "ms", "dr", "judge", "prosecutor", "investigator", "lawyer", "attorney",
    "activist", "journalist", "editor", "officer", "colonel", "major", "lieutenant",
    "captain", "general", "deputy", "governor", "mayor", "minister", "senator", "director",
    "chairman", "chairwoman", "head", "researcher", "historian", "artist", "poet", "writer",
    "blogger", "opposition", "politician", "dissident", "priest", "pastor",
}  # fmt: skip
ORGANISATION_HEADS = {
    "foundation", "fund", "centre", "center", "committee", "court", "ministry", "service",
    "agency", "movement", "party", "union", "society", "association", "institute",
    "university", "council", "network", "bureau", "office", "group", "coalition", "alliance",
    "commission", "department", "directorate", "prosecutor's", "project", "channel",
    "newspaper", "radio", "television", "tv", "media", "school", "academy", "church",
}  # fmt: skip
MIN_GIVEN_NAME_LETTERS = 3


@cache
def given_name_keys() -> frozenset[str]:
    """Phonetic keys of the Russian given names natasha's dictionaries list."""
    import natasha

    folder = Path(natasha.__file__).parent / "data" / "dict"
    keys = set()
    for file in ("first.txt", "maybe_first.txt"):
        for line in (folder / file).read_text(encoding="utf-8").splitlines():
            name = line.split("#")[0].strip()
            if len(name) >= MIN_GIVEN_NAME_LETTERS:
                keys.update(token_keys(name))
    return frozenset(keys)


@cache
def russian_ner():
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


def suggest(text: str, language: str, mentions: list[Mention]) -> list[dict]:
    found = russian_suggestions(text) if language == "ru" else english_suggestions(text)
    taken = [(m.start, m.end) for m in mentions]
    return [
        s
        for s in found
        if not any(s["start"] < end and start < s["end"] for start, end in taken)
        and (s["schema"] != "Person" or could_be_new_person(s["text"]))
    ]


def could_be_new_person(text: str) -> bool:
    """Two words at least, one of them neither a given name nor a patronymic: "Лев" or
    "Лев Александрович" alone cannot tell who is meant, so it is no new person."""
    words = words_of(text)
    full = [w.text for w in words if not w.initial]
    return len(words) >= 2 and any(not is_first_name_or_patronymic(w) for w in full)


def is_first_name_or_patronymic(word: str) -> bool:
    forms = nominatives(word) if is_cyrillic(word) else (word.casefold(),)
    return any(
        has_patronymic_ending(form) or set(token_keys(form)) & given_name_keys() for form in forms
    )


def russian_suggestions(text: str) -> list[dict]:
    from natasha import Doc

    segmenter, tagger = russian_ner()
    doc = Doc(text)
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    schemas = {"PER": "Person", "ORG": "Organization"}
    return [
        {"text": span.text, "start": span.start, "end": span.stop, "schema": schemas[span.type]}
        for span in doc.spans
        if span.type in schemas
    ]


def english_suggestions(text: str) -> list[dict]:
    words = words_of(text)
    previous = {w.start: words[i - 1] for i, w in enumerate(words) if i}
    found = []
    for run in name_runs(text, words):
        schema, run = run_schema(run, previous.get(run[0].start))
        if schema:
            start, end = run[0].start, run[-1].end
            found.append({"text": text[start:end], "start": start, "end": end, "schema": schema})
    return found


def run_schema(run: list[Word], before: Word | None) -> tuple[str, list[Word]]:
    """The schema the run names ("" for none) and the run without its leading cue words."""
    while run and not run[0].initial and run[0].text.casefold() in FUNCTION_WORDS:
        run = run[1:]
    lower = [w.text.casefold() for w in run]
    if len(run) >= 2 and any(word in ORGANISATION_HEADS for word in lower):
        return "Organization", run
    cued = before is not None and before.text.casefold() in PERSON_CUES
    while run and run[0].text.casefold() in PERSON_CUES:
        run, cued = run[1:], True
    if not 1 <= len(run) <= 3 or run[-1].initial or (len(run) == 1 and not cued):
        return "", run
    first = run[0]
    given = (
        not first.initial
        and len(first.text) >= MIN_GIVEN_NAME_LETTERS
        and bool(set(token_keys(first.text)) & given_name_keys())
    )
    initials = len(run) > 1 and all(w.initial for w in run[:-1])
    return ("Person" if given or cued or initials else ""), run
