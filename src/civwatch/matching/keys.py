"""Phonetic keys for Russian names, from Cyrillic or from any Latin romanisation.

A Cyrillic name maps to exactly one key. A Latin spelling is decoded back towards the
Russian sounds under each family of romanisation conventions (English-style: BGN/PCGN,
ICAO, Wikipedia, press, Spanish; German; French; Slavic Latin: Polish, Czech, ISO 9,
GOST 7.79, scientific), because the same letters mean different sounds in each ("ch" is ч
in English, ш in French, х in German and Czech). Each family gives one key; a name matches
under whichever family fits best. The rules are those of the conventions' letter systems,
not of particular names, so conventions that share them decode too.

Key alphabet: Latin consonants for unambiguous sounds, and capitals for the rest:
Z = ж, S = ш and щ, Q = ч, c = ц, h = х; vowels e/и/ы/й and the iotation of я, ю, е, ё
fold into "i" (runs of "i" collapse), so Yevgeniy, Evgenij, Jewgeni and Евгений agree.
"""

import re
import unicodedata
from functools import lru_cache

CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "i", "ё": "io", "ж": "Z",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "Q", "ш": "S", "щ": "S", "ъ": "", "ы": "i", "ь": "", "э": "i", "ю": "iu",
    "я": "ia", "і": "i", "ї": "i", "є": "i", "ґ": "g", "ў": "u", "4": "Q", "6": "S",
}  # fmt: skip

# Letters with diacritics, spelled out as the digraphs their conventions mean.
DIACRITICS = {
    "č": "ч", "ć": "ч", "š": "ш", "ś": "s", "ŝ": "щ", "ž": "ж", "ź": "z", "ż": "ж",
    "ř": "rж", "ł": "l", "ë": "io", "ê": "e", "ě": "ie", "ï": "i", "î": "i", "â": "ia",
    "û": "iu", "ŭ": "u", "ů": "u", "ü": "iu", "ö": "io", "ä": "ia", "ñ": "n", "ý": "i",
    "è": "e", "é": "e", "á": "a", "í": "i", "ó": "o", "ú": "u", "à": "a", "ù": "u",
}  # fmt: skip

# Rules shared by every family, then each family's own; longest spellings first. A rule
# ending in "$" applies at the end of the word only.
COMMON = [
    ("SQ", "S"), ("schtsch", "S"), ("szcz", "S"), ("chtch", "S"), ("tsch", "Q"), ("ts", "c"),
    ("tz", "c"), ("ph", "f"), ("w", "v"), ("q", "k"), ("ck", "k"),
]  # fmt: skip
# Digraphs with "h" of the English-style and German conventions. The Slavic Latin ones
# never use them: there "h" and "ch" are х, so "kh", "sh" and "tch" are к, с, т before х
# (Bekhan, Tajmashanov, Chamatchanov).
H_DIGRAPHS = [
    ("shch", "S"), ("shtsh", "S"), ("shh", "S"), ("zh", "Z"), ("kh", "H"), ("sh", "S"),
]  # fmt: skip
GERMAN_VOICED_S = re.compile(r"(?:^|(?<=[aeiouy]))s(?=[aeiouyj])")
# Families that agree on a word give one key, so a family costs only where it differs.
FAMILIES = {
    # BGN/PCGN, ICAO, MVD ("tc" = ц), Wikipedia, press; informal "sch" for щ.
    "english": [*H_DIGRAPHS, ("tch", "Q"), ("sch", "S"), ("tc", "c"), ("ch", "Q"), ("j", "i"),
                ("x", "ks"), ("c", "c")],
    # GOST 7.79 system B and chat spellings: x = х, cz = ц, next to English digraphs.
    "english-x": [*H_DIGRAPHS, ("tch", "Q"), ("cz", "c"), ("ch", "Q"), ("j", "i"), ("x", "H"),
                  ("c", "c")],
    # German: z = ц, and a single s before a vowel is з (Sacharow, Kasakow); с between
    # vowels is "ss" (Wassili).
    "german": [*H_DIGRAPHS, ("sch", "S"), ("ch", "H"), ("z", "c"), (GERMAN_VOICED_S, "z"),
               ("ss", "s"), ("j", "i"), ("x", "ks"), ("c", "c")],
    # German has no letters for ж: it writes ж as "sch" too (Breschnew, Schukow).
    "german-zh": [*H_DIGRAPHS, ("sch", "Z"), ("ch", "H"), ("z", "c"), (GERMAN_VOICED_S, "z"),
                  ("ss", "s"), ("j", "i"), ("x", "ks"), ("c", "c")],
    # French: a final "e" is silent (Poutine, Chtchoukine: -ин).
    "french": [*H_DIGRAPHS, ("ine$", "in"), ("tch", "Q"), ("ch", "S"), ("ou", "u"), ("gu", "g"),
               ("j", "Z"), ("ss", "s"), ("x", "ks"), ("c", "k")],
    # Spanish: j = х, gu before e/i = г.
    "spanish": [*H_DIGRAPHS, ("sch", "S"), ("ch", "Q"), ("gue", "ge"), ("gui", "gi"), ("j", "H"),
                ("x", "ks"), ("c", "c")],
    # Ukrainian national system (names of Russians in Ukrainian records, OpenSanctions):
    # г is "h" (Hennadiy, Ihor), х is "kh".
    "ukrainian": [*H_DIGRAPHS, ("ch", "Q"), ("h", "g"), ("j", "i"), ("x", "ks"), ("c", "c")],
    # Polish, Czech, ISO 9, GOST 7.79 A, scientific: x = х.
    "slavic": [("sz", "S"), ("cz", "Q"), ("rz", "Z"), ("ch", "H"), ("j", "i"), ("x", "H"),
               ("c", "c")],
}  # fmt: skip
AFTER_HUSHING_O = re.compile(r"(?<=[SZQ])o")
# Chat spellings write ч as 4 and ш as 6 (their shapes), in either script: "4ernov", "Ни6ин".
MARKS = {"ч": "Q", "ш": "S", "щ": "S", "ж": "Z", "4": "Q", "6": "S"}
VOWELS_TO_I = str.maketrans({"e": "i", "y": "i", "j": "i"})
NOT_LETTER = re.compile(r"[^\w]+")
APOSTROPHES = "'’‘ʹʼ`´\"ʺ”“„″"


