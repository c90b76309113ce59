"""Screening index: candidate retrieval by phonetic token keys, then scoring with reasons.

Retrieval uses a deletion neighbourhood of each distinct token key (the key itself and the
key with one letter deleted), so a query token finds index tokens within two edits without
scanning: the cost grows with the number of distinct keys touched, not with the index.
Candidates come from the query's rarest tokens (usually the surname), so common given names
do not flood the scorer.
"""

import heapq
import itertools
import math
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz.distance import OSA

from civwatch.matching import orgs
from civwatch.matching.keys import (
    first_letters,
    initials_in,
    is_cyrillic,
    split_name,
    token_keys,
)

# Patronymic endings as heard (-вич, -вна, -ична), so every romanisation of them counts:
# Aleksandrovich, Alexandrowitsch, Aleksandrovič, Aleksandrowicz, Aleksandrovitch.
PATRONYMIC_KEY = re.compile(r"(viQ|vna|Qna)$")
SHORT_PATRONYMIC_KEY = re.compile(r"iQ$")
# Turkic patronymics are two words, "Рустам оглы": the particle marks the word before it.
PATRONYMIC_PARTICLES = {
    "оглы",
    "кызы",
    "угли",
    "улы",
    "ogly",
    "kyzy",
    "ogli",
    "ugli",
    "uly",
    "oglu",
}
PARENTHESES = re.compile(r"\s*\(([^)]*)\)")
# Words that introduce a former or other name inside brackets: "(ранее «Центр ...»)".
FORMER_MARKERS = re.compile(
    r"\b(ранее|бывш\w*|прежн\w*|название|до|formerly|former|previously|f/?k/?a|ex)\b\.?",
    re.IGNORECASE,
)
DEFAULT_THRESHOLD = 0.70
MIN_TOKEN_SIMILARITY = 0.70
# Query keys this long also look two deletions away (the index holds one): two typing
# errors in a long surname, or one error that changes two sounds ("Khrushcehv").
TWO_DELETIONS_FROM = 7
# Words at least this share of the index holds (given names, patronymics) are compared in
# full with a misspelt query word (name_score).
COMMON_WORD_SHARE = 0.001
COMMON_WORD_COUNT = 5  # ... and at least this many entities: in a short list no word is
# Candidates come from the query's rarest tokens, as many as fit under this many entities.
CANDIDATE_CAP = 500
SIMILAR_CACHE_SIZE = 100_000
SCORED_CANDIDATES = 20  # the best-voted candidates get the full, explained scoring
VOTING_WORDS = 2
INITIAL_SIMILARITY = 0.92
INITIAL_VOTE = 1.0
# A shared identifier (an INN, a passport number) outvotes any name: the record is scored.
IDENTIFIER_VOTE = 100.0
MISSING_PATRONYMIC_WEIGHT = 0.2
CROSS_ROLE = 0.6
PATRONYMIC_CONFLICT = 0.85
SHARPNESS = 2
# An unfinished word (search as you type: "Bastr") stands for the index's words that begin
# with it, the most frequent first; a key shorter than this begins too many words.
COMPLETIONS = 20
MIN_TYPED = 3


# Slots and frozensets: a million-entity index holds millions of these.
@dataclass(frozen=True, slots=True)
class Token:
    text: str
    keys: tuple[str, ...]
    patronymic: bool
    initial: bool


@dataclass(slots=True)
class Record:
    id: str
    schema: str
    names: list[str]
    tokens: list[list[Token]]  # per name
    birth_dates: frozenset[str] = frozenset()
    identifiers: frozenset[tuple[str, str]] = frozenset()
    countries: frozenset[str] = frozenset()


NAME_PROPERTIES = ("name", "alias", "previousName", "weakAlias")
# FtM's name parts, in the order a full name is written from them (as FtM and yente do).
NAME_PARTS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
IDENTIFIER_PROPERTIES = ("innCode", "ogrnCode", "passportNumber", "idNumber", "taxNumber")


