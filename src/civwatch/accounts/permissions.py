"""The access policy: who may see, change and move which documented record, and which fields.

Every page, form, API endpoint, export and job asks this module; none decides for itself.

Reading (a record of any documented-record model: case, incident, participant, position,
evidence item, claim, accountability entry):
- the public (no user, or a user without a role) reads the public record: published and
  public, its public fields only (evidence: a public item cited by a published claim);
- a contributor reads the public record, plus the records they created and those they were
  assigned (a case's assignees, set by an editor, read the case, its incidents and their
  participants, evidence and claims);
- a researcher also reads internal records and fields, whatever their review status;
- an editor (and an admin) also reads confidential ones.
An author or assignee reads their record in full, because they are the ones who wrote it or
were entrusted with it; anybody else reads the fields their role clears them for.

Writing needs the right to read first: a record a user may not read is answered with 404,
exactly like a missing one, so that ids cannot be probed. A readable record that the user may
not change is a 403. Contributors and researchers change (and move in review) the records they
created or were assigned; editors change any record they read. Researchers may add
participants, evidence and claims to any incident they read; contributors only to their own
or assigned ones.

Each confidential value shown to somebody passes through `note_confidential_read`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from civwatch.accounts.models import has_role
from civwatch.core.records import PUBLIC_STATUSES, DocumentedRecord, Visibility

LEVELS = (Visibility.PUBLIC, Visibility.INTERNAL, Visibility.CONFIDENTIAL)

# How a model's records hang together, by model label: the path to the incident a record
# belongs to (its readability is required too) and the path to the case whose assignees may
# read it. Models not listed have neither.
INCIDENT_PATH = {
    "cases.participant": "incident",
    "evidence.claim": "incident",
}
CASE_PATH = {
    "cases.case": "pk",
    "cases.incident": "case",
    "cases.participant": "incident__case",
    "evidence.claim": "incident__case",
    "evidence.evidenceitem": "incident__case",
}
# Records worked on together: the least role that may change any record of the model it reads
# (the accountability list is kept by the researchers as a team, whoever opened an entry).
SHARED_WORK = {"accountability.entry": "researcher"}


def rank(level: str) -> int:
    return LEVELS.index(level)


def _user(user: Any) -> Any:
    """The user, or None for the public (anonymous, inactive or without a role)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user


def reading_level(user: Any) -> str:
    """The visibility level a role clears for records the user neither wrote nor was given."""
    if has_role(user, "editor"):
        return Visibility.CONFIDENTIAL
    if has_role(user, "researcher"):
        return Visibility.INTERNAL
    return Visibility.PUBLIC


def _label(model: type[Model] | Model) -> str:
    return model._meta.label_lower


# ---------------------------------------------------------------------------------------------
# Decisions at a bare level (exports, the public serialiser, jobs without a user)


def visible_at(record: DocumentedRecord | None, level: str = Visibility.PUBLIC) -> bool:
    """Whether a record reached through a visible parent may be shown at `level`.

    Evidence is not reviewed on its own: a public item is shown wherever a published claim
    cites it (callers reach items only through such claims), so its status does not count.
    """
    if record is None:
        return False
    if level == Visibility.PUBLIC and _label(record) != "evidence.evidenceitem":
        return record.is_public()
    return rank(record.visibility) <= rank(level)


def fields_at(record: DocumentedRecord, level: str) -> list[str]:
    """The fields of a record shown at `level` (by the model's and the record's settings)."""
    if level == Visibility.PUBLIC:
        return record.public_fields()
    names = [f.name for f in record._meta.concrete_fields if f.name != "field_visibility"]
    return [
        name
        for name in names
        if rank(record.field_visibility.get(name, Visibility.PUBLIC)) <= rank(level)
    ]


def _level_q(model: type[Model], level: str) -> Q:
    label = _label(model)
    if level != Visibility.PUBLIC:
        return Q(visibility__in=LEVELS[: rank(level) + 1])
    if label == "accountability.entry":
        from civwatch.accountability.models import PUBLIC_ENTRY_STATUSES

        return Q(status__in=PUBLIC_ENTRY_STATUSES)
    if label == "evidence.evidenceitem":
        claims = apps.get_model("evidence", "Claim").objects.filter(
            _level_q(apps.get_model("evidence", "Claim"), level),
            incident__in=filter_at(apps.get_model("cases", "Incident").objects.all(), level),
        )
        return Q(visibility=Visibility.PUBLIC, pk__in=claims.values("citations__item"))
    return Q(visibility=Visibility.PUBLIC, status__in=PUBLIC_STATUSES)


