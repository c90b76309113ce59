"""Reading Rosfinmonitoring's list of "terrorists and extremists" (Russian individuals).

The bundled file is an extract of the list's web page: one line per name, `NAME,DD.MM.YYYY`,
names in capitals (`SURNAME GIVEN PATRONYMIC`), in cp1251, no header and no entry numbers.
The page lists each person once, in alphabetical order, with their other names in
parentheses; the extract wrote the person's name and then each other name on a line of its
own with the person's birth date. So the lines are grouped back into people here (the rule
is in docs/registers.md, "The Rosfinmonitoring list"):

A line starts a new person unless it has the birth date of the line above and is
- in Latin script (a transliteration), or
- out of the list's alphabetical order (it sorts before the person's name, or after the
  next line with another birth date: a person's own line would stand in its place), or
- a repetition of one of the person's names (kept once), or
- a spelling variant of one of the person's names: the same letters spaced differently, or
  the same surname and given name, each word equal, one letter apart, or alike by sound
  (the matching library's keys).
Two people with one birth date side by side in alphabetical order with different given
names (twin brothers: БАТЫРМУРЗАЕВ РАВИЛЬ / ШАМИЛЬ АБДУЛЛАЕВИЧ) stay two people.

A line of one word or with a "/" following a person is part of the birthplace that the
extract took for a name (`ЯКУТИЯ` from "г. Якутск (Якутия)"): left out and noted.

The list has no numbers of its own, so a person's row id is a digest of the normalised
name and birth date: the same person keeps the same id from one snapshot to the next.
"""

import datetime
import hashlib
import re
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from civwatch.core.errors import InputError
from civwatch.matching.keys import cyrillic_key
from civwatch.registers.sources import SnapshotFile, parse_date, snapshot_date

FIELDS = ("name", "birth_date")  # the two cells of a line; errors name them
COLUMNS = ["row_id", "name", "aliases", "birth_date", "legal_basis"]
LEGAL_BASIS = ["115-ФЗ", "6"]  # the list is kept under article 6 of Federal Law 115-FZ
FILE_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
# What a name on the list is made of: capitals in either script, spaces, hyphens,
# apostrophes (O'G'LI), full stops of initials (Т.М.) and the "/" of a birthplace (С/З).
NAME = re.compile(r"[A-ZА-ЯЁ][A-ZА-ЯЁ '’.\-/]*")
CYRILLIC = re.compile(r"[А-ЯЁ]")
# The matching library's own threshold for two words to be alike (docs/matching.md).
SIMILAR_SOUND = 0.8


def sort_key(name: str) -> str:
    # The list's order ignores hyphens and does not tell Ё from Е.
    return name.replace("Ё", "Е").replace("-", "")


def words(name: str) -> list[str]:
    # "ТУРПАЛ-АЛИ" is the given name "ТУРПАЛ" and more, as "ТУРПАЛ АЛИ" is.
    return name.replace("Ё", "Е").replace("-", " ").split()


def alike(a: str, b: str) -> bool:
    if a == b or Levenshtein.distance(a, b) <= 1:
        return True
    return Levenshtein.normalized_similarity(cyrillic_key(a), cyrillic_key(b)) >= SIMILAR_SOUND


def spelling_variant(name: str, other: str) -> bool:
    """The same surname and given name, written a little differently (or the same)."""
    a, b = words(name), words(other)
    if "".join(a) == "".join(b):  # the same letters, spaced differently ("АЗИЗ ДУХТ")
        return True
    return (
        len(a) >= 2 and len(b) >= 2 and all(alike(x, y) for x, y in zip(a[:2], b[:2], strict=True))
    )


def is_birthplace(name: str) -> bool:
    return len(name.split()) == 1 or "/" in name


def row_id(name: str, birth_date: str) -> str:
    key = f"{' '.join(words(name))}|{birth_date}".encode()
    return hashlib.sha256(key).hexdigest()[:16]


