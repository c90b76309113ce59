"""The entity picker: find a person or organisation by any spelling, in any script, to link a
record to it (a participant, an official's position, an accountability entry).

Two indexes of the matching library are searched with the same query: the screening index of
every public list (`screening.lists.database_index`: registers, sanctions and external lists,
the published accountability list, persons confirmed to be the same pooled into one) and an
index of the people and organisations named in case records (participants, positions,
accountability entries), which the screening index leaves out because they may be
confidential. The second is kept for the process like the first and rebuilt when those
records change. Every candidate passes the access policy (`permissions.nameable_entities`)
before anything about it is shown: a contributor never sees a confidential person's name.

Each candidate carries what tells namesakes apart: birth date, the lists naming it, the
positions and the case roles the user may read.
"""

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from django import forms
from django.db.models import CharField, Count, Max, Q, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from civwatch.accountability.models import Entry
from civwatch.accounts import permissions
from civwatch.cases.models import Participant, Position
from civwatch.cases.participants import new_entity
from civwatch.core.cache import VersionedCache
from civwatch.core.ftm import entity_proxy
from civwatch.entities.models import Entity
from civwatch.matching import ScreeningIndex, record_from_ftm
from civwatch.screening.lists import database_index, load_entities

# Below this score a record shares too little of the name to be worth showing. A surname
# typed alone scores about 0.47 against the full name (Bastrykin, Ivanov in the OFAC sample),
# and every one of that surname is offered; a given name and patronymic shared with another
# surname score about 0.3 and are not.
MIN_SCORE = 0.4
LIMIT = 10
NEW = "new"  # the value of the "none of these: create a new one" choice
PERSON, ANY = "person", "any"  # which kinds a picker offers
PICKER_FIELDS = ("query", "pick", "new_name", "new_kind")


@dataclass
class Candidate:
    """A person or organisation offered by the picker, with what tells namesakes apart."""

    id: str
    name: str
    kind: str
    kind_label: str
    score: float
    birth_dates: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- the index of case records -------------------------------------------------------------

RECORD_MODELS = (Participant, Position, Entry)


def records_version() -> tuple:
    """Moves when a participant, position or entry is added or removed, or an entity stored."""
    # One query (a UNION of each table's count and last id, as text: entity ids are text, the
    # others integers), not one per table: it runs on every picker search.
    parts = [
        model.objects.order_by()
        .values(table=Value(n))
        .annotate(count=Count("pk"), last=Cast(Max("pk"), CharField()))
        for n, model in enumerate((*RECORD_MODELS, Entity))
    ]
    rows = {r["table"]: (r["count"], r["last"]) for r in parts[0].union(*parts[1:], all=True)}
    return tuple(rows.get(n, (0, None)) for n in range(len(parts)))


def build_case_records_index() -> ScreeningIndex:
    named = Q()
    for model in RECORD_MODELS:
        named |= Q(pk__in=model.objects.values("entity_id"))
    ids = sorted(Entity.objects.filter(named).values_list("pk", flat=True))
    records = [record_from_ftm(entity_proxy(e).to_dict()) for e in load_entities(ids)]
    return ScreeningIndex(r for r in records if r.names)


_index: VersionedCache[ScreeningIndex] = VersionedCache(records_version, build_case_records_index)


def case_records_index() -> ScreeningIndex:
    """The people and organisations named in case records, as the matching library's index
    (names decrypted in memory only, like the intake gazetteer's)."""
    return _index.get()


# -- searching -----------------------------------------------------------------------------


def find(user: Any, text: str, kind: str = ANY, limit: int = LIMIT) -> list[Candidate]:
    """The people (and, unless `kind` is PERSON, organisations) named like `text` that the
    user may see, best first. The last word may be unfinished, as it is while one types:
    "Bastr" finds Bastrykin."""
    schema = "Person" if kind == PERSON else None
    query = record_from_ftm({"schema": "Person", "properties": {"name": [text.strip()]}})
    if not query.names:
        return []
    lists = database_index()
    scores: dict[str, float] = {}
    for hit in lists.search(query, limit=limit * 2, threshold=1.0, schema=schema, complete=True):
        scores[hit.listed.id] = hit.score
    for result in case_records_index().search(query, limit=limit * 2, threshold=1.0, complete=True):
        # A member of persons confirmed to be the same goes by the pooled record's id.
        listed = lists.get(result.id)
        entity_id = listed.id if listed is not None else result.id
        scores[entity_id] = max(scores.get(entity_id, 0.0), result.score)
    wanted = {pk for pk, score in scores.items() if score >= MIN_SCORE}
    return describe(user, wanted, scores, kind)[:limit]


def describe(
    user: Any, entity_ids: set[str], scores: dict[str, float] | None = None, kind: str = ANY
) -> list[Candidate]:
    """Candidates for those of these entities the user may see by name, best score first."""
    scores = scores or {}
    lists = database_index()
    entities = Entity.objects.filter(pk__in=permissions.nameable_entities(user, entity_ids))
    if kind == PERSON:
        entities = entities.filter(kind=Entity.Kind.PERSON)
    candidates = []
    for entity in sorted(entities, key=lambda e: (-scores.get(e.pk, 0.0), e.pk)):
        permissions.note_person_shown(user, entity)  # a confidential name is read here
        listed = lists.get(entity.pk)
        where = []
        for listing in listed.listings if listed is not None else ():
            text = f"{listing.title} ({listing.programme})" if listing.programme else listing.title
            where.append(text)
        born = sorted(set(listed.properties.get("birthDate", []))) if listed is not None else []
        candidates.append(
            Candidate(
                id=entity.pk, name=entity.name, kind=entity.kind,
                kind_label=str(entity.get_kind_display()),
                score=round(scores.get(entity.pk, 1.0), 2),
                birth_dates=born or ([entity.birth_date] if entity.birth_date else []),
                lists=list(dict.fromkeys(where)),
            )
        )  # fmt: skip
    add_record_details(user, candidates)
    return candidates