def filter_at(queryset: QuerySet, level: str = Visibility.PUBLIC) -> QuerySet:
    """The records of a queryset visible at a bare level (no author or assignee rights)."""
    return queryset.filter(_level_q(queryset.model, level))


# ---------------------------------------------------------------------------------------------
# Decisions for a user


def assigned_cases(user: Any) -> QuerySet:
    return apps.get_model("cases", "Case").objects.filter(assignees=user)


def _case_id(record: Model) -> Any:
    path = CASE_PATH.get(_label(record))
    if path is None:
        return None
    if path == "pk":
        return record.pk
    target: Any = record
    for step in path.split("__")[:-1]:
        target = getattr(target, step, None)
        if target is None:
            return None
    return getattr(target, f"{path.split('__')[-1]}_id", None)


def is_author(user: Any, record: Model) -> bool:
    user = _user(user)
    return user is not None and getattr(record, "created_by_id", None) == user.pk


def is_assigned(user: Any, record: Model) -> bool:
    user = _user(user)
    case_id = _case_id(record)
    return (
        user is not None
        and case_id is not None
        and (assigned_cases(user).filter(pk=case_id).exists())
    )


def record_level(user: Any, record: DocumentedRecord) -> str:
    """The level at which this user reads this record's fields."""
    if is_author(user, record) or is_assigned(user, record):
        return Visibility.CONFIDENTIAL
    return reading_level(user)


def readable(user: Any, queryset: QuerySet) -> QuerySet:
    """The records of a queryset (of any documented-record model) the user may read."""
    model = queryset.model
    user = _user(user)
    condition = _level_q(model, reading_level(user))
    parent = INCIDENT_PATH.get(_label(model))
    if parent:
        incidents = readable(user, apps.get_model("cases", "Incident").objects.all())
        condition &= Q(**{f"{parent}__in": incidents.values("pk")})
    if user is not None:
        condition |= Q(created_by=user)
        case_path = CASE_PATH.get(_label(model))
        if case_path:
            lookup = "pk__in" if case_path == "pk" else f"{case_path}__in"
            condition |= Q(**{lookup: assigned_cases(user).values("pk")})
    return queryset.filter(condition)


def can_view(user: Any, record: DocumentedRecord | None) -> bool:
    if record is None or record.pk is None:
        return False
    return readable(user, type(record).objects.filter(pk=record.pk)).exists()


def get_readable_or_404(user: Any, model_or_queryset: Any, **lookup: Any) -> Any:
    """The record, or 404 when it is missing or the user may not read it (the same answer)."""
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, QuerySet)
        else model_or_queryset._default_manager.all()
    )
    record = readable(user, queryset).filter(**lookup).first()
    if record is None:
        raise Http404
    return record


def require_readable(user: Any, queryset: QuerySet, pks: list[Any]) -> None:
    """Raise 404 unless every non-empty id names a record of the queryset the user may read
    (the records a form or API body refers to: a write needs the right to read them)."""
    wanted = {str(pk).strip() for pk in pks if str(pk).strip()}
    if not wanted:
        return
    if not all(pk.isdigit() for pk in wanted):
        raise Http404
    found = readable(user, queryset.filter(pk__in=wanted)).values_list("pk", flat=True)
    if {str(pk) for pk in found} != wanted:
        raise Http404


def nameable_entities(user: Any, entity_ids: Iterable[str]) -> set[str]:
    """Of these people and organisations, those the user may see by name (the entity picker):
    those a public list names (a register, a sanctions or external list), and those named in
    the entity field of a participation, position or accountability entry the user reads with
    that field shown, and those no record names that are not known only from case records.
    A public participation whose entity field is restricted (a confidential victim) does not
    name its person to a contributor, and a person known only from case records and named by
    no record is named to nobody. Forms and the API accept an entity id only from this set,
    so ids cannot be probed."""
    wanted = {str(pk) for pk in entity_ids}
    if not wanted:
        return set()
    entities = apps.get_model("entities", "Entity").objects.filter(pk__in=wanted)
    listed = Q(pk__in=entities.model.objects.listed().values("pk")) | Q(list_entries__isnull=False)
    found = set(entities.filter(listed).values_list("pk", flat=True))
    named: set[str] = set()
    for model in ("cases.Participant", "cases.Position", "accountability.Entry"):
        records = apps.get_model(model).objects.filter(entity_id__in=wanted - found)
        named |= set(records.values_list("entity_id", flat=True))
        for record in readable(user, records).order_by("pk"):
            if record.entity_id not in found and "entity" in fields_at(
                record, record_level(user, record)
            ):
                found.add(record.entity_id)
    unnamed = entities.filter(confidential=False).exclude(pk__in=named | found)
    return found | set(unnamed.values_list("pk", flat=True))


