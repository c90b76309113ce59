"""The initiatives API: published initiatives for anyone, a submitter's own initiative by its
receipt code, and the reviewers' list (typed schemas; docs/initiatives.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from civwatch.accounts import permissions
from civwatch.cases.access import BadToken, request_user
from civwatch.initiatives import public, workflow
from civwatch.initiatives.models import Initiative, SupportAction

router = Router(tags=["citizens' initiatives"])


class PublicInitiativeOut(Schema):
    kind: Initiative.Kind
    kind_label: str
    city: str
    date: str
    address: str = Field(description="only when the organisers chose to publish it")
    support: list[SupportAction.Kind]
    support_labels: list[str]


@router.get("/initiatives", response=list[PublicInitiativeOut], summary="Published initiatives")
def list_published(request: HttpRequest) -> list[dict[str, Any]]:
    return [public.labelled(row) for row in public.rows()]


class ReceiptIn(Schema):
    # In the body, never in the URL: the code is the submitter's only key (access logs).
    code: str = Field(max_length=100, description="the receipt code given at submission")


class MessageOut(Schema):
    sender: str
    sent_on: str
    text: str


class SubmitterViewOut(Schema):
    kind: Initiative.Kind
    city: str
    date: str
    received_on: str
    status: Initiative.Status
    status_label: str
    decided_on: str | None
    decision_reason: str
    support: list[SupportAction.Kind]
    outcome: str = Field(description="held, banned, dispersed, detentions; empty: not known")
    messages: list[MessageOut]


class NotFoundOut(Schema):
    detail: str


@router.post(
    "/initiatives/receipt",
    response={200: SubmitterViewOut, 404: NotFoundOut},
    summary="Your initiative, by its receipt code",
)
def by_receipt(request: HttpRequest, body: ReceiptIn) -> Status:
    """What the status page shows the submitter: the decision, the support, the questions."""
    initiative = workflow.find(body.code)
    if initiative is None:
        return Status(404, {"detail": "No initiative has this receipt code."})
    view = workflow.submitter_view(initiative)
    return Status(
        200,
        {
            "kind": initiative.kind,
            "city": initiative.city,
            "date": initiative.date.isoformat(),
            "received_on": initiative.submitted_on.isoformat(),
            "status": initiative.status,
            "status_label": initiative.get_status_display(),
            "decided_on": view.decided_on and view.decided_on.isoformat(),
            "decision_reason": view.decision_reason,
            "support": sorted({s.kind for s in view.supports}),
            "outcome": initiative.outcome,
            "messages": [
                {"sender": m.sender, "sent_on": m.sent_on.isoformat(), "text": m.text}
                for m in view.exchange
            ],
        },
    )


class StaffInitiativeOut(Schema):
    id: int
    kind: Initiative.Kind
    city: str
    date: str
    received_on: str
    status: Initiative.Status
    published: bool


@router.get(
    "/staff/initiatives",
    response=list[StaffInitiativeOut],
    summary="Initiatives under review (researchers and above)",
)
def staff_list(request: HttpRequest, status: Initiative.Status | None = None) -> list[dict]:
    try:
        user = request_user(request)
    except BadToken:
        raise HttpError(401, "Unknown or revoked API token.") from None
    if not permissions.can_read_initiatives(user):
        raise HttpError(403, "Initiatives are for researchers, editors and admins.")
    initiatives = Initiative.objects.all()
    if status:
        initiatives = initiatives.filter(status=status)
    return [
        {
            "id": i.pk, "kind": i.kind, "city": i.city, "date": i.date.isoformat(),
            "received_on": i.submitted_on.isoformat(), "status": i.status,
            "published": i.published,
        }
        for i in initiatives.only("kind", "city", "date", "submitted_on", "status", "published")
    ]  # fmt: skip
