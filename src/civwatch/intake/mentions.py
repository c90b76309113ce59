"""Mentions of known people and organisations in a text, with character offsets.

A name in a text is a run of capitalised words and initials ("Льва Пономарёва",
"Л. А. Пономарёв", "Lev Ponomaryov"), or the words between quotation marks («Мемориала»).
Every Russian word stands for all the nominatives it may be a form of (morphology.py), and
every word is compared through the matching library's phonetic keys, so declined forms and
any romanisation the library reads meet the register's spelling.

The rule that keeps false mentions out (docs/intake.md):

- a person is mentioned only by surname **and** given name (a full word or an initial), in
  either order, with or without the patronymic; every word of the span must belong to the
  name. A lone given name never counts, nor a given name with a patronymic;
- a lone surname counts only after the same text has named that person in full, and only
  when no other person named in full shares it ("Пономарёв said" after "Лев Пономарёв");
- an organisation is mentioned when every distinctive word of its name is there, in either
  language ("TV Rain" for «Телеканал Дождь»); legal forms and organisation words may be
  added, and legal forms and the words the press drops ("фонд", "центр") left out; a name
  of one distinctive word counts only between quotation marks, or, in Latin script, when it
  is neither the first word of a sentence nor after an article ("the Republic"), and only
  when it meets the name by sound, not by translation ("Voice" is not «Голос»);
- when two known entities fit a span equally well (namesakes, or several organisations
  called «Мемориал»), the span is not reported: the editor decides, not the program. One
  exception: an entity a register designates in its own right is preferred to a same-named
  entity known only as a member of a listed association or from case records (the register
  repeats designated people in member lists);
- the library's score of the span against the name must reach its default threshold.
"""

import re
from dataclasses import dataclass, replace
from itertools import pairwise

from civwatch.intake.gazetteer import Gazetteer
from civwatch.intake.morphology import is_dictionary_word, modifies, nominatives
from civwatch.matching import DEFAULT_THRESHOLD, Record, has_patronymic_ending
from civwatch.matching.index import Token, is_organisation_word, patronymic_positions
from civwatch.matching.keys import is_cyrillic, token_keys
from civwatch.matching.orgs import is_legal_form, may_be_left_out, word_keys

WORD = re.compile(r"[^\W\d_]+(?:[-‐‑][^\W\d_]+)*")
HYPHENS = re.compile(r"[-‐‑]")
OPENING_QUOTES = '«“„"'
CLOSING_QUOTES = '»”“"'
QUOTED_SPAN = re.compile(r"[«“„\"]([^«»“”„\"\n]{2,120})[»”“\"]")
SENTENCE_END = re.compile(r"(^|[.!?…]\s*|\n\s*)[«“„\"(]?$")
ARTICLE_BEFORE = re.compile(r"(?:^|\W)(?:the|a|an) $", re.IGNORECASE)
MAX_NAME_WORDS = 5
# Capitalised only because they start a sentence: not part of a name.
FUNCTION_WORDS = {"the", "a", "an", "in", "on", "at", "by", "for", "from", "with", "and", "but"}
TITLES = {"mr", "mrs", "ms", "dr"}
MIN_PAIR_SIMILARITY = 0.8
# Two entities whose scores differ by less fit the span equally: such a difference comes
# from how rare a left-out organisation word is ("Medusa Project" against «Проект Медуза»),
# not from the words of the span.
EQUAL_FIT = 0.02


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    end: int
    initial: bool
    sentence_start: bool
    # After "the", "a" or "an": a common noun ("the Republic"), not an outlet's name.
    after_article: bool = False


@dataclass
class Mention:
    text: str
    start: int
    end: int
    entity_id: str
    name: str
    score: float

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "entity_id": self.entity_id,
            "name": self.name,
            "score": self.score,
        }


def words_of(text: str) -> list[Word]:
    words = []
    for match in WORD.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        initial = (
            word[0].isupper()
            and (len(word) == 1 or (len(word) == 2 and word[1].islower()))
            and text[end : end + 1] == "."
        )
        words.append(
            Word(
                text=word,
                start=start,
                end=end + 1 if initial else end,
                initial=initial,
                sentence_start=bool(SENTENCE_END.search(text[max(0, start - 4) : start])),
                after_article=bool(ARTICLE_BEFORE.search(text[max(0, start - 5) : start])),
            )
        )
    return words


def name_runs(text: str, words: list[Word]) -> list[list[Word]]:
    """Runs of capitalised words and initials of one script, separated by nothing but spaces
    within a line (a name does not run across a paragraph or a change of script)."""
    runs: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        capitalised = word.text[0].isupper()
        gap = text[current[-1].end : word.start] if current else "x"
        joined = (
            not gap.strip()
            and "\n" not in gap
            and is_cyrillic(word.text) == is_cyrillic(current[-1].text)
        )
        if capitalised and joined:
            current.append(word)
            continue
        if current:
            runs.append(current)
        current = [word] if capitalised else []
    if current:
        runs.append(current)
    return runs


