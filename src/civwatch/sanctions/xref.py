"""Cross-referencing: links proposed between persons of different datasets.

A side is a dataset (its persons present in the latest version), `registers` (persons
listed in a state register) or `cases` (persons documented as officials in case records).
Each record of the left side is screened against an index of the right side with the
matching library (names in every script, initials, missing patronymics, birth dates,
identifiers). A link is proposed when the score reaches the threshold and the birth dates
do not conflict: two records that both give a birth date must agree on it at the precision
they share ("1972" agrees with "1972-11-09"; "1972-11-09" does not agree with "1972-11-10").

Re-running is safe: links an editor decided keep their status (their score and explanation
are refreshed); proposals that no longer reach the threshold are withdrawn.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

from django.db import transaction
from django.db.models import Q
from followthemoney.types import registry
from rapidfuzz.distance import Levenshtein

from civwatch.cases.models import Participant
from civwatch.core.crypto import bulk_create_sealed
from civwatch.core.ftm import entity_proxy
from civwatch.entities.models import Entity
from civwatch.matching import ScreeningIndex, has_patronymic_ending, record_from_ftm
from civwatch.matching.keys import initials_in, split_name, token_keys
from civwatch.sanctions.models import CASES, REGISTERS, Dataset, Link, ListEntry

# Minimum score by how far the birth dates agree; measured on ACF x OFAC (docs/sanctions.md).
# Without a whole birth date in common, namesakes are common: the names must agree fully.
THRESHOLDS = {"full": 0.65, "partial": 0.80, "unknown": 0.95}
XREF_THRESHOLD = min(THRESHOLDS.values())  # what the index is asked for
SIMILAR_PATRONYMIC = 0.8
# A patronymic misspelt by one list ("Akardyevich" for Arkadyevich: 2 edits of its key) is
# accepted when a whole birth date, the surname and the given name agree.
PATRONYMIC_TYPO_EDITS = 2
# Lists whose persons are all of one nationality without saying so: the ACF list names
# Russian officials and propagandists, the registers Russian "foreign agents". An explicit
# other nationality on the other side contradicts it (unless a whole birth date agrees:
# officials of occupied Ukraine may hold both).
IMPLIED_NATIONALITY = {"acf-list": "ru", REGISTERS: "ru"}
CANDIDATES_PER_RECORD = 5
OFFICIAL_ROLES = {
    Participant.Role.JUDGE,
    Participant.Role.PROSECUTOR,
    Participant.Role.INVESTIGATOR,
    Participant.Role.POLICE_OFFICER,
    Participant.Role.OFFICIAL,
    Participant.Role.ATTACKER,
    Participant.Role.ORGANISER,
}
FTM_PROPERTIES = {
    "aliases": "alias",
    "weak_aliases": "weakAlias",
    "birth_dates": "birthDate",
    "nationalities": "nationality",
    "tax_numbers": "taxNumber",
    "passports": "passportNumber",
    "id_numbers": "idNumber",
}


@dataclass
class SideRecord:
    dataset: str
    id: str
    name: str
    entity_id: str
    ftm: dict

    @property
    def birth_dates(self) -> list[str]:
        return self.ftm["properties"].get("birthDate", [])

    @property
    def names(self) -> list[str]:
        properties = self.ftm["properties"]
        return [n for p in ("name", "alias", "weakAlias") for n in properties.get(p, [])]

    @property
    def nationalities(self) -> set[str]:
        """Country codes the record states ("Russia" -> "ru")."""
        values = self.ftm["properties"].get("nationality", [])
        return {code for v in values if (code := registry.country.clean(v))}

    @property
    def tax_numbers(self) -> set[str]:
        properties = self.ftm["properties"]
        return {n for p in ("innCode", "taxNumber") for n in properties.get(p, [])}


def entry_ftm(entry: ListEntry) -> dict:
    properties = {"name": [entry.name]}
    for key, prop in FTM_PROPERTIES.items():
        if entry.record.get(key):
            properties[prop] = list(entry.record[key])
    return {"id": entry.source_id, "schema": "Person", "properties": properties}


def side_names() -> list[str]:
    return [*Dataset.objects.order_by("slug").values_list("slug", flat=True), REGISTERS, CASES]


def side_records(side: str) -> list[SideRecord]:
    if side in (REGISTERS, CASES):
        if side == REGISTERS:
            entities = Entity.objects.listed()
        else:
            ids = Participant.objects.filter(role__in=OFFICIAL_ROLES).values("entity_id")
            entities = Entity.objects.filter(pk__in=ids)
        entities = entities.filter(kind=Entity.Kind.PERSON).prefetch_related(
            "names", "identifiers", "websites"
        )
        return [
            SideRecord(side, e.pk, e.name, e.pk, entity_proxy(e).to_dict())
            for e in entities.order_by("pk")
        ]
    entries = ListEntry.objects.filter(dataset_id=side, present=True, schema="Person")
    return [
        SideRecord(side, e.source_id, e.name, e.entity_id, entry_ftm(e))
        for e in entries.order_by("source_id")
    ]


def birth_date_agreement(left: Iterable[str], right: Iterable[str]) -> str:
    """ "full" (a whole date in common), "partial" (agree at a shared year or month only),
    "unknown" (a side gives none) or "conflict"."""
    left, right = list(left), list(right)
    if not left or not right:
        return "unknown"
    if any(len(d) == 10 for d in set(left) & set(right)):
        return "full"
    if any(a[: min(len(a), len(b))] == b[: min(len(a), len(b))] for a in left for b in right):
        return "partial"
    return "conflict"


def patronymic_keys(names: Iterable[str]) -> set[str]:
    return {
        key
        for name in names
        for token in split_name(name)
        if len(token) > 5 and has_patronymic_ending(token)
        for key in token_keys(token)
    }


def patronymics_conflict(left: Iterable[str], right: Iterable[str]) -> bool:
    """Both sides give a patronymic and none sounds like one of the other side's."""
    left_keys, right_keys = patronymic_keys(left), patronymic_keys(right)
    if not left_keys or not right_keys:
        return False
    return not any(
        Levenshtein.normalized_similarity(a, b) >= SIMILAR_PATRONYMIC
        for a in left_keys
        for b in right_keys
    )