def _rewrite(text: str, rules: list[tuple[str | re.Pattern, str]]) -> str:
    for spelling, sound in rules:
        if type(spelling) is str:
            if spelling in text:
                text = text.replace(spelling, sound)
        elif spelling.search(text):
            text = spelling.sub(sound, text)
    return text


def _rule(spelling: str | re.Pattern, sound: str) -> tuple[str | re.Pattern, str]:
    """Rules as written ("ine$": at the end of the word only), ready to apply."""
    if isinstance(spelling, str) and spelling.endswith("$"):
        return re.compile(re.escape(spelling[:-1]) + "$"), sound
    return spelling, sound


FAMILY_RULES = [[_rule(*rule) for rule in rules] for rules in FAMILIES.values()]
DOUBLED = re.compile(r"(.)\1+")
ADJECTIVAL_ENDINGS = [(re.compile(r"koi$"), "ki"), (re.compile(r"kaia$"), "ka")]


def _finish(raw: str) -> str:
    # Rules write х as "H" so that no later rule reads it as part of a digraph: the "s-kh"
    # of Muskhanov is с + х, not ш.
    key = raw.replace("H", "h").translate(VOWELS_TO_I)
    # Doubled letters (Ivanoff, Wassiljew, Kirill/Kiril) and runs of i say one sound.
    key = DOUBLED.sub(r"\1", key)
    # ё is written e as often as yo, jo or ë: "io" and "i" are one vowel here.
    key = key.replace("io", "i")
    # Adjectival surnames: -ская/-ska/-skaja and -ской/-ский/-ski are one ending each.
    return _rewrite(key, ADJECTIVAL_ENDINGS)


@lru_cache(maxsize=262144)
def cyrillic_key(token: str) -> str:
    return _finish("".join(CYRILLIC.get(ch, ch) for ch in token.casefold()))


@lru_cache(maxsize=262144)
def latin_keys(token: str) -> tuple[str, ...]:
    """One key per romanisation family (duplicates removed)."""
    text = "".join(DIACRITICS.get(ch, ch) for ch in token.casefold())
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    text = text.translate({ord(a): None for a in APOSTROPHES})
    text = "".join(MARKS.get(ch, ch) for ch in text)
    common = _rewrite(text, COMMON)
    spelled = dict.fromkeys(_rewrite(common, rules) for rules in FAMILY_RULES)
    keys = dict.fromkeys(map(_finish, spelled))
    # ё after ж, ч, ш, щ is written "o" by German, Polish, Czech and Spanish (Gorbatschow,
    # Chruszczow) and "e" or "ë" by the others: an "o" there may be that ё.
    for key in list(keys):
        if AFTER_HUSHING_O.search(key):
            keys[_finish(AFTER_HUSHING_O.sub("i", key))] = None
    return tuple(keys)


