"""Signing and verifying: who may sign, how a signature is proven, what the signer is sent.

Anybody can type "Amnesty International" into a form; what proves that the organisation signed
is control of its web domain. A signature whose e-mail address is at the domain of the website
given (or a subdomain of it) gets a confirmation link by mail; any other signature waits for an
editor, who verifies it by other means and writes down how (the note).

The link carries a random token; the database keeps only its sha256, so a copy of the
database cannot confirm anything. The token works once and for
CIVWATCH_LETTER_CONFIRM_HOURS hours. It travels in the query string, which the access log
does not record (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import secrets
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civwatch.letters.models import (
    Letter,
    LetterError,
    Signature,
    VerificationMethod,
    VerificationState,
)


def host_of(url: str) -> str:
    """The lower-case host of a website address, without a leading "www."."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    with contextlib.suppress(UnicodeError):  # a name IDNA refuses stays as typed
        host = host.encode("idna").decode("ascii")
    return host.removeprefix("www.")


def email_domain(email: str) -> str:
    domain = email.rsplit("@", 1)[-1].rstrip(".").lower() if "@" in email else ""
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


@cache
def shared_mail_domains() -> frozenset[str]:
    """Public mail providers (data: shared_mail_domains.txt)."""
    text = (Path(__file__).parent / "shared_mail_domains.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def under(domain: str, parent: str) -> bool:
    return domain == parent or domain.endswith("." + parent)


def at_own_domain(email: str, website: str) -> bool:
    """Whether the address is at the website's domain or one of its subdomains, and that
    domain is not a public mail provider's (anybody can have an address at gmail.com and
    give https://gmail.com as the website of the organisation they claim to be)."""
    domain, host = email_domain(email), host_of(website)
    if not domain or not host or "." not in host:
        return False
    if any(under(domain, shared) for shared in shared_mail_domains()):
        return False
    return under(domain, host)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def confirmation_path(token: str) -> str:
    return reverse("letters:confirm") + "?" + urlencode({"t": token})


@transaction.atomic
def sign(letter: Letter, data: dict[str, Any], base_url: str) -> Signature:
    """Record a signature from the signing form's cleaned data; mail the link if the address
    is at the organisation's domain. Returns the signature (pending either way)."""
    if not letter.accepts_signatures():
        raise LetterError(_("This letter is not open for signing."))
    signature = Signature(
        letter=letter,
        organisation=data["organisation"],
        country=data["country"],
        website=data["website"],
        domain=host_of(data["website"]),
        signer_name=data["signer_name"],
        signer_role=data["signer_role"],
        email=data["email"],
        display=data["display"],
    )
    token = ""
    if at_own_domain(data["email"], data["website"]):
        token = secrets.token_urlsafe(32)
        signature.token_hash = token_hash(token)
        signature.token_expires = timezone.now() + datetime.timedelta(
            hours=settings.CIVWATCH_LETTER_CONFIRM_HOURS
        )
    signature.save()
    if token:
        link = base_url.rstrip("/") + confirmation_path(token)
        title = letter.version(data.get("language")).title
        body = _(
            "Somebody, probably you, signed the open letter “%(title)s” on behalf of "
            "%(organisation)s.\n\nTo confirm the signature, open this link within "
            "%(hours)s hours and press the button on the page:\n\n%(link)s\n\n"
            "If you did not sign, ignore this message: the signature will not count."
        ) % {
            "title": title,
            "organisation": signature.organisation,
            "hours": settings.CIVWATCH_LETTER_CONFIRM_HOURS,
            "link": link,
        }
        # Sent after the commit: a failed transaction must not leave a link to nothing.
        transaction.on_commit(
            lambda: send_mail(
                _("Confirm your signature: %(title)s") % {"title": title},
                body,
                None,
                [signature.email],
            )
        )
    return signature


def pending_for(token: str) -> Signature | None:
    """The signature a link's token confirms, if it is still pending and not expired."""
    if not token or len(token) > 100:
        return None
    signature = Signature.objects.filter(
        token_hash=token_hash(token), state=VerificationState.PENDING
    ).first()
    if signature is None or signature.token_expires is None:
        return None
    if signature.token_expires <= timezone.now():
        return None
    return signature


@transaction.atomic
def confirm(token: str) -> Signature | None:
    """Verify the signature of a confirmation link; the token is spent whatever follows."""
    signature = pending_for(token)
    if signature is None:
        return None
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.token_hash != token_hash(token):
        return None  # confirmed by a concurrent request
    signature.state = VerificationState.VERIFIED
    signature.method = VerificationMethod.EMAIL_LINK
    signature.verified_on = timezone.localdate()
    signature.token_hash, signature.token_expires = "", None
    signature.save()
    return signature


@transaction.atomic
def decide(signature: Signature, user: Any, verified: bool, note: str) -> None:
    """An editor's decision on a signature, with the note saying how it was checked."""
    if not note.strip():
        raise LetterError(_("Write how the signature was checked."))
    signature.state = VerificationState.VERIFIED if verified else VerificationState.REJECTED
    signature.method = VerificationMethod.EDITOR
    signature.verified_on = timezone.localdate()
    signature.verified_by = user
    signature.note = note.strip()
    signature.token_hash, signature.token_expires = "", None
    signature.save()