def core_keys(name: str) -> list[set[str]]:
    """The keys of each word of a name that is not a patronymic (surname, given names)."""
    return [
        set(token_keys(token))
        for token in split_name(name)
        if not (len(token) > 5 and has_patronymic_ending(token))
    ]


def same_surname_and_given_name(left: Iterable[str], right: Iterable[str]) -> bool:
    """Some name of each side has the same words, patronymics aside, in any order."""
    for a in map(core_keys, left):
        for b in map(core_keys, right):
            if len(a) >= 2 and len(a) == len(b) and all(any(k & o for o in b) for k in a):
                return True
    return False


def patronymic_edits(left: Iterable[str], right: Iterable[str]) -> int | None:
    """The fewest edits between the two sides' patronymic keys (None when one has none)."""
    left_keys, right_keys = patronymic_keys(left), patronymic_keys(right)
    if not left_keys or not right_keys:
        return None
    return min(Levenshtein.distance(a, b) for a in left_keys for b in right_keys)


def nationality_conflict(left: "SideRecord", right: "SideRecord", agreement: str) -> bool:
    """Stated nationalities with none in common; a list's implied one counts only when no
    whole birth date agrees."""
    stated = (left.nationalities, right.nationalities)
    if all(stated):
        return not (stated[0] & stated[1])
    if agreement == "full":
        return False
    implied = (
        stated[0] or {IMPLIED_NATIONALITY.get(left.dataset)} - {None},
        stated[1] or {IMPLIED_NATIONALITY.get(right.dataset)} - {None},
    )
    return all(implied) and not (implied[0] & implied[1])


def identifiers_conflict(left: "SideRecord", right: "SideRecord") -> bool:
    """Both give tax numbers and none is shared: one person has one INN."""
    return bool(left.tax_numbers and right.tax_numbers) and not (
        left.tax_numbers & right.tax_numbers
    )


def initials_only(names: list[str]) -> bool:
    """Every name gives the forenames as initials only ("Поляков А. А.")."""
    return all(full_words(n) <= 1 for n in names)


def three_part(names: list[str]) -> bool:
    """Some name gives surname, forename and patronymic (or its initial): "Иванов Дмитрий"
    alone is shared by too many people to be linked on names alone."""
    return any(len(split_name(n)) >= 3 and full_words(n) >= 2 for n in names)


def full_words(name: str) -> int:
    abbreviated = initials_in(name)
    return sum(1 for word in split_name(name) if len(word) > 1 and word not in abbreviated)


def patronymic_typo(left: SideRecord, right: SideRecord, agreement: str) -> int | None:
    """The edits of a patronymic misspelt by one side, when that is all that differs: a whole
    birth date, the surname and the given name agree and the keys are 1-2 edits apart."""
    if agreement != "full" or not same_surname_and_given_name(left.names, right.names):
        return None
    edits = patronymic_edits(left.names, right.names)
    return edits if edits is not None and edits <= PATRONYMIC_TYPO_EDITS else None


