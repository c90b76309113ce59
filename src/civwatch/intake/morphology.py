"""The nominative forms a Russian word may stand for: "Пономарёва" → пономарёв (genitive of
the man's name) and пономарёва (the woman's name); "Льва" → лев. pymorphy3 with its Russian
dictionary (a PyPI package: nothing is downloaded at run time); pymorphy2 does not run on
Python 3.11."""

from functools import cache, lru_cache

import pymorphy3

# Parses below this share of pymorphy's probability are noise for names.
MIN_PARSE_SCORE = 0.01


@cache
def analyser() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=65536)
def nominatives(word: str) -> tuple[str, ...]:
    """The word itself and each nominative singular it may be a form of, lower case."""
    forms = {word.casefold()}
    for parse in analyser().parse(word):
        if parse.score < MIN_PARSE_SCORE:
            continue
        forms.add(parse.normal_form)
        # Keep the gender of the parse: "Пономарёвой" is a form of пономарёва.
        nominative = parse.inflect({"nomn", "sing"})
        if nominative is not None:
            forms.add(nominative.word)
    return tuple(sorted(forms))


def is_dictionary_word(word: str) -> bool:
    """A common word of Russian (not only a name, place or organisation)."""
    proper = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"}
    return any(
        parse.is_known and not proper & parse.tag.grammemes for parse in analyser().parse(word)
    )


def modifies(word: str, following: str) -> bool:
    """The word reads as an adjective agreeing with the common noun after it: "Троицкий
    вариант" (a title), not the surname Троицкий."""
    nouns = [
        p
        for p in analyser().parse(following)
        if p.tag.POS == "NOUN" and not {"Name", "Surn", "Patr"} & p.tag.grammemes
    ]
    for adjective in analyser().parse(word):
        if adjective.tag.POS != "ADJF":
            continue
        for noun in nouns:
            same_gender = noun.tag.number == "plur" or adjective.tag.gender == noun.tag.gender
            same_form = (adjective.tag.case, adjective.tag.number) == (
                noun.tag.case,
                noun.tag.number,
            )
            if same_form and same_gender:
                return True
    return False
