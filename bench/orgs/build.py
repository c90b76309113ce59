"""Builds the organisation development set (bench/orgs/index.jsonl, queries.jsonl).

    .venv/bin/python bench/orgs/build.py --sema ../shared/data/ca-sema/sema-lema.xml

Index (FollowTheMoney-shaped entities, schema Organization):
- every organisation of the bundled registers as the Ministry of Justice writes it:
  foreign agents `data/registers/foreign-agents/registry-2024-10-01.json` (rows without a
  date of birth; id `fa-<row id>`), undesirable organisations
  `data/registers/undesirable/registry-2024-09-05.json` (id `und-<row id>`);
- half of the Russian entities of Canada's consolidated sanctions list (SEMA, Open Government
  Licence - Canada; `../shared/data/ca-sema/SOURCE.md`), by their Cyrillic names only (id
  `sema-<Item>`): the half whose hash of the item number is even.

Queries (schema Organization, one name each):
- `english` and `translit`: English names and transliterations of register organisations,
  written by civwatch's developers (register_queries.csv), with every register row the name
  may rightly find;
- `sanctions`: the English name SEMA gives each of its Russian entities (the text before
  "also known as"): positives for the indexed half, negatives (nothing to find) for the
  other half;
- `negative`: English names of organisations on neither register (register_queries.csv).

The opensanctions-ukraine-war export has no organisation with a Cyrillic name (its
"Cyrillic" letters are look-alikes inside Latin names), so the sanctions part comes from SEMA.
"""

import argparse
import csv
import hashlib
import json
import re
from pathlib import Path

from defusedxml import ElementTree

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
CYRILLIC_WORD = re.compile(r"[а-яё]{3,}", re.IGNORECASE)
OTHER_CYRILLIC = re.compile(r"[іїєўґ]", re.IGNORECASE)  # Ukrainian or Belarusian, not Russian
LATIN = re.compile(r"[a-z]{3,}", re.IGNORECASE)
ALIAS_SEPARATORS = re.compile(r";|/| or ")


def entity(entity_id: str, name: str) -> dict:
    return {"id": entity_id, "schema": "Organization", "properties": {"name": [name]}}


def register_entities() -> list[dict]:
    agents = json.loads(
        (ROOT / "data/registers/foreign-agents/registry-2024-10-01.json").read_text()
    )
    undesirable = json.loads(
        (ROOT / "data/registers/undesirable/registry-2024-09-05.json").read_text()
    )
    found = [entity(f"fa-{r['id']}", r["fullName"].strip()) for r in agents if not r.get("dob")]
    found += [entity(f"und-{r['id']}", r["fullName"].strip()) for r in undesirable]
    return found


def sema_entities(path: Path) -> list[tuple[str, str, list[str]]]:
    """(item, English name, Russian names) of SEMA's Russian entities with Cyrillic names."""
    out = []
    for record in ElementTree.parse(path).getroot():
        fields = {child.tag: " ".join((child.text or "").split()) for child in record}
        if not fields.get("EntityOrShip") or not fields.get("Country", "").startswith("Russia"):
            continue
        russian = [
            part.strip(" ,")
            for part in ALIAS_SEPARATORS.split(fields.get("Aliases", ""))
            if CYRILLIC_WORD.search(part) and not OTHER_CYRILLIC.search(part)
            and not LATIN.search(part)
        ]  # fmt: skip
        english = re.split(r"\(?also known as", fields["EntityOrShip"])[0].strip(" (")
        if russian and english:
            out.append((fields.get("Item", ""), english, russian))
    return out


# Legal forms SEMA adds or leaves out for the same body in its two listings.
LEGAL_FORMS = re.compile(
    r"\b(публичное|открытое|закрытое)?\s*акционерное\s+общество\b|\bобщество\s+с\s+"
    r"ограниченной\s+ответственностью\b|\b(ао|оао|пао|зао|ооо|jsc|pjsc|ojsc|llc)\b",
    re.IGNORECASE,
)


def plain(name: str) -> str:
    """A name without legal forms, case and punctuation: SEMA's two listings of one body."""
    return re.sub(r"[\W_]+", "", LEGAL_FORMS.sub(" ", name.casefold()))


def indexed(item: str) -> bool:
    return hashlib.sha256(item.encode()).digest()[0] % 2 == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sema", type=Path, required=True, help="ca-sema/sema-lema.xml")
    args = parser.parse_args()
    entities = register_entities()
    queries = []
    with (HERE / "register_queries.csv").open(encoding="utf-8") as lines:
        for number, row in enumerate(csv.DictReader(lines), start=1):
            queries.append({"qid": f"r{number}", "category": row["category"],
                            "name": row["name"], "expected": row["expected"].split()})  # fmt: skip
    sema = sema_entities(args.sema)
    # SEMA lists some bodies twice (under two programmes): a held-out item with the English
    # or Russian name of an indexed one is that one, not a negative.
    same: dict[str, set[str]] = {}
    for item, english, russian in sema:
        if indexed(item):
            for name in [english, *russian]:
                same.setdefault(plain(name), set()).add(f"sema-{item}")
    for item, english, russian in sema:
        ident = f"sema-{item}"
        if indexed(item):
            names = {"name": russian[:1], "alias": russian[1:]}
            entities.append({**entity(ident, russian[0]), "properties": names})
        expected = set().union(*(same.get(plain(n), set())
                                 for n in [english, *russian]))  # fmt: skip
        queries.append({"qid": f"s{item}", "category": "sanctions" if expected else "negative",
                        "name": english, "expected": sorted(expected)})  # fmt: skip
    with (HERE / "index.jsonl").open("w", encoding="utf-8") as out:
        for data in entities:
            out.write(json.dumps(data, ensure_ascii=False) + "\n")
    with (HERE / "queries.jsonl").open("w", encoding="utf-8") as out:
        for query in queries:
            out.write(json.dumps(query, ensure_ascii=False) + "\n")
    print(f"{len(entities)} entities, {len(queries)} queries")


if __name__ == "__main__":
    main()