def link_tier(left: SideRecord, right: SideRecord, score: float) -> str | None:
    """The evidence tier a proposal reaches, or None when it must not be proposed.

    A birth-date conflict, a patronymic conflict (unless it is a typo: patronymic_typo),
    nationalities or tax numbers that contradict stop a link whatever the names score;
    without a whole birth date in common the names must agree almost entirely, and
    forenames given as initials only are not enough; without any birth date, both records
    must give a three-part name.
    """
    agreement = birth_date_agreement(left.birth_dates, right.birth_dates)
    if agreement == "conflict":
        return None
    if (
        patronymics_conflict(left.names, right.names)
        and patronymic_typo(left, right, agreement) is None
    ):
        return None
    if nationality_conflict(left, right, agreement) or identifiers_conflict(left, right):
        return None
    if score < THRESHOLDS[agreement]:
        return None
    if agreement == "unknown" and not (three_part(left.names) and three_part(right.names)):
        return None
    if agreement != "full" and (initials_only(left.names) or initials_only(right.names)):
        return None
    return agreement


def pair_filter(pairs: list[tuple[str, str]]) -> Q:
    """Links between the sides of any of these pairs, whichever side is on the left."""
    condition = Q(pk__in=[])
    for a, b in pairs:
        condition |= Q(left_dataset=a, right_dataset=b) | Q(left_dataset=b, right_dataset=a)
    return condition


def side_pairs(dataset: str | None, against: str | None) -> list[tuple[str, str]]:
    names = side_names()
    for side in (dataset, against):
        if side and side not in names:
            raise ValueError(f"unknown dataset {side!r}; known: {', '.join(names)}")
    if dataset and against:
        return [(dataset, against)] if dataset != against else []
    if dataset:
        return [(dataset, other) for other in names if other != dataset]
    if against:
        return [(other, against) for other in names if other != against]
    return list(combinations(names, 2))


@dataclass
class Proposal:
    left: SideRecord
    right: SideRecord
    score: float
    explanation: dict

    def as_link(self) -> Link:
        return Link(
            left_dataset=self.left.dataset,
            left_id=self.left.id,
            left_name=self.left.name,
            left_entity_id=self.left.entity_id,
            right_dataset=self.right.dataset,
            right_id=self.right.id,
            right_name=self.right.name,
            right_entity_id=self.right.entity_id,
            score=self.score,
            explanation=self.explanation,
            birth_dates=self.explanation["tier"],
        )


def proposals(
    left: list[SideRecord],
    right: list[SideRecord],
    threshold: float = XREF_THRESHOLD,
    progress: Callable[[int], None] = lambda done: None,
) -> Iterator[Proposal]:
    by_id = {r.id: r for r in right}
    index = ScreeningIndex(record_from_ftm(r.ftm) for r in right)
    for record in left:
        query = record_from_ftm(record.ftm)
        for result in index.search(query, limit=CANDIDATES_PER_RECORD, threshold=threshold):
            other = by_id[result.id]
            if result.score < threshold or other.entity_id == record.entity_id:
                continue
            tier = link_tier(record, other, result.score)
            if tier is None:
                continue
            explanation = {
                **result.explanation,
                "birth_dates": [record.birth_dates, other.birth_dates],
                "tier": tier,
            }
            if patronymics_conflict(record.names, other.names):
                explanation["patronymic"] = {
                    "edits": patronymic_typo(record, other, tier),
                    "accepted": "a patronymic spelt differently by one list: the whole birth "
                    "date, the surname and the given name agree",
                }
            yield Proposal(record, other, result.score, explanation)
        progress(1)


def without_namesakes(found: list[Proposal]) -> list[Proposal]:
    """Drop a link made on names alone when either record is linked on a birth date too.

    A list may name two people alike (a judge without a birth date, an accountant with
    one); once one of them matched on the birth date, the other is a namesake.
    """
    dated = {
        side
        for p in found
        if p.explanation["tier"] != "unknown"
        for side in (("L", p.left.id), ("R", p.right.id))
    }
    return [
        p
        for p in found
        if p.explanation["tier"] != "unknown" or not ({("L", p.left.id), ("R", p.right.id)} & dated)
    ]


def twin_key(record: SideRecord, birth_date: str) -> tuple:
    """Surname and given name, the patronymic's initial and a whole birth date. The initial
    keeps namesakes born the same day apart when the list gave one the other's birth date
    (the ACF's Песков Дмитрий Николаевич has the birth date of Дмитрий Сергеевич)."""
    initials = sorted({key[0] for key in patronymic_keys([record.name])})
    core = tuple(sorted(min(keys) for keys in core_keys(record.name) if keys))
    return (core, tuple(initials), birth_date)


