"""A record's history in words, for the staff pages (history is never shown to the public:
it names staff members): who by display name, what in words, fields by their labels."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from civwatch.accounts.context import display_name
from civwatch.cases.workflow import MOVE_WORDS
from civwatch.core.records import CHANGE_APPROVED, Revision

# History actions other than review moves (those read as MOVE_WORDS' `done`), in words. The
# context "history": the same English word elsewhere is a status or a button.
ACTION_WORDS = {
    "created": pgettext_lazy("history", "created"),
    "changed": pgettext_lazy("history", "edited"),
    "proposed": pgettext_lazy("history", "change proposed for review"),
    "restricted": pgettext_lazy("history", "visibility restricted"),
    CHANGE_APPROVED: pgettext_lazy("history", "change approved"),
    "change rejected": pgettext_lazy("history", "change rejected"),
    "removed": pgettext_lazy("history", "removed"),
    "assigned": pgettext_lazy("history", "staff member assigned"),
    "unassigned": pgettext_lazy("history", "assignment taken back"),
    # The accountability list's entries (accountability.staff and .workflow)
    "act attributed": pgettext_lazy("history", "act attributed"),
    "act approved": pgettext_lazy("history", "act approved"),
    "submission": pgettext_lazy("history", "submission to a government recorded"),
    "outcome": pgettext_lazy("history", "outcome of a submission recorded"),
    "right of reply recorded": pgettext_lazy("history", "right of reply recorded"),
    "exculpatory information added": pgettext_lazy("history", "exculpatory information added"),
    "correction published": pgettext_lazy("history", "correction published"),
}
# Fields the history line says in words already: the status (the action), who approved or
# created (the "who" column), the row's id.
SAID_OTHERWISE = frozenset({"id", "status", "approved_by", "created_by"})


@dataclass(frozen=True)
class HistoryRow:
    at: datetime.datetime
    who: str
    what: str
    note: str
    fields: list[str]


def history_rows(revisions: Any) -> list[HistoryRow]:
    """The revisions (a record's `history()`) as lines for people."""
    return [history_row(revision) for revision in revisions]


def history_row(revision: Revision) -> HistoryRow:
    """One revision as a line for people."""
    model = ContentType.objects.get_for_id(revision.content_type_id).model_class()
    changes = revision.changes or {}
    fields = []
    for key, values in changes.items():
        field = _field(model, key)
        if field is None or field.name in SAID_OTHERWISE:
            continue
        if revision.action == "created" and _empty(values):
            continue  # a new record lists the fields filled in
        fields.append(str(field.verbose_name))
    return HistoryRow(
        at=revision.at,
        who=display_name(revision.user) if revision.user_id else "",
        what=_what(model, revision.action, changes.get("status")),
        note=revision.note,
        fields=fields,
    )


def _what(model: type[models.Model] | None, action: str, status: Any) -> str:
    """The action in words: a review move by its words, another status by its label."""
    if isinstance(status, list) and len(status) == 2:
        words = MOVE_WORDS.get((status[0], status[1]))
        if words is not None and status[1] == action:
            return str(words.done)
    if action in ACTION_WORDS:
        return str(ACTION_WORDS[action])
    label = _status_label(model, action)
    if label:
        return _("status: %(status)s") % {"status": label}
    return action


def _status_label(model: type[models.Model] | None, value: str) -> str:
    try:
        choices = dict(model._meta.get_field("status").choices or ()) if model else {}
    except FieldDoesNotExist:
        return ""
    return str(choices.get(value, ""))


def _field(model: type[models.Model] | None, key: str) -> models.Field | None:
    """A changed field by name or attname (the history keeps either)."""
    if model is None:
        return None
    for field in model._meta.concrete_fields:
        if key in (field.name, field.attname):
            return field
    return None


def _empty(values: Any) -> bool:
    return isinstance(values, list) and len(values) == 2 and values[1] in (None, "", [], {})