def visible_fields(user: Any, record: DocumentedRecord) -> list[str]:
    """The fields of a record the user may see (notes a confidential read: asking is reading)."""
    level = record_level(user, record)
    names = fields_at(record, level)
    note_if_confidential(user, record, names)
    return names


def can_change(user: Any, record: DocumentedRecord) -> bool:
    """Edit a record's content: its author, an assignee, or an editor; after reading it."""
    if _user(user) is None or not has_role(user, "contributor"):
        return False
    return can_view(user, record) and _may_change_readable(user, record)


def _may_change_readable(user: Any, record: DocumentedRecord) -> bool:
    """can_change for a record the user was just found to read."""
    if _user(user) is None or not has_role(user, "contributor"):
        return False
    shared = SHARED_WORK.get(_label(record))
    if has_role(user, "editor") or (shared is not None and has_role(user, shared)):
        return True
    return is_author(user, record) or is_assigned(user, record)


def can_add_to(user: Any, incident: DocumentedRecord) -> bool:
    """Add participants, evidence or claims to an incident: whoever may change it, and
    researchers on any incident they read (documenting is their work)."""
    if not can_view(user, incident):
        return False
    return has_role(user, "researcher") or can_change(user, incident)


def _transitions(record: Model) -> dict[tuple[str, str], str]:
    if _label(record) == "accountability.entry":
        from civwatch.accountability.workflow import TRANSITIONS

        return TRANSITIONS
    from civwatch.cases.workflow import TRANSITIONS

    return TRANSITIONS


def can_move(user: Any, record: DocumentedRecord, to: str) -> bool:
    """Move a record in review: the move's role, and for moves below an editor's, the right to
    change the record (a contributor does not pull somebody else's record back to draft)."""
    role = _transitions(record).get((record.status, to))
    if role is None or not has_role(user, role) or not can_view(user, record):
        return False
    if role in ("editor", "admin"):
        return True
    return _may_change_readable(user, record)


def may_try_move(user: Any, record: DocumentedRecord, to: str) -> bool:
    """False when the user may not make this move (a 403); a move that does not exist from
    the record's status is left to the workflow, which says why."""
    if (record.status, to) not in _transitions(record):
        return True
    return can_move(user, record, to)


def may_assign(user: Any) -> bool:
    return has_role(user, "editor")


# ---------------------------------------------------------------------------------------------
# A reader: the serialiser's view of who is reading


class Reader:
    """A user (None: the public), or a bare level for output without a user (exports, CLI).

    `cases.public` takes one of these wherever it takes a level, so the serialiser stays one
    function family while the decisions stay here.
    """

    def __init__(self, user: Any = None, level: str | None = None) -> None:
        self.user = _user(user)
        self.bare = level is not None
        self.level = level if level is not None else reading_level(self.user)
        self._cases: set | None = None

    def __repr__(self) -> str:
        return f"Reader(user={self.user!r}, level={self.level!r})"

    def _own(self, record: Model) -> bool:
        if self.bare or self.user is None:
            return False
        if getattr(record, "created_by_id", None) == self.user.pk:
            return True
        case_id = _case_id(record)
        if case_id is None:
            return False
        if self._cases is None:
            self._cases = set(assigned_cases(self.user).values_list("pk", flat=True))
        return case_id in self._cases

    def level_for(self, record: DocumentedRecord) -> str:
        return Visibility.CONFIDENTIAL if self._own(record) else self.level

    def visible(self, record: DocumentedRecord | None) -> bool:
        """Whether a record reached through a visible parent may be shown."""
        if record is None:
            return False
        return self._own(record) or visible_at(record, self.level)

    def fields(self, record: DocumentedRecord) -> list[str]:
        names = fields_at(record, self.level_for(record))
        note_if_confidential(self.user, record, names)
        return names

    def filter(self, queryset: QuerySet) -> QuerySet:
        if self.bare:
            return filter_at(queryset, self.level)
        return readable(self.user, queryset)


