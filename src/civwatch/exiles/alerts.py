"""Helpline escalation alerts: staff are told by mail when a request reaches an escalation
level, once per level (`civwatch exiles alert`, run every few minutes from cron or a timer).

The queue page shows the levels; an alert makes sure somebody looks at it. The mail names the
request by number and says how long it has waited: never the person, the request or the
contact, which stay under the request's key (mail passes through servers we do not control).
Level 1 goes to the caseworker it is assigned to (to the admins if nobody is, or the
caseworker has no address); level 2 to that caseworker and every admin.
"""

from __future__ import annotations

import datetime

from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from civwatch.accounts.models import holders_of
from civwatch.exiles.models import HelpRequest, RequestState


def recipients(request: HelpRequest, level: int) -> list[str]:
    caseworker = request.assigned_to
    own = [caseworker.email] if caseworker is not None and caseworker.email else []
    if level >= 2 or not own:
        admins = holders_of("admin").exclude(email="").values_list("email", flat=True)
        own += [address for address in admins if address not in own]
    return own


def alert_escalations(now: datetime.datetime | None = None) -> list[tuple[int, int]]:
    """Mail each open request's new escalation level; [(request id, level)] alerted."""
    now = now or timezone.now()
    alerted = []
    waiting = HelpRequest.objects.exclude(state__in=[RequestState.ANSWERED, RequestState.CLOSED])
    for request in waiting.select_related("assigned_to"):
        level = request.escalation(now)
        if level <= request.alerted_level:
            continue
        addresses = recipients(request, level)
        if addresses:
            minutes = request.minutes_waiting(now)
            send_mail(
                f"Helpline request #{request.pk}: unanswered for {minutes} minutes "
                f"(escalation level {level})",
                f"Helpline request #{request.pk} was received {minutes} minutes ago and is not "
                f"answered yet. Open it in the helpline queue: {reverse('exiles:helpline')}\n\n"
                "This message names no one on purpose; the request is on the staff pages.",
                None,
                addresses,
            )
        # Marked even without an address to write to: the queue page still shows the level.
        HelpRequest.objects.filter(pk=request.pk).update(alerted_level=level)
        alerted.append((request.pk, level))
    return alerted