def is_organisation_word(text: str) -> bool:
    """A legal form or organisation word ("ООО", "Межрегиональная", "LLC", "фонд", "TV"):
    it says what kind of body a name names, not which (the vocabulary is orgs.py's data)."""
    return orgs.is_legal_form(text) or orgs.is_generic_word(text)


# Initials as people write them: a letter or two before a full stop ("A.", "Kh."), or a
# capital letter standing alone ("Bastrykin A I"). A lower-case "и" or "a" in a name is a word.
WRITTEN_INITIAL = re.compile(r"(?<!\w)(\w{1,2})\.|(?<!\w)([^\W\d_])(?!\w)")


def written_initials(name: str) -> set[str]:
    found = set()
    for dotted, alone in WRITTEN_INITIAL.findall(name):
        if dotted or alone.isupper():
            found.add((dotted or alone).casefold())
    return found


def tokenize(name: str, organisation: bool = False) -> list[Token]:
    texts = split_name(name)
    if organisation:
        read = orgs.read_words(texts, written_initials(name))
        if read:
            return organisation_tokens(name, read)
    initials = initials_in(name)
    is_initial = [text in initials for text in texts]
    marked = patronymic_positions(texts, is_initial)
    if not organisation:
        marked.update(hyphenated_patronymic_positions(name, texts))
    return [make_token(text, i in marked, is_initial[i]) for i, text in enumerate(texts)]


HYPHENATED = re.compile(r"\w+(?:-\w+)+")


def hyphenated_patronymic_positions(name: str, texts: list[str]) -> set[int]:
    """The first parts of a hyphenated father's name ("Турпал-Алиевич", "Magomed-Salievna"):
    they are the father's name too, so an initial of the father's name ("T.") pairs with
    them."""
    pairs = set()
    for match in HYPHENATED.finditer(name):
        parts = split_name(match.group())
        if len(parts) >= 2 and has_patronymic_ending(parts[-1]):
            pairs.update(itertools.pairwise(parts))
    if not pairs:
        return set()
    return {i for i in range(len(texts) - 1) if (texts[i], texts[i + 1]) in pairs}


def organisation_tokens(name: str, read: list[tuple[str, str | None]]) -> list[Token]:
    """An organisation's words: a word of the bilingual vocabulary carries its concept key
    besides its phonetic keys (a phrase, its concept key only); a person's name inside
    ("Фонд имени Андрея Рылькова") keeps its roles."""
    plain = [text for text, concept in read if concept is None]
    initials = initials_in(name)
    is_initial = [text in initials for text in plain]
    marked = patronymic_positions(plain, is_initial)
    tokens, position = [], 0
    for text, concept in read:
        if concept is None:
            tokens.append(organisation_token(text, None, position in marked, is_initial[position]))
            position += 1
        else:
            tokens.append(organisation_token(text, concept, False, False))
    return tokens


@lru_cache(maxsize=1 << 18)
def organisation_token(text: str, concept: str | None, patronymic: bool, initial: bool) -> Token:
    """One shared Token per distinct organisation word, as make_token for persons."""
    if concept is not None:
        keys = (concept,) if " " in text else (*orgs.word_keys(text), concept)
        return Token(text=text, keys=keys, patronymic=False, initial=False)
    token = make_token(text, patronymic, initial)
    keys = orgs.word_keys(text)
    return replace(token, keys=keys) if keys != token.keys else token


def patronymic_positions(texts: list[str], is_initial: list[bool]) -> set[int]:
    """Which words of one name are the father's name, beyond those whose ending says so."""
    marked = {i - 1 for i, text in enumerate(texts) if text in PATRONYMIC_PARTICLES}
    # "Ponomarev L. A.", "L. A. Ponomarev": of two initials in a row the second is the
    # father's name.
    marked.update(i for i in range(1, len(texts)) if is_initial[i] and is_initial[i - 1])
    full = [i for i in range(len(texts)) if not is_initial[i]]
    if not marked and not any(has_patronymic_ending(texts[i]) for i in full):
        if len(full) >= 2 and sum(is_initial) == 1:
            # "Dmitri M. Kim", "Kim Dmitri M.": one initial beside a given name and a
            # surname is the father's name.
            marked.add(is_initial.index(True))
        elif len(full) >= 3:
            # Short patronymics end in -ич without -вич (Ильич, Лукич, Кузьмич); surnames
            # can too (Бабич), but not after the given name: the first such word after the
            # first word is the father's name.
            short = [i for i in full[1:] if SHORT_PATRONYMIC_KEY.search(token_keys(texts[i])[0])]
            marked.update(short[:1])
    return marked


