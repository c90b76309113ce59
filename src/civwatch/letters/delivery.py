"""The delivered letter: a PDF of one version's text, its hash and the signatories as of the
delivery day, kept with the delivery record and its sha256 written to the audit log.

The PDF depends only on the data (no time of writing inside): the same letter, version,
signatures and delivery details give the same bytes, as the accountability dossiers do, so
anybody holding the PDF can compare it with the hash the organisation published.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from civwatch.core import audit
from civwatch.letters import public
from civwatch.letters.models import (
    Delivery,
    DeliveryChannel,
    Letter,
    LetterError,
    LetterStatus,
    LetterVersion,
)


def content(
    letter: Letter,
    version: LetterVersion,
    delivered_on: datetime.date,
    recipient: str,
    channel: str,
) -> dict[str, Any]:
    view = public.letter_view(letter, version.language)
    return {
        "letter": view,
        "version": public.version_view(version),
        "delivered_on": delivered_on.isoformat(),
        "recipient": recipient,
        "channel": str(DeliveryChannel(channel).label),
        "organisation": settings.CIVWATCH_ORGANISATION_NAME,
    }


def render_pdf(
    letter: Letter,
    version: LetterVersion,
    delivered_on: datetime.date,
    recipient: str,
    channel: str,
) -> bytes:
    """The PDF, in the version's language where we have one (else English)."""
    if not version.sha256:
        raise LetterError(_("Only a letter whose text is fixed (signing opened) can be delivered."))
    languages = {code for code, _name in settings.LANGUAGES}
    with translation.override(version.language if version.language in languages else "en"):
        html = render_to_string(
            "letters/delivered.html",
            content(letter, version, delivered_on, recipient, channel),
        )
    from weasyprint import HTML  # imported here: loading Pango is slow and only PDFs need it

    return HTML(string=html).write_pdf()


@transaction.atomic
def record_delivery(
    letter: Letter,
    version: LetterVersion,
    delivered_on: datetime.date,
    recipient: str,
    channel: str,
    note: str = "",
    user: Any = None,
) -> Delivery:
    if version.letter_id != letter.pk:
        raise LetterError(_("That version belongs to another letter."))
    if letter.status == LetterStatus.DRAFT:
        raise LetterError(_("Only a letter whose text is fixed (signing opened) can be delivered."))
    pdf = render_pdf(letter, version, delivered_on, recipient, channel)
    digest = hashlib.sha256(pdf).hexdigest()
    delivery = Delivery.objects.create(
        letter=letter,
        version=version,
        delivered_on=delivered_on,
        recipient=recipient,
        channel=channel,
        note=note,
        pdf=pdf,
        pdf_sha256=digest,
        created_by=user,
    )
    # The hash of what was handed over joins the tamper-evident chain.
    audit.record_export(
        user,
        "letter-delivery",
        {"letter": letter.slug, "delivery": delivery.pk, "sha256": digest},
    )
    letter.status = LetterStatus.DELIVERED
    letter.save(update_fields=["status", "updated_at"])
    return delivery