# How each Cyrillic letter is written at the start of a word in the romanisations (BGN/PCGN,
# ICAO, MVD, GOST 7.79, ISO 9, scientific, Wikipedia, German, French, Polish, Czech,
# Spanish, Ukrainian, chat). An initial is the first letter of such a spelling, so "S." may
# be С, З (German Sarina) or Ш (Sh, Sch, Sz), while "I." is never Е and "E." never И.
SPELLINGS = {
    "а": "a", "б": "b", "в": "v w", "г": "g h gu", "д": "d", "е": "e ye je é",
    "ё": "e yo jo io ë ye ö", "ж": "zh j sch ž ż z", "з": "z s", "и": "i y", "й": "i y j",
    "к": "k", "л": "l ł", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u ou", "ф": "f ph", "х": "kh h ch x j", "ц": "ts tz c cz z tc",
    "ч": "ch tch tsch cz č 4", "ш": "sh sch sz š ch 6", "щ": "shch sch szcz šč ŝ chtch shh",
    "ы": "y i", "э": "e è é", "ю": "yu ju iu iou û", "я": "ya ja ia â",
}  # fmt: skip
SPELLINGS_OF = {letter: tuple(spellings.split()) for letter, spellings in SPELLINGS.items()}
# Cyrillic words are often written with е for ё.
CYRILLIC_HEADS = {"ё": frozenset("ёе")}


@lru_cache(maxsize=262144)
def first_letters(token: str) -> frozenset[str]:
    """The Cyrillic letters a word, or an initial standing for a word, can begin with."""
    text = token.casefold()
    if is_cyrillic(text[:1]):
        return CYRILLIC_HEADS.get(text[:1], frozenset(text[:1]))
    if len(text) <= 2:
        # An initial: the start of the letter's spelling ("Y." of Yuri, "Ch." of Chernov).
        return frozenset(
            letter for letter, spellings in SPELLINGS_OF.items()
            if any(spelling.startswith(text) for spelling in spellings)
        )  # fmt: skip
    return frozenset(
        letter for letter, spellings in SPELLINGS_OF.items()
        if any(text.startswith(spelling) for spelling in spellings)
    )  # fmt: skip


def is_cyrillic(token: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in token)


def token_keys(token: str) -> tuple[str, ...]:
    return (cyrillic_key(token),) if is_cyrillic(token) else latin_keys(token)


# Letters that look alike in print. A word typed in two scripts at once (a Latin "a" or "H"
# in a Cyrillic name, from look-alike keyboards, OCR or chat filters) is read in the script
# of its other letters.
LATIN_LOOKALIKES = "AaBCcEeHKkMOoPpTXxYy"
CYRILLIC_LOOKALIKES = "АаВСсЕеНКкМОоРрТХхУу"
TO_CYRILLIC = str.maketrans(LATIN_LOOKALIKES, CYRILLIC_LOOKALIKES)
TO_LATIN = str.maketrans(CYRILLIC_LOOKALIKES, LATIN_LOOKALIKES)
WORD = re.compile(r"\w+")


def _one_script(match: re.Match) -> str:
    word = match.group()
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in word)
    if not cyrillic or cyrillic == len(word) or not word.isalpha():
        return word
    own_cyrillic = sum("\u0400" <= ch <= "\u04ff" and ch not in CYRILLIC_LOOKALIKES for ch in word)
    own_latin = sum(ch.isascii() and ch not in LATIN_LOOKALIKES for ch in word)
    if own_cyrillic > own_latin or (own_cyrillic == own_latin and 2 * cyrillic >= len(word)):
        return word.translate(TO_CYRILLIC)
    return word.translate(TO_LATIN)


def split_name(name: str) -> list[str]:
    """Name tokens: words and initials, case and punctuation dropped, soft signs removed.

    "PONOMAREV L.A." -> ["ponomarev", "l", "a"]; "Ivan Aleksandrovich-Sorochinskii" keeps
    both parts of a hyphenated word as tokens; "GayrbekKhozhayevich" (a lost space) is split
    at the inner capital.
    """
    name = WORD.sub(_one_script, unicodedata.normalize("NFC", name))
    name = "".join(
        f" {ch}"
        if ch.isupper() and i and name[i - 1].islower() and name[i + 1 : i + 2].islower()
        else ch
        for i, ch in enumerate(name)
    )
    name = name.translate({ord(a): None for a in APOSTROPHES})
    return [t for t in NOT_LETTER.split(name.casefold().replace("_", " ")) if t]


def initials_in(name: str) -> set[str]:
    """Abbreviated words: single letters, and one- or two-letter words before a full stop
    ("Kh.", "Ch.", "Ye.")."""
    words = NOT_LETTER.split(name.casefold())
    marked = {m.casefold() for m in re.findall(r"(\w{1,2})\.", name)}
    return {w for w in words if len(w) == 1} | marked