def add_record_details(user: Any, candidates: list[Candidate]) -> None:
    """The positions and case roles the user may read, for each candidate."""
    by_id = {c.id: c for c in candidates}
    positions = Position.objects.filter(entity_id__in=by_id).order_by("-started_on", "pk")
    for position in permissions.readable(user, positions):
        shown = permissions.visible_fields(user, position)
        text = ", ".join(getattr(position, f) for f in ("post", "agency") if f in shown)
        if text and "entity" in shown:
            by_id[position.entity_id].positions.append(text)
    roles: dict[str, Counter] = defaultdict(Counter)
    participants = Participant.objects.filter(entity_id__in=by_id)
    for participant in permissions.readable(user, participants).exclude(status="withdrawn"):
        shown = permissions.visible_fields(user, participant)
        if "entity" in shown and "role" in shown:
            roles[participant.entity_id][participant.get_role_display()] += 1
    for entity_id, counted in roles.items():
        by_id[entity_id].roles = [f"{role} ×{n}" if n > 1 else role for role, n in counted.items()]


# -- the form part -------------------------------------------------------------------------


class PickerForm(forms.Form):
    """A form that links its record to a person or organisation chosen with the picker.

    `query` is the search box; `pick` the chosen candidate's id, or NEW with `new_name` and
    `new_kind` for a person or organisation none of the candidates is. A name typed as new
    while candidates fit it is not created: the candidates are shown and one must be chosen
    (or "none of these" explicitly). The candidates are searched again on every post, so a
    pick is accepted only if it is among what the user may see.
    """

    picker_kind = ANY

    query = forms.CharField(
        label=_("Find by name"), required=False, max_length=300,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                      "placeholder": _("any spelling, Cyrillic or Latin")}),
    )  # fmt: skip
    pick = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    new_name = forms.CharField(label=_("Name of the new one"), required=False, max_length=1000)
    new_kind = forms.ChoiceField(
        label=_("its type"), choices=Entity.Kind.choices, initial=Entity.Kind.PERSON,
        required=False,
    )  # fmt: skip

    def __init__(self, *args, user: Any = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.candidates: list[Candidate] = []
        # "Find" posts the search with the form: candidates are shown, no error yet.
        self.finding = self.is_bound and "find" in self.data
        if self.picker_kind == PERSON:
            self.fields["new_kind"].choices = [(Entity.Kind.PERSON, Entity.Kind.PERSON.label)]
        if self.is_bound:
            text = (self.data.get("query") or self.data.get("new_name") or "").strip()[:300]
            if text:
                self.candidates = find(user, text, self.picker_kind)
        # The one chosen before (an edited record's, a pick before an error) stays offered.
        picked = self.picked
        if picked and picked != NEW and picked not in {c.id for c in self.candidates}:
            self.candidates = [*describe(user, {picked}, kind=self.picker_kind), *self.candidates]

    def other_fields(self) -> list[forms.BoundField]:
        """The form's own fields, shown after the picker's."""
        return [self[name] for name in self.fields if name not in PICKER_FIELDS]

    @property
    def picked(self) -> str:
        return str(self.data.get("pick", "") if self.is_bound else self.initial.get("pick", ""))

    def clean(self) -> dict:
        data = super().clean()
        pick, name = data.get("pick", "").strip(), data.get("new_name", "").strip()
        if not pick and name:
            # A name typed without looking: create it only when nothing fits.
            pick = NEW if not self.candidates else ""
            if pick != NEW:
                raise forms.ValidationError(
                    _("Some people or organisations fit this name: choose one of them, or "
                      "“none of these” to create a new one.")
                )  # fmt: skip
        if pick == NEW:
            # "None of these" with no other name typed: the name searched for.
            name = name or data.get("query", "").strip()
            data["new_name"] = name
            data["new_kind"] = data.get("new_kind") or Entity.Kind.PERSON
            if not name:
                self.add_error("new_name", _("Give the name of the new person or organisation."))
            data["entity"] = None
        elif pick:
            if pick not in permissions.nameable_entities(self.user, [pick]) or (
                self.picker_kind == PERSON
                and not Entity.objects.filter(pk=pick, kind=Entity.Kind.PERSON).exists()
            ):
                raise forms.ValidationError(_("Choose one of the people or organisations found."))
            data["entity"] = Entity.objects.get(pk=pick)
        else:
            raise forms.ValidationError(
                _("Find the person or organisation by name and choose them, or create a new one.")
            )
        data["pick"] = pick
        return data

    def chosen_entity(self) -> Entity:
        """The picked entity, or a new one (known only from case records) made now."""
        entity = self.cleaned_data["entity"]
        if entity is None:
            entity = new_entity(self.cleaned_data["new_name"], self.cleaned_data["new_kind"])
        return entity
