"""Signing and verifying: who may sign, how a signature is proven, what the signer is sent.

Anybody can type "Amnesty International" into a form; what proves that the organisation signed
is control of its web domain. A signature whose e-mail address is at the domain of the website
given (or a subdomain of it) gets a confirmation link by mail; any other signature waits for an
editor, who verifies it by other means and writes down how (the note).

The link carries a random token; the database keeps only its sha256, so a copy of the
database cannot confirm anything. The token works once and for
CIVWATCH_LETTER_CONFIRM_HOURS hours. It travels in the query string, which the access log
does not record (docs/operations.md).

A signer who lost the mail asks for the link again, and one who changes their mind asks for a
withdrawal link, on the letter's "manage a signature" page: the link goes to the address that
signed, so only its holder can confirm or withdraw. That page answers the same whatever was
typed (it must not tell a stranger who signed), and mails are capped per signature and day,
pending signatures per organisation: the form cannot be used to flood a mailbox.
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
from django.utils.translation import gettext_lazy

from civwatch.letters.models import (
    Letter,
    LetterError,
    LetterStatus,
    LinkPurpose,
    Signature,
    VerificationMethod,
    VerificationState,
)

# Mails for one signature in one day (the first link, then asked again or to withdraw).
MAILS_PER_DAY = 3
# Signatures of one organisation (website domain) waiting for their link at once.
PENDING_PER_DOMAIN = 5


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


def same_address(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


@transaction.atomic
def sign(letter: Letter, data: dict[str, Any], base_url: str) -> Signature:
    """Record a signature from the signing form's cleaned data; mail the link if the address
    is at the organisation's domain. Returns the signature (pending either way)."""
    if not letter.accepts_signatures():
        raise LetterError(_("This letter is not open for signing."))
    domain = host_of(data["website"])
    pending = list(letter.signatures.filter(domain=domain, state=VerificationState.PENDING))
    if any(same_address(other.email, data["email"]) for other in pending):
        raise LetterError(
            _(
                "A signature from this address is waiting for confirmation: ask for the "
                "link again on the page “Manage a signature”."
            )
        )
    if len(pending) >= PENDING_PER_DOMAIN:
        raise LetterError(
            _(
                "Too many signatures from this organisation are waiting for confirmation. "
                "Confirm one of them, or write to the letter's editors."
            )
        )
    signature = Signature(
        letter=letter,
        organisation=data["organisation"],
        country=data["country"],
        website=data["website"],
        domain=domain,
        signer_name=data["signer_name"],
        signer_role=data["signer_role"],
        email=data["email"],
        display=data["display"],
    )
    signature.save()
    if at_own_domain(data["email"], data["website"]):
        mail_link(signature, LinkPurpose.CONFIRM, base_url, data.get("language"))
    return signature


MAIL_TEXTS = {
    LinkPurpose.CONFIRM: (
        gettext_lazy("Confirm your signature: %(title)s"),
        gettext_lazy(
            "Somebody, probably you, signed the open letter “%(title)s” on behalf of "
            "%(organisation)s.\n\nTo confirm the signature, open this link within "
            "%(hours)s hours and press the button on the page:\n\n%(link)s\n\n"
            "If you did not sign, ignore this message: the signature will not count."
        ),
    ),
    LinkPurpose.WITHDRAW: (
        gettext_lazy("Withdraw your signature: %(title)s"),
        gettext_lazy(
            "Somebody, probably you, asked to withdraw the signature of %(organisation)s "
            "under the open letter “%(title)s”.\n\nTo withdraw it, open this link within "
            "%(hours)s hours and press the button on the page:\n\n%(link)s\n\n"
            "If you did not ask, ignore this message: the signature stays."
        ),
    ),
}


