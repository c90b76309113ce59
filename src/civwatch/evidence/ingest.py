"""Taking evidence in: validate, hash, store the original untouched, log custody; add claims.

The original file is stored content-addressed (MEDIA_ROOT/evidence/ab/cd/<sha256>) and never
rewritten; on disk it is encrypted (civwatch.core.crypto, docs/security.md: write_new and
read_original/read_preview are the only points that touch the bytes); extracted text is a
derived copy in the database, a preview a derived PNG file (MEDIA_ROOT/evidence-previews/
ab/cd/<sha256>.png, see civwatch.evidence.previews), encrypted the same way. Nothing is
half-saved: files are written only after validation, inside the transaction, and removed if
the transaction fails.
"""

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from civwatch.cases.models import Incident, Participant
from civwatch.core import crypto
from civwatch.core.errors import UserError
from civwatch.evidence.models import Citation, Claim, CustodyEvent, EvidenceItem
from civwatch.evidence.previews import make_preview

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Accepted types, recognised by their content rather than by the name the uploader chose.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
TEXT_TYPES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}


def sniff_media_type(name: str, data: bytes) -> str:
    for media_type, signatures in SIGNATURES.items():
        if data.startswith(signatures):
            if media_type == "application/pdf" and b"%%EOF" not in data[-2048:]:
                raise UserError(
                    _("“%(name)s” is a damaged PDF (its end is missing).") % {"name": name}
                )
            return media_type
    suffix = Path(name).suffix.lower()
    if suffix in TEXT_TYPES:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise UserError(_("“%(name)s” is not UTF-8 text.") % {"name": name}) from None
        return TEXT_TYPES[suffix]
    raise UserError(
        _("“%(name)s” is not an accepted file type (PDF, PNG, JPEG, HTML or plain text).")
        % {"name": name}
    )


def derive_text(media_type: str, data: bytes) -> str:
    if media_type == "text/plain":
        return data.decode("utf-8")
    if media_type == "text/html":
        return " ".join(re.sub(r"<[^>]+>", " ", data.decode("utf-8")).split())
    return ""


def original_path(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "evidence" / sha256[:2] / sha256[2:4] / sha256


def preview_path(sha256: str) -> Path:
    """Where the preview of the original with this hash is kept (it depends on nothing else)."""
    return (
        Path(settings.MEDIA_ROOT)
        / "evidence-previews"
        / sha256[:2]
        / sha256[2:4]
        / (f"{sha256}.png")
    )


def write_new(path: Path, data: bytes, aad: bytes) -> bool:
    """Write a content-addressed file, encrypted, unless it exists; whether this call
    created it. ``aad``: crypto.file_context() of the file (what it is, which original)."""
    if path.exists():
        return False
    crypto.write_encrypted(path, data, aad)
    return True


def read_original(sha256: str) -> bytes:
    """The original's bytes, decrypted (DecryptionError: wrong key or a file swapped)."""
    path = original_path(sha256)
    return crypto.read_encrypted(path, crypto.file_context("original", sha256), path.name)


def read_preview(sha256: str) -> bytes:
    path = preview_path(sha256)
    return crypto.read_encrypted(path, crypto.file_context("preview", sha256), path.name)


def add_evidence(
    *,
    user: Any,
    name: str = "",
    data: bytes | None = None,
    derived_text: str | None = None,
    media_type: str | None = None,
    **fields: Any,
) -> EvidenceItem:
    """Create an evidence item (a file when data is given) and its first custody event.

    derived_text and media_type: what a caller that already read the file (document intake)
    recognised and extracted, kept instead of this module's own, so that the caller's
    offsets point into the derived text."""
    item = EvidenceItem(created_by=user, **fields)
    if data is None:
        text = item.quoted_text or item.url
        item.sha256 = hashlib.sha256(text.encode()).hexdigest()
        with transaction.atomic():
            item.save_with_history(user)
            item.log(CustodyEvent.Action.ADDED, user, item.get_kind_display())
        return item
    if len(data) > MAX_UPLOAD_BYTES:
        raise UserError(_("“%(name)s” is larger than 20 MB.") % {"name": name})
    if not data:
        raise UserError(_("“%(name)s” is empty.") % {"name": name})
    item.media_type = media_type or sniff_media_type(name, data)
    item.sha256 = hashlib.sha256(data).hexdigest()
    item.size = len(data)
    item.original_name = name[:300]
    item.derived_text = derive_text(item.media_type, data) if derived_text is None else derived_text
    preview = make_preview(name, item.media_type, data)  # may refuse a decompression bomb
    path = original_path(item.sha256)
    item.file_path = str(path.relative_to(settings.MEDIA_ROOT))
    if preview is not None:
        item.preview.name = str(preview_path(item.sha256).relative_to(settings.MEDIA_ROOT))
    created: list[Path] = []
    try:
        with transaction.atomic():
            item.save_with_history(user)
            item.log(CustodyEvent.Action.ADDED, user, f"{name}, {item.size} bytes")
            if item.derived_text:
                item.log(CustodyEvent.Action.DERIVED, user, "text extracted")
            if preview is not None:
                item.log(CustodyEvent.Action.DERIVED, user, f"preview, {len(preview)} bytes")
            for file_path, content, kind in (
                (path, data, "original"),
                (preview_path(item.sha256), preview, "preview"),
            ):
                aad = crypto.file_context(kind, item.sha256)
                if content is not None and write_new(file_path, content, aad):
                    created.append(file_path)
    except BaseException:
        for file_path in created:
            file_path.unlink(missing_ok=True)
        raise
    return item


def add_claim(
    *,
    incident: Incident,
    statement: str,
    author: Any,
    citations: Iterable[tuple[EvidenceItem, str]],
    participant: Participant | None = None,
    visibility: str = "internal",
) -> Claim:
    """A draft claim citing evidence items, each with the passage that supports it."""
    citations = list(citations)
    if not citations:
        raise UserError(_("A claim must cite at least one evidence item."))
    if participant is not None and participant.incident_id != incident.pk:
        raise UserError(_("The participant belongs to another incident."))
    with transaction.atomic():
        claim = Claim(
            incident=incident,
            participant=participant,
            statement=statement,
            created_by=author,
            visibility=visibility,
        )
        claim.save_with_history(author)
        for item, passage in citations:
            Citation.objects.create(claim=claim, item=item, passage=passage)
            item.log(CustodyEvent.Action.CITED, author, f"claim #{claim.pk}")
    return claim