@lru_cache(maxsize=1 << 20)
def make_token(text: str, marked_patronymic: bool, initial: bool) -> Token:
    """One shared Token per distinct word and role: a million names hold few distinct words,
    so the index keeps each once."""
    patronymic = marked_patronymic or has_patronymic_ending(text)
    return Token(text=text, keys=token_keys(text), patronymic=patronymic, initial=initial)


def has_patronymic_ending(text: str) -> bool:
    return text in PATRONYMIC_PARTICLES or any(PATRONYMIC_KEY.search(k) for k in token_keys(text))


def name_variants(names: list[str], person: bool = True) -> list[str]:
    """Each name, and the names its brackets hold. Brackets hold a former or other name: a
    person's "IVANIK (Kalitskaya) Anna" also reads "IVANIK Anna" and "Kalitskaya Anna"; an
    organisation's "АНО «Новый» (ранее «Старый»)" also reads "АНО «Новый»" and "«Старый»"."""
    variants = []
    for name in names:
        variants.append(name)
        bare = PARENTHESES.sub("", name)
        if bare == name or not bare.strip():
            continue
        variants.append(bare)
        for match in PARENTHESES.finditer(name):
            inner = FORMER_MARKERS.sub(" ", match.group(1)).strip()
            if not inner:
                continue
            if person:
                # Only "Surname (Former) Given ..." says which word the bracket replaces.
                before = name[: match.start()].split()
                if len(before) != 1:
                    continue
                inner = f"{inner} {name[match.end() :]}"
            variants.append(PARENTHESES.sub("", inner).strip())
    return list(dict.fromkeys(v for v in variants if v.strip()))


def record_from_ftm(data: dict) -> Record:
    properties = data.get("properties") or {}
    schema = data.get("schema") or "Person"
    given = [n for prop in NAME_PROPERTIES for n in properties.get(prop, []) if n and n.strip()]
    names = name_variants([*given, *names_from_parts(properties)], person=schema == "Person")
    return Record(
        id=str(data.get("id") or data.get("qid") or ""),
        schema=schema,
        names=names,
        tokens=[tokenize(n, organisation=schema != "Person") for n in names],
        birth_dates=frozenset(properties.get("birthDate", ())),
        identifiers=frozenset((p, v) for p in IDENTIFIER_PROPERTIES for v in properties.get(p, ())),
        countries=frozenset([*properties.get("country", ()), *properties.get("nationality", ())]),
    )


def with_organisation_variants(record: Record) -> Record:
    """A listed organisation is also known by its quoted name proper and without a trailing
    state (orgs.name_variants). Only the index's records: a query "НПП «Звезда» имени
    Северина" must not shrink to «Звезда»."""
    extra = [v for n in record.names for v in orgs.name_variants(n) if v not in record.names]
    extra = list(dict.fromkeys(extra))
    if not extra:
        return record
    return replace(
        record,
        names=[*record.names, *extra],
        tokens=[*record.tokens, *(tokenize(v, organisation=True) for v in extra)],
    )


def names_from_parts(properties: dict) -> list[str]:
    """ "Aleksandr Ivanovich Bastrykin" from firstName, fatherName and lastName; with several
    values of a part (two spellings of the surname), one name per value of that part."""
    parts = [[v.strip() for v in properties.get(p, ()) if v and v.strip()] for p in NAME_PARTS]
    parts = [values for values in parts if values]
    if not parts:
        return []
    widest = max(len(values) for values in parts)
    return [" ".join(values[min(i, len(values) - 1)] for values in parts) for i in range(widest)]


@dataclass
class Result:
    id: str
    score: float
    match: bool
    explanation: dict


