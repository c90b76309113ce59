"""Cyrillic to Latin transliteration and script-independent search keys."""

import unicodedata

# BGN/PCGN 1947 for Russian, without its optional diacritics and middle dots.
_BGN_PCGN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
}  # fmt: skip


def to_latin(text: str) -> str:
    """Readable Latin form of a (possibly Cyrillic) text, keeping case."""
    return romanise(text, "bgn-pcgn")


def search_key(text: str) -> str:
    """Lowercase ASCII key under which a name in either script can be searched."""
    latin = unicodedata.normalize("NFKD", to_latin(text).casefold())
    letters = [c if c.isalnum() else " " for c in latin if not unicodedata.combining(c)]
    return " ".join("".join(letters).split())


# ICAO Doc 9303 (part 3) as Russian passports apply it since 2013 (MVD order 320):
# no diacritics, й = i, ъ = ie, ц = ts, ю = iu, я = ia; ь is dropped.
_ICAO_9303 = {
    **_BGN_PCGN,
    "й": "i", "ъ": "ie", "ю": "iu", "я": "ia", "ї": "i", "є": "ie",
}  # fmt: skip
ROMANISATIONS = {"bgn-pcgn": _BGN_PCGN, "icao-9303": _ICAO_9303}


def romanise(text: str, system: str) -> str:
    """Latin form of a Cyrillic text in a named system ("bgn-pcgn" or "icao-9303")."""
    table = ROMANISATIONS[system]
    out = []
    for char in unicodedata.normalize("NFC", text):
        latin = table.get(char.lower())
        if latin is None:
            out.append(char)
        elif char.isupper():
            out.append(latin.capitalize())
        else:
            out.append(latin)
    return "".join(out)
