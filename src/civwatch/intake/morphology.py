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