def word_token(forms: tuple[str, ...], initial: bool = False) -> Token:
    keys = tuple(dict.fromkeys(k for form in forms for k in token_keys(form)))
    patronymic = not initial and any(has_patronymic_ending(form) for form in forms)
    return Token(text=forms[0], keys=keys, patronymic=patronymic, initial=initial)


def query_tokens(word: Word) -> list[Token]:
    """The word as the library's tokens: one per part of a hyphenated name ("Кара-Мурзы"),
    each carrying the keys of every nominative the part may be a form of."""
    if word.initial:
        return [word_token((word.text.casefold(),), initial=True)]
    parts = HYPHENS.split(word.text)
    if not is_cyrillic(word.text):
        return [word_token((part.casefold(),)) for part in parts]
    whole = [HYPHENS.split(form) for form in nominatives(word.text)]
    return [
        word_token((*nominatives(part), *(f[i] for f in whole if len(f) == len(parts))))
        for i, part in enumerate(parts)
    ]


def with_roles(query: list[Token]) -> list[Token]:
    """The span's words with the library's rule for which of them is the father's name
    ("Д. А. Муратов": the second of two initials)."""
    marked = patronymic_positions([t.text for t in query], [t.initial for t in query])
    return [replace(t, patronymic=True) if i in marked else t for i, t in enumerate(query)]


def surname_position(index, tokens: list[Token]) -> int:
    """Register names read "Surname Given Patronymic"; other names: the rarest word."""
    if len(tokens) >= 3 and tokens[-1].patronymic:
        return 0
    weights = [(index.token_weight(t), -i) for i, t in enumerate(tokens)]
    return -max(weights)[1]