class ScreeningIndex:
    def __init__(self, records: Iterable[Record]):
        self.records: list[Record] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.by_identifier: dict[tuple[str, str], list[int]] = defaultdict(list)
        for number, record in enumerate(records):
            if record.schema != "Person":
                record = with_organisation_variants(record)
            self.records.append(record)
            for identifier in record.identifiers:
                self.by_identifier[identifier].append(number)
            keys = {k for name in record.tokens for t in name if not t.initial for k in t.keys}
            for key in keys:
                self.postings[key].append(number)
        self.neighbours: dict[str, list[str]] = defaultdict(list)
        for key in self.postings:
            for variant in deletions(key):
                self.neighbours[variant].append(key)
        total = max(len(self.records), 1)
        self.weights = {k: 1 + math.log(total / len(p)) for k, p in self.postings.items()}
        self.common_weight = 1 + math.log(total / max(COMMON_WORD_SHARE * total, COMMON_WORD_COUNT))
        # Given names and patronymics recur in most queries: remember their neighbours.
        self.similar_cache: dict[tuple[str, int], dict[str, float]] = {}
        self.token_weights: dict[tuple, float] = {}
        self.sorted_keys: list[str] | None = None  # for completions, sorted when first asked

    def __len__(self) -> int:
        return len(self.records)

    def similar_keys(self, key: str, misspelt: bool = False) -> dict[str, float]:
        """Index keys near a key. A misspelt word's long keys also look two deletions
        away; a word the index knows does not pay for that."""
        depth = 2 if misspelt and len(key) >= TWO_DELETIONS_FROM else 1
        cached = self.similar_cache.get((key, depth))
        if cached is not None:
            return cached
        found: dict[str, float] = {}
        seen: set[str] = set()
        for variant in deletions(key, depth):
            for candidate in self.neighbours.get(variant, ()):
                if candidate not in seen:
                    seen.add(candidate)
                    similarity = typo_similarity(key, candidate)
                    if similarity >= MIN_TOKEN_SIMILARITY:
                        found[candidate] = similarity
        if len(self.similar_cache) < SIMILAR_CACHE_SIZE:
            self.similar_cache[(key, depth)] = found
        return found

    def completions(self, key: str) -> dict[str, float]:
        """The index keys that begin with `key` (a word typed so far), the most frequent first
        (at most COMPLETIONS), each a full match of what was typed."""
        if len(key) < MIN_TYPED:
            return {}
        if self.sorted_keys is None:
            self.sorted_keys = sorted(self.postings)
        keys = self.sorted_keys
        start = bisect_left(keys, key)
        stop = bisect_left(keys, key + "\uffff", lo=start)  # above any letter of a key
        found = heapq.nlargest(COMPLETIONS, keys[start:stop], key=lambda k: len(self.postings[k]))
        return dict.fromkeys(found, 1.0)

    def candidates(
        self,
        query: Record,
        near: list[list[dict[str, float]]] | None = None,
        within: Container[int] | None = None,
    ) -> list[int]:
        """Entities sharing the query's rarest tokens or an identifier, best first by a cheap
        vote (an identifier-only query finds the records with that identifier); with
        `within`, only the records of those numbers (one list of a shared index)."""
        if near is None:
            near = self.query_neighbourhoods(query)
        rarity = [
            (sum(len(self.postings[k]) for k in matched), matched)
            for name in near
            for matched in name
            if matched
        ]
        rarity.sort(key=lambda item: item[0])
        votes: dict[int, float] = {}
        budget = 0
        for rank, (size, matched) in enumerate(rarity):
            # Each word votes once per entity, with its best-matching key; keys in
            # increasing gain so that dict updates (done in C) keep the best.
            gains = sorted((self.weights[k] * s, k) for k, s in matched.items())
            if not rank:
                budget = size
                for gain, key in gains:
                    votes.update(dict.fromkeys(self.postings[key], gain))
            elif budget + size <= CANDIDATE_CAP:
                budget += size
                word: dict[int, float] = {}
                for gain, key in gains:
                    word.update(dict.fromkeys(self.postings[key], gain))
                for number, gain in word.items():
                    votes[number] = votes.get(number, 0.0) + gain
            elif rank < VOTING_WORDS:
                # A common word (a given name shared by thousands) only strengthens the
                # entities the rarer word found: intersect, do not walk its postings.
                waiting = set(votes)
                for gain, key in reversed(gains):
                    found = waiting.intersection(self.postings[key])
                    for number in found:
                        votes[number] += gain
                    waiting -= found
            else:
                break
        for identifier in query.identifiers:
            for number in self.by_identifier.get(identifier, ()):
                votes[number] = votes.get(number, 0.0) + IDENTIFIER_VOTE
        if within is not None:
            votes = {number: vote for number, vote in votes.items() if number in within}
        initials = [t for name in query.tokens for t in name if t.initial]
        if initials and len(votes) > SCORED_CANDIDATES:
            # "Zagirov A. D." against a thousand Zagirovs: the initials pick among them.
            wanted = [(first_letters(t.text), t.patronymic) for t in initials]
            for number in votes:
                tokens = [t for name in self.records[number].tokens for t in name]
                votes[number] += INITIAL_VOTE * sum(
                    any(
                        t.patronymic == role and not sounds.isdisjoint(first_letters(t.text))
                        for t in tokens
                    )
                    for sounds, role in wanted
                )
        return heapq.nlargest(SCORED_CANDIDATES, votes, key=votes.__getitem__)

    def search(
        self,
        query: Record,
        limit: int = 10,
        threshold: float = DEFAULT_THRESHOLD,
        within: Container[int] | None = None,
        complete: bool = False,
    ) -> list[Result]:
        """The best records for the query; with `complete`, the last word of each of its names
        may be unfinished (typed so far) and also matches the words that begin with it."""
        # Score every candidate once, keeping how its best name matched; explain only the
        # ones returned.
        near = self.query_neighbourhoods(query, complete)
        scored = sorted(
            (
                (*self.scored(query, near, self.records[n]), self.records[n].id, n)
                for n in self.candidates(query, near, within)
            ),
            key=lambda item: (-item[0], item[2]),
        )[:limit]
        return [
            Result(
                id=record_id,
                score=round(score, 4),
                match=score >= threshold,
                explanation=self.explain(query, self.records[number], score, best),
            )
            for score, best, record_id, number in scored
        ]

    def score(self, query: Record, record: Record, explain: bool = False) -> tuple[float, dict]:
        score, best = self.scored(query, self.query_neighbourhoods(query), record)
        return score, (self.explain(query, record, score, best) if explain else {})

    def query_neighbourhoods(
        self, query: Record, complete: bool = False
    ) -> list[list[dict[str, float]]]:
        """For each query word, the index keys near any of its keys, with their similarity:
        computed once per query, looked up for every candidate. With `complete`, the last
        word of each name also has the keys that begin with its own."""
        near = [[self.token_neighbourhood(t) for t in name] for name in query.tokens]
        if complete:
            for name, neighbourhoods in zip(query.tokens, near, strict=True):
                if name and not name[-1].initial:
                    completed = dict(neighbourhoods[-1])
                    for key in name[-1].keys:
                        completed.update(self.completions(key))
                    neighbourhoods[-1] = completed
        return near

    def token_neighbourhood(self, token: Token) -> dict[str, float]:
        if token.initial:
            return {}
        misspelt = self.is_misspelt(token)
        # Any query word of the bilingual vocabulary ("TV", "Rain", in a Person query as
        # well) also finds the organisations' words of its concept.
        concept = orgs.concept_of(token.text)
        if concept in token.keys or concept not in self.postings:
            concept = None
        if len(token.keys) == 1 and concept is None:
            return self.similar_keys(token.keys[0], misspelt)
        near: dict[str, float] = {concept: 1.0} if concept else {}
        for key in token.keys:
            for found, similarity in self.similar_keys(key, misspelt).items():
                if similarity > near.get(found, 0.0):
                    near[found] = similarity
        return near

    def is_misspelt(self, token: Token) -> bool:
        """No word of the index sounds like this one: a typing error, or a stranger."""
        postings = self.postings
        return not token.initial and all(k not in postings for k in token.keys)

    def scored(
        self, query: Record, near: list[list[dict[str, float]]], record: Record
    ) -> tuple[float, tuple | None]:
        """The record's score, and which of its names matched which query name how."""
        best_score, best = 0.0, None
        for query_name, query_near in zip(query.tokens, near, strict=True):
            for entity_name, entity_tokens in zip(record.names, record.tokens, strict=True):
                score, matched = self.name_score(query_name, entity_tokens, query_near)
                if score > best_score:
                    best_score = score
                    best = (score, entity_name, query_name, entity_tokens, matched)
        return secondary_evidence(best_score, query, record)[0], best

    def explain(self, query: Record, record: Record, score: float, best: tuple | None) -> dict:
        name = explain_name(*best) if best else {}
        return {"name": name, **secondary_evidence(0.0, query, record)[1]}

    def name_score(
        self, query: list[Token], entity: list[Token], near: list[dict[str, float]] | None = None
    ) -> tuple[float, list]:
        """The weighted share of the entity's name the query covers, and the word pairs."""
        if not query or not entity:
            return 0.0, []
        if near is None:
            near = [self.token_neighbourhood(t) for t in query]
        weights = [self.token_weight(t) for t in entity]
        misspelt: list[bool | None] = [None] * len(query)
        common = self.common_weight
        pairs = []
        for qi, q in enumerate(query):
            q_near = near[qi]
            for ei, e in enumerate(entity):
                if q.initial or e.initial:
                    similarity = initial_similarity(q, e)
                    if similarity:
                        pairs.append((similarity, qi, ei))
                    continue
                # Keys outside the query word's neighbourhood are too far apart to count,
                # unless the query word is misspelt (no word of the index sounds like it)
                # and the candidate's word is a common one (a given name, a patronymic):
                # its neighbourhood finds one or two deletions, a common word is compared
                # in full (a dropped letter can change two sounds: "Niolay", "Wladiir").
                # A rare word (a surname) that far off is more likely another surname
                # (Кочегин, "Kotcheguenko") than a typing error.
                keys = e.keys
                if len(keys) == 1:
                    similarity = q_near.get(keys[0], 0.0)
                else:
                    similarity = max(q_near.get(k, 0.0) for k in keys)
                if similarity < MIN_TOKEN_SIMILARITY:
                    if misspelt[qi] is None:
                        misspelt[qi] = self.is_misspelt(q)
                    if not misspelt[qi] or self.token_weight(e) > common:
                        continue
                    similarity = keys_similarity(q.keys, keys)
                    if similarity < MIN_TOKEN_SIMILARITY:
                        continue
                similarity **= SHARPNESS
                if q.patronymic != e.patronymic:
                    # A father's name that sounds like a surname (Aleksandrovna,
                    # Aleksandrova) is weak evidence of the surname.
                    similarity *= CROSS_ROLE
                pairs.append((similarity, qi, ei))
        pairs.sort(reverse=True)
        used_q, used_e, matched = set(), set(), []
        gained = 0.0
        for similarity, qi, ei in pairs:
            if qi in used_q or ei in used_e:
                continue
            used_q.add(qi)
            used_e.add(ei)
            matched.append((qi, ei, similarity))
            gained += weights[ei] * similarity
        total = sum(weights)
        missing = [q for qi, q in enumerate(query) if qi not in used_q]
        possible = total + sum(map(orgs.unmatched_share, missing)) * total / len(weights)
        entity_patronymic_left = False
        for i, t in enumerate(entity):
            if t.patronymic and i not in used_e:
                possible -= weights[i] * (1 - MISSING_PATRONYMIC_WEIGHT)
                entity_patronymic_left = True
        score = gained / possible if possible else 0.0
        # Two different fathers' names: the same given name and surname, another person.
        if entity_patronymic_left and any(
            t.patronymic for i, t in enumerate(query) if i not in used_q
        ):
            score *= PATRONYMIC_CONFLICT
        return score, matched

    def token_weight(self, token: Token) -> float:
        # Keyed by the sounds, not the token: distinct words are few, tokens are many.
        cache_key = (token.keys, token.patronymic)
        weight = self.token_weights.get(cache_key)
        if weight is None:
            weight = max((self.weights.get(k, 1.0) for k in token.keys), default=1.0)
            weight *= 0.6 if token.patronymic else 1.0
            if any(map(orgs.is_generic_key, token.keys)):
                # "центр", "committee": every second organisation has one.
                weight = self.weights.get(token.keys[-1], 1.0) * orgs.GENERIC_WEIGHT
            self.token_weights[cache_key] = weight
        return weight