def reader(who: Any) -> Reader:
    """A Reader from a level string, a Reader, or a user (None: the public)."""
    if isinstance(who, Reader):
        return who
    if isinstance(who, str):
        return Reader(level=who)
    return Reader(user=who)


# ---------------------------------------------------------------------------------------------
# Confidential reads


def confidential_fields(record: DocumentedRecord, names: list[str]) -> list[str]:
    if record.visibility == Visibility.CONFIDENTIAL:
        return list(names)
    return [n for n in names if record.field_visibility.get(n) == Visibility.CONFIDENTIAL]


def note_if_confidential(user: Any, record: DocumentedRecord, names: list[str]) -> None:
    fields = confidential_fields(record, names)
    if fields:
        note_confidential_read(user, record, fields)


def note_person_shown(user: Any, entity: Model | None) -> None:
    """A person or organisation shown by name: one known only from case records (a victim, a
    judge, a witness; `Entity.confidential`) is a confidential read of its name."""
    if entity is not None and getattr(entity, "confidential", False):
        note_confidential_read(user, entity, ["name"])


def note_confidential_read(user: Any, record: Model, fields: list[str]) -> None:
    """The one place every read of a confidential record or field passes through.

    Called whenever a confidential record, or confidential fields of a record, are shown to
    somebody (a staff page, an API answer, a dossier, an export at the confidential level):
    `user` is the reader (None for a job or CLI without a user), `record` the record read and
    `fields` the names of the confidential fields shown (never their values).

    It appends one event to the tamper-evident audit log (who, record label and id, the field
    names, when; docs/audit.md).
    """
    from civwatch.core import audit

    audit.record_read(user, record, fields)


# ---------------------------------------------------------------------------------------------
# Open letters (civwatch.letters; docs/letters.md). Kept in one block: letters are not
# documented records, but who manages them and who reads signers' details is decided here too.

# Fields of a signature that identify the person who signed or record how it was checked:
# confidential, never public; each showing passes through `note_confidential_read`.
SIGNER_FIELDS = ("signer_name", "signer_role", "email", "note")


def may_decide_links(user: Any) -> bool:
    """Editors (and admins) confirm or reject cross-reference links, one or many at a time."""
    return _user(user) is not None and has_role(user, "editor")


def may_manage_letters(user: Any) -> bool:
    """Editors (and admins) write letters, verify signatures and record deliveries."""
    return _user(user) is not None and has_role(user, "editor")


def signer_fields(user: Any, signature: Model) -> list[str]:
    """The confidential fields of a signature the user sees (notes the read: asking is
    reading); nothing for anybody who does not manage letters."""
    if not may_manage_letters(user):
        return []
    names = [name for name in SIGNER_FIELDS if getattr(signature, name, "")]
    if names:
        note_confidential_read(user, signature, names)
    return names


# Need-to-know: files of people forced abroad (civwatch.exiles; docs/exiles.md)
#
# Not a reading level. A file (and its support actions and consents) is read only by its
# assigned caseworkers and by admins, whatever the reader's role otherwise clears: an editor
# who is not assigned gets 404, exactly like a missing id. Whoever reads a file may change it;
# only admins assign caseworkers. Every read of a file passes through note_confidential_read.


def _exile_files() -> QuerySet:
    return apps.get_model("exiles", "ExileFile").objects.all()


