"""`{% pending_changes record %}`: a record's changes waiting for review, with the diff and the
decision buttons the reader may use (cases/pending_changes.html); `{% pending_queue %}`;
`{% my_work %}`: the reader's drafts, what waits for their review and recent activity, on the
staff home;
`history|in_words`: a record's history for people (cases/history.html)."""

from django import template

from civwatch.accounts import permissions
from civwatch.accounts.models import has_role
from civwatch.cases.history import HistoryRow, history_rows
from civwatch.cases.staff_review import (
    own_drafts,
    pending_rows,
    recent_activity,
    staff_url,
    waiting_records,
)
from civwatch.core.records import PendingChange

register = template.Library()


@register.inclusion_tag("cases/pending_changes.html", takes_context=True)
def pending_changes(context, record) -> dict:
    rows = pending_rows(context["request"].user, record)
    return {"rows": rows, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("cases/pending_queue.html", takes_context=True)
def pending_queue(context) -> dict:
    """Every change waiting for review that the reader may read, oldest first, with a link to
    the page where it is decided."""
    user = context["request"].user
    rows = []
    for change in PendingChange.objects.filter(state=PendingChange.State.PENDING).select_related(
        "content_type"
    )[:500]:
        record = change.record
        if permissions.can_view(user, record):
            rows.append({"change": change, "record": record, "url": staff_url(record)})
    return {"rows": rows}


@register.inclusion_tag("cases/my_work.html", takes_context=True)
def my_work(context) -> dict:
    """The staff home's part of the cases and the accountability list: the reader's drafts,
    for editors what waits for their review (counts; the queue has the records), and the
    latest changes to records the reader may read."""
    user = context["request"].user
    waiting = waiting_records(user) if has_role(user, "editor") else {}
    return {
        "drafts": own_drafts(user),
        "waiting": {kind: records.count() for kind, records in waiting.items()},
        "is_editor": bool(waiting),
        "activity": recent_activity(user),
    }


@register.filter
def in_words(history) -> list[HistoryRow]:
    return history_rows(history)