class MentionFinder:
    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer
        self.index = gazetteer.index

    def find(self, text: str) -> list[Mention]:
        words = words_of(text)
        tokens = {word: query_tokens(word) for word in words}
        spans: list[tuple[list[Word], bool]] = []
        for run in name_runs(text, words):
            for size in range(min(len(run), MAX_NAME_WORDS), 0, -1):
                spans += [(run[i : i + size], False) for i in range(len(run) - size + 1)]
        by_start = {word.start: word for word in words}
        for quoted in QUOTED_SPAN.finditer(text):
            inside = [w for w in words if quoted.start(1) <= w.start and w.end <= quoted.end(1)]
            if inside and inside[0].start == quoted.start(1) and by_start.get(inside[0].start):
                spans.append((inside, True))
        found = []
        for span, quoted in spans:
            match = self.match(span, with_roles([t for w in span for t in tokens[w]]), quoted)
            if match is not None:
                found.append((span, *match))
        mentions = self.without_overlaps(text, found)
        mentions += self.surnames_again(text, words, tokens, mentions)
        return sorted(mentions, key=lambda m: (m.start, m.end))

    def match(self, span: list[Word], query: list[Token], quoted: bool):
        """(entity number, score, surname token) of the one entity this span names, or None."""
        if len(query) > MAX_NAME_WORDS or not any(not t.initial for t in query):
            return None
        record = Record(id="", schema="Thing", names=[""], tokens=[query])
        best: dict[int, tuple[float, Token | None]] = {}
        for number in self.index.candidates(record):
            entity = self.gazetteer.record(number)
            for entity_tokens in entity.tokens:
                verdict = self.fits(span, query, entity, entity_tokens, quoted)
                if verdict and verdict[0] > best.get(number, (0.0, None))[0]:
                    best[number] = verdict
        if not best:
            return None
        ranks = self.gazetteer.ranks
        ranked = sorted(
            best.items(),
            key=lambda item: (-item[1][0], ranks.get(self.gazetteer.record(item[0]).id, 0)),
        )
        if len(ranked) > 1:
            (first, (top, _)), (second, (next_score, _)) = ranked[:2]
            first_rank = ranks.get(self.gazetteer.record(first).id, 0)
            second_rank = ranks.get(self.gazetteer.record(second).id, 0)
            if next_score >= top - EQUAL_FIT and first_rank == second_rank:
                return None  # namesakes: not ours to choose
        number, (score, surname) = ranked[0]
        return number, score, surname

    def fits(self, span, query, entity, entity_tokens, quoted):
        score, matched = self.index.name_score(query, entity_tokens)
        if score < DEFAULT_THRESHOLD:
            return None
        if any(not q.initial and not e.initial and s < MIN_PAIR_SIMILARITY
               for qi, ei, s in matched
               for q, e in [(query[qi], entity_tokens[ei])]):  # fmt: skip
            return None
        used_query = {qi for qi, _, _ in matched}
        used_entity = {ei: qi for qi, ei, _ in matched}
        if entity.schema == "Person":
            if any(i not in used_query for i in range(len(query))) or len(query) < 2:
                return None
            surname = surname_position(self.index, entity_tokens)
            required = {i for i, t in enumerate(entity_tokens) if i == surname or not t.patronymic}
            if not required <= used_entity.keys():
                return None
            if query[used_entity[surname]].initial:
                return None
            return score, (entity_tokens, surname)
        if any(
            i not in used_query and not is_organisation_word(query[i].text)
            for i in range(len(query))
        ):
            return None
        if any(
            i not in used_entity and not (is_legal_form(t.text) or may_be_left_out(t.text))
            for i, t in enumerate(entity_tokens)
        ):
            return None
        distinctive = [t for t in query if not is_organisation_word(t.text)]
        if not distinctive and not quoted:
            return None  # "Центр" or "Фонд" at the start of a sentence names no one
        lone_word = len(distinctive) == 1 and not quoted
        first = span[0]
        if lone_word and (is_cyrillic(first.text) or first.sentence_start or first.after_article):
            return None
        if len(query) == 1 and translated(query[0], entity_tokens, used_entity, query):
            return None  # "Rain fell", "Voice of the People": one common word, translated
        return score, None

    def mention(self, text: str, span: list[Word], number: int, score: float) -> Mention:
        entity_id = self.gazetteer.record(number).id
        start, end = span[0].start, span[-1].end
        return Mention(
            text=text[start:end],
            start=start,
            end=end,
            entity_id=entity_id,
            name=self.gazetteer.captions.get(entity_id, ""),
            score=round(score, 4),
        )

    def without_overlaps(self, text: str, found) -> list[Mention]:
        """Longest spans first, then the best scores; a word belongs to one mention."""
        taken: set[int] = set()
        mentions = []
        self.full_names: dict[int, tuple[list[Token], int]] = {}
        for span, number, score, surname in sorted(
            found, key=lambda f: (-len(f[0]), -f[2], f[0][0].start)
        ):
            positions = {w.start for w in span}
            if positions & taken:
                continue
            taken |= positions
            mentions.append(self.mention(text, span, number, score))
            if surname is not None:
                self.full_names.setdefault(number, surname)
        self.taken = taken
        return mentions

    def surnames_again(self, text, words, tokens, mentions) -> list[Mention]:
        """A lone surname after the person was named in full, when no one else shares it."""
        first_full: dict[str, int] = {}
        for mention in mentions:
            first_full[mention.entity_id] = min(
                mention.start, first_full.get(mention.entity_id, mention.start)
            )
        following = dict(pairwise(words))
        found = []
        for run in name_runs(text, words):
            for word in run:
                others = [w for w in run if w is not word]
                if word.initial or word.start in self.taken or not all(map(is_common, others)):
                    continue
                if reads_as_title(text, word, following.get(word)):
                    continue
                fitting = [
                    (score, number)
                    for number, (entity_tokens, surname) in self.full_names.items()
                    if first_full[self.gazetteer.record(number).id] < word.start
                    for score in [self.surname_score(tokens[word], entity_tokens, surname)]
                    if score
                ]
                if len(fitting) == 1:
                    score, number = fitting[0]
                    found.append(self.mention(text, [word], number, score))
        return found

    def surname_score(self, query: list[Token], entity_tokens: list[Token], surname: int):
        """The score of a word that is this name's surname and nothing else of it, or 0."""
        score, matched = self.index.name_score(query, entity_tokens)
        fits = (
            len(matched) == len(query)
            and all(s >= MIN_PAIR_SIMILARITY for _, _, s in matched)
            and surname in {ei for _, ei, _ in matched}
        )
        return score if fits else 0.0


def translated(token: Token, entity_tokens: list[Token], used_entity: dict, query) -> bool:
    """Whether the word met its entity word only through the bilingual vocabulary (Rain and
    Дождь), not by sound (Dozhd and Дождь)."""
    position = query.index(token)
    for ei, qi in used_entity.items():
        if qi == position:
            return set(token.keys).isdisjoint(word_keys(entity_tokens[ei].text))
    return False


def reads_as_title(text: str, word: Word, after: Word | None) -> bool:
    """«Троицкий вариант», "Троицкий вариант": the surname starts a title or a name of
    something else (after an opening quotation mark, or as an adjective agreeing with the
    common noun that follows it)."""
    if text[word.start - 1 : word.start] in OPENING_QUOTES and word.start:
        return True
    if after is None or not is_cyrillic(word.text) or not after.text[0].islower():
        return False
    return text[word.end : after.start] == " " and modifies(word.text, after.text)


def is_common(word: Word) -> bool:
    """A capitalised word that is not a name: a sentence-initial common word."""
    if is_cyrillic(word.text):
        return is_dictionary_word(word.text)
    return word.text.casefold() in FUNCTION_WORDS | TITLES
