"""Romanisations the development set lacks, to estimate how the engine generalises.

The dev queries use BGN/PCGN, ICAO 9303, Wikipedia, GOST 7.79, German and French. The
held-out split uses others. These tables are written from the conventions' published
letter correspondences (Polish and Czech press practice, Spanish Wikipedia practice, ISO 9,
GOST 7.79 system B, the scientific transliteration, Russian MVD passport rules of 2010) plus
an informal "chat" spelling; the engine never sees them, only the benchmark does.

    generated_queries(entities, seed) -> list of query dicts with "expected" and "category"
"""

import random
import unicodedata
from collections import defaultdict
from collections.abc import Callable

VOWELS = set("аеёиоуыэюя")
SIBILANTS = set("жшчщц")

# Plain letters shared by every table below; each convention overrides what differs.
BASE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "з": "z", "и": "i", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "ъ": "", "ь": "", "э": "e",
}  # fmt: skip

TABLES = {
    "polish": {
        **BASE, "в": "w", "ж": "ż", "й": "j", "х": "ch", "ц": "c", "ч": "cz", "ш": "sz",
        "щ": "szcz", "ы": "y", "ё": "io", "ю": "iu", "я": "ia", "е": "ie", "л": "ł",
    },
    "czech": {
        **BASE, "ж": "ž", "й": "j", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč",
        "ы": "y", "ё": "jo", "ю": "ju", "я": "ja",
    },
    "spanish": {
        **BASE, "ж": "zh", "й": "i", "х": "j", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch",
        "ы": "y", "ё": "io", "ю": "iu", "я": "ia",
    },
    "iso9": {
        **BASE, "ж": "ž", "й": "j", "х": "h", "ц": "c", "ч": "č", "ш": "š", "щ": "ŝ",
        "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "è", "ё": "ë", "ю": "û", "я": "â",
    },
    "gost_b": {
        **BASE, "ж": "zh", "й": "j", "х": "x", "ц": "cz", "ч": "ch", "ш": "sh", "щ": "shh",
        "ъ": "``", "ы": "y'", "ь": "`", "э": "e'", "ё": "yo", "ю": "yu", "я": "ya",
    },
    "scientific": {
        **BASE, "ж": "ž", "й": "j", "х": "x", "ц": "c", "ч": "č", "ш": "š", "щ": "šč",
        "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "è", "ё": "ë", "ю": "ju", "я": "ja",
    },
    "mvd_2010": {
        **BASE, "ж": "zh", "й": "i", "х": "kh", "ц": "tc", "ч": "ch", "ш": "sh", "щ": "shch",
        "ъ": "ie", "ы": "y", "ё": "e", "ю": "iu", "я": "ia",
    },
    "chat": {
        **BASE, "ж": "zh", "й": "y", "х": "h", "ц": "c", "ч": "ch", "ш": "sh", "щ": "sch",
        "ы": "y", "ё": "e", "ю": "yu", "я": "ya",
    },
}  # fmt: skip

# The informal spelling varies from writer to writer: each letter picks one of these.
CHAT_CHOICES = {
    "ж": ["zh", "j"], "й": ["y", "i", "j"], "х": ["h", "kh", "x"], "ц": ["c", "ts"],
    "щ": ["sch", "sh", "shch"], "ю": ["yu", "u", "iu"], "я": ["ya", "ia"],
    "ё": ["e", "yo", "io"], "ь": ["", "'"], "ы": ["y", "i"],
}  # fmt: skip


def _context(word: str, i: int, table: dict, convention: str) -> str | None:
    """Letters whose spelling depends on their neighbours, per convention."""
    ch = word[i]
    before = word[i - 1] if i else ""
    after = word[i + 1] if i + 1 < len(word) else ""
    initial = not before or before in VOWELS or before in "ьъ"
    if convention == "polish":
        if ch in "еёюя" and initial:
            return {"е": "je", "ё": "jo", "ю": "ju", "я": "ja"}[ch]
        if ch in "её" and (before in SIBILANTS or before == "л"):
            return "e" if ch == "е" else "o"
        if ch == "и" and before and before in "жшц":
            return "y"
        if ch == "л":
            return "l" if after and after in "ьеёюяи" else "ł"
    if convention == "czech" and ch == "е" and initial:
        return "je"
    if convention == "czech" and ch == "ё" and before in SIBILANTS:
        return "o"
    if convention == "spanish":
        if initial and (ch in "ёюя" or (ch == "е" and before)):
            return {"е": "ye", "ё": "yo", "ю": "yu", "я": "ya"}[ch]
        if ch == "г" and after and after in "еиэ":
            return "gu"
        if ch == "й" and before == "и" and not after:
            return ""
    if convention == "gost_b" and ch == "ц":
        return "c" if after and after in "иеыйь" else "cz"
    return table.get(ch) if convention != "chat" else None