def twins(records: list[SideRecord]) -> dict[str, list[SideRecord]]:
    """Records of one list that name one person twice: the same surname, given name,
    patronymic initial and whole birth date, the patronymic spelt otherwise (the ACF lists
    Львова-Белова Мария born 25.10.1984 once as Алексеевна and once as Александровна: "М. А."
    either way)."""
    groups: dict[tuple, list[SideRecord]] = {}
    for record in records:
        for date in {d for d in record.birth_dates if len(d) == 10}:
            key = twin_key(record, date)
            if len(key[0]) >= 2:  # a surname alone says too little
                groups.setdefault(key, []).append(record)
    found: dict[str, list[SideRecord]] = {}
    for group in groups.values():
        for record in group:
            found.setdefault(record.id, [])
            found[record.id] += [
                r for r in group if r.id != record.id and r not in found[record.id]
            ]
    return {k: v for k, v in found.items() if v}


def with_twins(
    found: list[Proposal], left: list[SideRecord], right: list[SideRecord]
) -> list[Proposal]:
    """Add, for a link made on a whole birth date, the same link for the record's twin on its
    own list (twins()), unless their birth dates, nationalities or tax numbers contradict."""
    left_twins, right_twins = twins(left), twins(right)
    seen = {(p.left.id, p.right.id) for p in found}
    added = []
    for proposal in found:
        if proposal.explanation["tier"] != "full":
            continue
        pairs = [(t, proposal.right) for t in left_twins.get(proposal.left.id, ())]
        pairs += [(proposal.left, t) for t in right_twins.get(proposal.right.id, ())]
        for a, b in pairs:
            if (a.id, b.id) in seen or a.entity_id == b.entity_id:
                continue
            agreement = birth_date_agreement(a.birth_dates, b.birth_dates)
            if agreement != "full" or nationality_conflict(a, b, agreement):
                continue
            if identifiers_conflict(a, b):
                continue
            seen.add((a.id, b.id))
            twin = proposal.left if a is not proposal.left else proposal.right
            explanation = {
                **proposal.explanation,
                "birth_dates": [a.birth_dates, b.birth_dates],
                "twin_of": {"dataset": twin.dataset, "id": twin.id, "name": twin.name},
                "accepted": "the same list names this person twice (same surname, given name, "
                "patronymic initial and whole birth date; the patronymic differs) and the "
                "other record is linked",
            }
            added.append(Proposal(a, b, proposal.score, explanation))
    return found + added


@dataclass
class XrefReport:
    pairs: list[tuple[str, str]]
    proposed: int = 0
    kept_decided: int = 0
    withdrawn: int = 0

    def describe(self) -> str:
        sides = ", ".join(f"{a} x {b}" for a, b in self.pairs) or "nothing to compare"
        return (
            f"{sides}: {self.proposed} links found ({self.kept_decided} of them decided "
            f"before, kept as decided); {self.withdrawn} earlier proposals withdrawn"
        )


def run_xref(
    dataset: str | None = None,
    against: str | None = None,
    threshold: float = XREF_THRESHOLD,
    on_start: Callable[[int], None] = lambda total: None,
    progress: Callable[[int], None] = lambda done: None,
) -> XrefReport:
    pairs = side_pairs(dataset, against)
    records = {side: side_records(side) for side in {s for pair in pairs for s in pair}}
    on_start(sum(len(records[left]) for left, _ in pairs))
    report = XrefReport(pairs)
    found = []
    for left, right in pairs:
        found += with_twins(
            without_namesakes(list(proposals(records[left], records[right], threshold, progress))),
            records[left],
            records[right],
        )
    with transaction.atomic():
        existing = {link.sides: link for link in Link.objects.filter(pair_filter(pairs))}
        new_links, refreshed, seen = [], [], set()
        for proposal in found:
            key = (
                proposal.left.dataset,
                proposal.left.id,
                proposal.right.dataset,
                proposal.right.id,
            )
            link = existing.get(key) or existing.get((*key[2:], *key[:2]))
            if link is None:
                new_links.append(proposal.as_link())
                continue
            seen.add(link.pk)
            link.score, link.explanation = proposal.score, proposal.explanation
            link.birth_dates = proposal.explanation["tier"]
            refreshed.append(link)
        stale = [
            link.pk
            for link in existing.values()
            if link.pk not in seen and link.status == Link.Status.PROPOSED
        ]
        Link.objects.filter(pk__in=stale).delete()
        bulk_create_sealed(Link, new_links, batch_size=1000)
        # A link with a case-only person keeps its explanation encrypted: bulk_update would
        # write it without its row, so those links are saved one by one.
        sealed = [link for link in refreshed if link.involves_cases()]
        for link in sealed:
            link.save(update_fields=["score", "explanation", "birth_dates"])
        Link.objects.bulk_update(
            [link for link in refreshed if not link.involves_cases()],
            ["score", "explanation", "birth_dates"],
            batch_size=1000,
        )
    report.proposed = len(found)
    report.kept_decided = sum(link.status != Link.Status.PROPOSED for link in refreshed)
    report.withdrawn = len(stale)
    return report
