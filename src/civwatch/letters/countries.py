"""Countries of signatories: ISO 3166-1 alpha-2 codes, named in the reader's language.

The vocabulary is data (the CLDR territory list that Babel ships), not a list kept here: a
two-letter code is a country, the other CLDR territories (continents, "EU", "ZZ") are not.
"""

from functools import cache

from babel import Locale
from django.utils.translation import get_language

NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ"}


@cache
def _names(language: str) -> dict[str, str]:
    try:
        territories = Locale.parse(language.split("-")[0].split("_")[0]).territories
    except (ValueError, LookupError):  # a language CLDR does not know: English names
        territories = Locale.parse("en").territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    }


def codes() -> set[str]:
    return set(_names("en"))


def name(code: str, language: str | None = None) -> str:
    """The country's name in `language` (default: the active one); the code if unknown."""
    return _names(language or get_language() or "en").get(code, code)


def choices(language: str | None = None) -> list[tuple[str, str]]:
    names = _names(language or get_language() or "en")
    return sorted(names.items(), key=lambda item: item[1])