def romanise(name: str, convention: str, rng: random.Random) -> str:
    table = TABLES[convention]
    words = []
    for word in name.split():
        lower = word.casefold()
        out = []
        for i, ch in enumerate(lower):
            spelled = _context(lower, i, table, convention)
            if spelled is None:
                spelled = (
                    rng.choice(CHAT_CHOICES[ch])
                    if convention == "chat" and ch in CHAT_CHOICES
                    else table.get(ch, ch)
                )
            out.append(spelled)
        latin = "".join(out)
        if convention == "spanish" and rng.random() < 0.5:
            latin = _stress(latin, rng)
        words.append(latin if convention == "chat" else latin[:1].upper() + latin[1:])
    return " ".join(words)


def _stress(word: str, rng: random.Random) -> str:
    """Spanish writes the stress of many borrowed names with an acute accent."""
    positions = [i for i, ch in enumerate(word) if ch in "aeiou"]
    if not positions:
        return word
    i = rng.choice(positions)
    return word[:i] + unicodedata.normalize("NFC", word[i] + "\u0301") + word[i + 1 :]


def _normal(name: str) -> str:
    return " ".join(sorted(name.casefold().replace("ё", "е").split()))


PATRONYMIC_ENDINGS = ("вич", "вна", "чна", "ична")


def structure(name: str) -> tuple[str, str, str] | None:
    """(surname, given, patronymic) of a three-word Russian name in either common order."""
    parts = name.split()
    if len(parts) != 3 or not all(p.isalpha() for p in parts):
        return None
    if parts[2].casefold().endswith(PATRONYMIC_ENDINGS):
        return parts[0], parts[1], parts[2]
    if parts[1].casefold().endswith(PATRONYMIC_ENDINGS):
        return parts[2], parts[0], parts[1]
    return None


Shape = Callable[[tuple[str, str, str], random.Random], list[str]]
SHAPES: dict[str, Shape] = {
    "full": lambda p, rng: [p[1], p[2], p[0]] if rng.random() < 0.5 else list(p),
    "no-patronymic": lambda p, rng: [p[1], p[0]] if rng.random() < 0.5 else [p[0], p[1]],
}


def generated_queries(entities: list[dict], per_convention: int = 150, seed: int = 7) -> list:
    """Queries in conventions the dev set lacks, from index persons with a three-word
    Cyrillic name whose full and patronymic-less forms are unambiguous in the index."""
    full: dict[str, set[str]] = defaultdict(set)
    short: dict[str, set[str]] = defaultdict(set)
    usable = []
    for entity in entities:
        for name in entity["properties"].get("name", []):
            full[_normal(name)].add(entity["id"])
            parts = structure(name)
            if parts:
                short[_normal(" ".join(parts[:2]))].add(_normal(name))
            else:
                # Two-word and initials-only names compete for every reduced form.
                short[_normal(" ".join(name.split()[:2]))].add(_normal(name))
                short[_normal(" ".join(name.split()[-2:]))].add(_normal(name))
        parts = structure(entity["properties"]["name"][0])
        if parts and all("а" <= c <= "я" or c == "ё" for c in "".join(parts).casefold()):
            usable.append(parts)
    usable = [p for p in usable if len(short[_normal(" ".join(p[:2]))]) == 1]
    rng = random.Random(seed)
    queries = []
    for convention in TABLES:
        for number, parts in enumerate(rng.sample(usable, per_convention)):
            shape = "full" if number % 3 else "no-patronymic"
            words = SHAPES[shape](parts, rng)
            queries.append({
                "qid": f"gen-{convention}-{number:04d}", "schema": "Person",
                "properties": {"name": [romanise(" ".join(words), convention, rng)]},
                "expected": sorted(full[_normal(" ".join(parts))]),
                "category": f"translit:{convention}",
            })  # fmt: skip
    return queries