def explain_name(
    score: float, name: str, query: list[Token], entity: list[Token], matched: list
) -> dict:
    used_q = {qi for qi, _, _ in matched}
    used_e = {ei for _, ei, _ in matched}
    return {
        "name": name,
        "score": round(score, 4),
        "tokens": [
            {
                "query": query[qi].text,
                "matched": entity[ei].text,
                "how": how_matched(query[qi], entity[ei], s),
                "similarity": round(s, 3),
            }
            for qi, ei, s in matched
        ],
        "unmatched_query": [t.text for i, t in enumerate(query) if i not in used_q],
        "unmatched_name": [t.text for i, t in enumerate(entity) if i not in used_e],
    }


def typo_similarity(key: str, other: str) -> float:
    """How close two keys are as typing errors of one word: 1 - edits / length, where a
    swap of neighbouring letters is one edit. A word that is the other with two or more
    letters added or changed at its end is another word, not a typing error: Russian
    surnames are formed by endings (Петров, Петровский; Пронин, Проненко)."""
    edits = OSA.distance(key, other)
    if edits >= 2 and common_prefix(key, other) >= min(len(key), len(other)) - 1:
        return 0.0
    return 1 - edits / max(len(key), len(other))


@lru_cache(maxsize=SIMILAR_CACHE_SIZE)
def keys_similarity(keys: tuple[str, ...], others: tuple[str, ...]) -> float:
    """The best typo_similarity of any key of one word with any key of another."""
    return max(typo_similarity(k, o) for k in keys for o in others)