def mail_link(signature: Signature, purpose: str, base_url: str, language: str | None) -> bool:
    """Give the signature a new link for `purpose` (the previous one stops working) and mail it
    to the address that signed, after the commit. False, and nothing sent, once the day's
    mails for this signature are spent."""
    today = timezone.localdate()
    sent = signature.mails_that_day if signature.mailed_on == today else 0
    if sent >= MAILS_PER_DAY:
        return False
    token = secrets.token_urlsafe(32)
    signature.token_hash, signature.token_purpose = token_hash(token), purpose
    signature.token_expires = timezone.now() + datetime.timedelta(
        hours=settings.CIVWATCH_LETTER_CONFIRM_HOURS
    )
    signature.mailed_on, signature.mails_that_day = today, sent + 1
    signature.save()
    link = base_url.rstrip("/") + confirmation_path(token)
    title = signature.letter.version(language).title
    subject, body = MAIL_TEXTS[LinkPurpose(purpose)]
    values = {
        "title": title,
        "organisation": signature.organisation,
        "hours": settings.CIVWATCH_LETTER_CONFIRM_HOURS,
        "link": link,
    }
    # In the language of the page the signer used (active now), not the worker's.
    subject, body, address = str(subject) % values, str(body) % values, signature.email
    # Sent after the commit: a failed transaction must not leave a link to nothing.
    transaction.on_commit(lambda: send_mail(subject, body, None, [address]))
    return True


@transaction.atomic
def request_link(
    letter: Letter, website: str, email: str, purpose: str, base_url: str, language: str | None
) -> None:
    """A signer asks for the confirmation link again, or for a withdrawal link. Mails the
    signature given by the organisation's website and the address that signed, when there is
    one the purpose applies to; does nothing otherwise, and says nothing either way."""
    states = {
        LinkPurpose.CONFIRM: [VerificationState.PENDING],
        LinkPurpose.WITHDRAW: [VerificationState.PENDING, VerificationState.VERIFIED],
    }[LinkPurpose(purpose)]
    if purpose == LinkPurpose.WITHDRAW and letter.status == LetterStatus.DELIVERED:
        return  # delivered with its signatures: nothing left to withdraw from
    candidates = letter.signatures.select_for_update().filter(
        domain=host_of(website), state__in=states
    )
    for signature in candidates:
        if not same_address(signature.email, email):
            continue
        if purpose == LinkPurpose.CONFIRM and not at_own_domain(signature.email, website):
            return  # an editor verifies this one: there is no link to send
        mail_link(signature, purpose, base_url, language)
        return


def pending_for(token: str) -> Signature | None:
    """The signature a link's token acts on, while the link works: not expired, not spent, and
    the signature still in a state its purpose applies to."""
    if not token or len(token) > 100:
        return None
    signature = (
        Signature.objects.filter(token_hash=token_hash(token))
        .exclude(state__in=[VerificationState.REJECTED, VerificationState.WITHDRAWN])
        .first()
    )
    if signature is None or signature.token_expires is None:
        return None
    if signature.token_expires <= timezone.now():
        return None
    if signature.token_purpose == LinkPurpose.CONFIRM:
        return signature if signature.state == VerificationState.PENDING else None
    return None if signature.letter.status == LetterStatus.DELIVERED else signature


@transaction.atomic
def use_link(token: str) -> Signature | None:
    """Do what a mailed link is for (confirm or withdraw the signature); the token is spent
    whatever follows. None when the link does not work (any more)."""
    signature = pending_for(token)
    if signature is None:
        return None
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.token_hash != token_hash(token):
        return None  # used by a concurrent request
    if signature.token_purpose == LinkPurpose.WITHDRAW:
        signature.state = VerificationState.WITHDRAWN
    else:
        signature.state = VerificationState.VERIFIED
        signature.method = VerificationMethod.EMAIL_LINK
        signature.verified_on = timezone.localdate()
    signature.token_hash, signature.token_expires = "", None
    signature.save()
    return signature


@transaction.atomic
def decide(signature: Signature, user: Any, state: str, note: str) -> None:
    """An editor's decision on a signature (verified, rejected, or withdrawn at the
    organisation's request), with the note saying how it was checked."""
    if not note.strip():
        raise LetterError(_("Write how the signature was checked."))
    signature.state = VerificationState(state)
    signature.method = VerificationMethod.EDITOR
    signature.verified_on = timezone.localdate()
    signature.verified_by = user
    signature.note = note.strip()
    signature.token_hash, signature.token_expires = "", None
    signature.save()
