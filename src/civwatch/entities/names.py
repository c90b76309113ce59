"""Splitting a register's name cell into a primary name and its other names.

"Сотникова Татьяна Александровна (псевдоним - Анна Берсенева)" and
"«HZГ» (прежние наименования – «Незыгарь», «НЕЗЫГАР»)" carry pseudonyms and former names
in parentheses; undesirable organisations carry their own-language name there.
"""

import re

QUOTED = re.compile(r"«([^«»]+)»|\"([^\"]+)\"")
LABEL = re.compile(r"^(?P<label>[^–—:-]{3,60}?)\s*[–—:-]\s*(?P<rest>.+)$", re.S)


def top_level_groups(text: str) -> tuple[str, list[str]]:
    """Text outside parentheses, and the parenthesised groups at depth one."""
    outside, groups, depth, current = [], [], 0, []
    for char in text:
        if char == "(":
            depth += 1
            if depth == 1:
                current = []
                continue
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                groups.append("".join(current).strip())
                continue
        (current if depth else outside).append(char)
    return " ".join("".join(outside).split()).strip(" ,"), [g for g in groups if g]


def split_names(group: str) -> list[str]:
    quoted = [a or b for a, b in QUOTED.findall(group)]
    if quoted:
        return [q.strip() for q in quoted if q.strip()]
    return [p.strip(" .") for p in group.split(",") if p.strip(" .")]


def parse_name(cell: str) -> tuple[str, list[tuple[str, str]]]:
    """Return the primary name and (name, kind) pairs, kind being former/pseudonym/alias."""
    primary, groups = top_level_groups(cell)
    others: list[tuple[str, str]] = []
    for group in groups:
        labelled = LABEL.match(group)
        label = labelled.group("label").casefold() if labelled else ""
        if label.startswith("прежн"):
            others += [(n, "former") for n in split_names(labelled.group("rest"))]
        elif label.startswith("псевдоним"):
            others += [(n, "pseudonym") for n in split_names(labelled.group("rest"))]
        elif len(group.split()) > 1 or QUOTED.search(group):
            # A lone word such as "(ФРГ)" or "(Финляндия)" is the country, not a name.
            others.append((group.strip('«»" '), "alias"))
    return primary or cell.strip(), [(n, k) for n, k in others if n and n != primary]


# Turkic patronymic particles are written in lower case ("Мамедов Анар Сабир оглы").
LOWER_CASE_PARTICLES = {"оглы", "угли", "кызы", "улы", "уулу", "улуу", "o'g'li", "qizi"}


def readable_name(name: str) -> str:
    """A name written in capitals ("МАГОМЕД-РАСУЛОВИЧ") as people write it: each word and
    each part of a hyphenated word capitalised, patronymic particles in lower case. A name
    that is not all capitals is returned unchanged: its case is the source's."""
    if name != name.upper():
        return name

    def word(text: str) -> str:
        if text.casefold() in LOWER_CASE_PARTICLES:
            return text.casefold()
        return "-".join(part[:1].upper() + part[1:].lower() for part in text.split("-"))

    return " ".join(word(w) for w in name.split())