def common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def deletions(key: str, depth: int = 1) -> set[str]:
    """The key and the key with up to `depth` letters deleted (none from keys of three
    letters or fewer: too many words are that close)."""
    variants = {key}
    if len(key) > 3:
        for _ in range(depth):
            variants.update(v[:i] + v[i + 1 :] for v in list(variants) for i in range(len(v)))
    return variants


def initial_similarity(query: Token, entity: Token) -> float:
    """An initial agrees with a word of the same role that starts with its sound."""
    short, full = (query, entity) if query.initial else (entity, query)
    if short.patronymic != full.patronymic:
        return 0.0
    return (
        0.0
        if first_letters(short.text).isdisjoint(first_letters(full.text))
        else INITIAL_SIMILARITY
    )


def how_matched(query: Token, entity: Token, similarity: float) -> str:
    if query.initial or entity.initial:
        return "initial"
    if query.text == entity.text:
        return "same spelling"
    if similarity == 1.0:
        return (
            "transliteration"
            if is_cyrillic(query.text) != is_cyrillic(entity.text)
            else "spelling variant"
        )
    return "similar sound"


def secondary_evidence(score: float, query: Record, record: Record) -> tuple[float, dict]:
    why: dict = {}
    if query.birth_dates and record.birth_dates:
        if query.birth_dates & record.birth_dates:
            why["birthDate"] = "agree"
            score += (1 - score) * 0.3
        elif {d[:4] for d in query.birth_dates} & {d[:4] for d in record.birth_dates}:
            why["birthDate"] = "same year, different day"
            score *= 0.85
        else:
            why["birthDate"] = "conflict"
            score *= 0.55
    if query.identifiers and record.identifiers:
        if query.identifiers & record.identifiers:
            why["identifiers"] = "agree"
            score = max(score, 0.99)
        elif {p for p, _ in query.identifiers} & {p for p, _ in record.identifiers}:
            why["identifiers"] = "conflict"
            score *= 0.5
    if query.countries and record.countries:
        agree = bool(query.countries & record.countries)
        why["country"] = "agree" if agree else "conflict"
        score *= 1.0 if agree else 0.9
    return min(score, 1.0), why