def readable_exile_files(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    """The exile files this user may read: those assigned to them; every one for an admin."""
    queryset = _exile_files() if queryset is None else queryset
    user = _user(user)
    if user is None or not has_role(user, "contributor"):
        return queryset.none()
    if has_role(user, "admin"):
        return queryset
    return queryset.filter(assignees=user).distinct()


def get_exile_file_or_404(user: Any, pk: Any, fields: list[str] | None = None) -> Any:
    """The file, or 404 when it is missing or not the user's (the same answer). Notes the
    read of `fields` (default: the whole file) in the audit log."""
    if not str(pk).isdigit() or int(pk) > 2**63 - 1:  # beyond a bigint: no such row
        raise Http404
    record = readable_exile_files(user).filter(pk=pk).first()
    if record is None:
        raise Http404
    note_exile_read(user, record, fields)
    return record


EXILE_FILE_PARTS = ["name", "contact", "city", "needs", "notes", "supportactions", "consents"]


def note_exile_read(user: Any, record: Model, fields: list[str] | None = None) -> None:
    """A file (or these parts of it) was shown: the audit log says who read which file."""
    note_confidential_read(user, record, list(fields or EXILE_FILE_PARTS))


def may_assign_caseworkers(user: Any) -> bool:
    return has_role(user, "admin")


def readable_help_requests(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    """Helpline requests: admins (who run the duty and assign them) read every one; a
    caseworker reads those assigned to them; anybody else none (404 like a missing id)."""
    if queryset is None:
        queryset = apps.get_model("exiles", "HelpRequest").objects.all()
    user = _user(user)
    if user is None or not has_role(user, "contributor"):
        return queryset.none()
    if has_role(user, "admin"):
        return queryset
    return queryset.filter(assigned_to=user)


def get_help_request_or_404(user: Any, pk: Any) -> Any:
    if not str(pk).isdigit() or int(pk) > 2**63 - 1:
        raise Http404
    record = readable_help_requests(user).filter(pk=pk).first()
    if record is None:
        raise Http404
    note_confidential_read(user, record, ["summary", "contact"])
    return record


# ---------------------------------------------------------------------------------------------
# Citizens' initiatives (civwatch.initiatives; docs/initiatives.md)
#
# An initiative is proposed by a citizen, usually anonymously, and is not a documented record:
# it has no visibility levels of its own, so one rule per role decides. Researchers and above
# read initiatives (what the citizen wrote, questions and answers, support, outcome, the
# working copies of attachments without metadata). The organisers' contact and the originals
# of attachments are confidential: editors and admins only, each read noted through
# `note_confidential_read`. Editors and admins change initiatives (review, support or decline,
# ask the submitter, record support and outcome, publish). Contributors and the public see
# only what a published initiative shows on the public page. An initiative a user may not
# read is a 404, like a missing one.

INITIATIVE_CONFIDENTIAL_FIELDS = ("organisers_contact",)


def can_read_initiatives(user: Any) -> bool:
    return _user(user) is not None and has_role(user, "researcher")


def can_change_initiatives(user: Any) -> bool:
    return _user(user) is not None and has_role(user, "editor")


def initiative_fields(user: Any, initiative: Model) -> list[str]:
    """The fields of an initiative a user may see (the public: those of a published one);
    notes the confidential ones shown."""
    if not can_read_initiatives(user):
        return list(initiative.PUBLIC_FIELDS) if initiative.is_public() else []
    names = [f.name for f in initiative._meta.concrete_fields if f.name != "receipt_hash"]
    if not can_change_initiatives(user):
        return [n for n in names if n not in INITIATIVE_CONFIDENTIAL_FIELDS]
    if any(getattr(initiative, n) for n in INITIATIVE_CONFIDENTIAL_FIELDS):
        note_confidential_read(user, initiative, list(INITIATIVE_CONFIDENTIAL_FIELDS))
    return names


def role_required(role: str) -> Callable:
    """A staff view's gate: sign-in first, then the role (or a higher one); else 403."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not has_role(request.user, role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# ---------------------------------------------------------------------------------------------
# Watching the registers (`civwatch watch`; docs/registers.md, "Watching")
#
# The fetch history is the organisation's own bookkeeping about public registers, not a
# documented record: every staff role reads it (the addresses asked, statuses, reasons; the
# registers' content is public anyway). What becomes of a held (suspect) snapshot decides what
# the public history says: editors and admins decide, as they decide publication elsewhere.


FETCH_READER_ROLE = "contributor"  # the least role that reads the fetch history
SNAPSHOT_DECIDER_ROLE = "editor"  # the least role that decides on a held snapshot


def may_decide_snapshots(user: Any) -> bool:
    return _user(user) is not None and has_role(user, SNAPSHOT_DECIDER_ROLE)


# What the importer noted about a snapshot or a list version (cells it repaired, changes it
# found suspect, fields it kept from before) is the organisation's bookkeeping, like the
# fetch history: every staff role reads it; the public reads the changes themselves in words
# (registers.wording), never the importer's notes about them.
IMPORT_NOTES_READER_ROLE = FETCH_READER_ROLE


def may_read_import_notes(user: Any) -> bool:
    return _user(user) is not None and has_role(user, IMPORT_NOTES_READER_ROLE)