def decode_lines(path: Path, data: bytes) -> list[str]:
    """The file's lines as text: UTF-8 if the whole file is UTF-8, otherwise cp1251 (the
    list's own encoding; a real cp1251 list of Cyrillic names is never valid UTF-8)."""
    try:
        return [line.rstrip("\r") for line in data.decode("utf-8-sig").split("\n")]
    except UnicodeDecodeError:
        pass
    lines = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.rstrip(b"\r").decode("cp1251"))
        except UnicodeDecodeError as error:
            raise InputError(
                path,
                f"byte 0x{raw[error.start]:02x} is not a cp1251 character (nor is the file "
                "UTF-8): the file is in another encoding or damaged",
                row=number,
                field="name",
            ) from None
    return lines


def read_lines(path: Path, lines: list[str]) -> list[tuple[int, str, str]]:
    """(line number, name, ISO birth date) of every non-empty line, checked."""
    read = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        cells = [" ".join(cell.split()) for cell in line.split(",")]
        if len(cells) != len(FIELDS):
            raise InputError(
                path,
                f"{len(cells)} cells where a line has {len(FIELDS)} (NAME,DD.MM.YYYY)",
                row=number,
            )
        name, date = cells
        if not NAME.fullmatch(name):
            odd = "".join(sorted(set(re.sub(r"[A-ZА-ЯЁ '’.\-/]", "", name))))[:20]
            raise InputError(
                path,
                f"{name[:60]!r} is not a name in capitals (unexpected {odd!r}): the list is "
                "written in capitals in cp1251; another encoding reads as other letters",
                row=number,
                field="name",
            )
        try:
            birth_date = parse_date(date)
        except ValueError as error:
            raise InputError(path, str(error), row=number, field="birth_date") from None
        if not birth_date:
            raise InputError(path, "no birth date", row=number, field="birth_date")
        read.append((number, name, birth_date))
    return read


def group_people(lines: list[tuple[int, str, str]]) -> tuple[list[dict], list[str]]:
    """People (their first line number, name, other names, birth date) and notes."""
    people: list[dict] = []
    notes: list[str] = []
    # Where each run of one birth date ends: the next line with another date.
    next_other, following = [], "\uffff"
    for index in range(len(lines) - 1, -1, -1):
        if index + 1 < len(lines) and lines[index + 1][2] != lines[index][2]:
            following = lines[index + 1][1]
        next_other.append(following)
    next_other.reverse()
    for index, (number, name, birth_date) in enumerate(lines):
        person = people[-1] if people else None
        if person is None or person["birth_date"] != birth_date:
            people.append(new_person(number, name, birth_date))
            continue
        names = [person["name"], *person["aliases"]]
        if is_birthplace(name):
            notes.append(f"row {number}: {name!r} is part of a birthplace, not a name; left out")
        elif name in names:
            notes.append(f"row {number}: {name!r} repeats a name of row {person['row']}")
        elif (
            not CYRILLIC.search(name)
            or sort_key(name) < sort_key(person["name"])
            or sort_key(name) > sort_key(next_other[index])
            or any(spelling_variant(name, known) for known in names)
        ):
            person["aliases"].append(name)
        else:
            people.append(new_person(number, name, birth_date))
    return people, notes


def new_person(number: int, name: str, birth_date: str) -> dict:
    return {"row": number, "name": name, "aliases": [], "birth_date": birth_date}


def read_rfm_snapshot(path: Path, as_of: datetime.date | None = None) -> SnapshotFile:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror}") from None
    date = snapshot_date(path, as_of, FILE_DATE, "put YYYY-MM-DD in the file name")
    people, notes = group_people(read_lines(path, decode_lines(path, data)))
    if not people:
        raise InputError(path, "no names in the file: an empty list is not a snapshot")
    rows, seen = [], {}
    for person in people:
        fields = {
            "row_id": row_id(person["name"], person["birth_date"]),
            "name": person["name"],
            "aliases": person["aliases"] or None,
            "birth_date": person["birth_date"],
            "legal_basis": list(LEGAL_BASIS),
        }
        if fields["row_id"] in seen:
            raise InputError(
                path,
                f"the same person (name and birth date) as row {seen[fields['row_id']]}",
                row=person["row"],
                field="name",
            )
        seen[fields["row_id"]] = person["row"]
        rows.append((person["row"], fields))
    return SnapshotFile(
        path=path,
        as_of=date,
        sha256=hashlib.sha256(data).hexdigest(),
        columns=list(COLUMNS),
        rows=rows,
        notes=notes,
    )
