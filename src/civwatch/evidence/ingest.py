"""Taking evidence in: validate, hash, store the original untouched, log custody; add claims.

The original file is stored content-addressed (MEDIA_ROOT/evidence/ab/cd/<sha256>) and never
rewritten; extracted text is a derived copy in the database, a preview a derived PNG file
(MEDIA_ROOT/evidence-previews/ab/cd/<sha256 of the PNG>.png, see civwatch.evidence.previews).
Files are written and read only through civwatch.evidence.storage (atomic, verified writes;
verified reads). Nothing is half-saved: files are written only after validation, inside the
transaction, and the ones this upload created are removed if the transaction fails.

Uploads are checked by the one upload validator, `civwatch.core.uploads`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from civwatch.core.errors import UserError
from civwatch.core.uploads import check_size, sniff_media_type
from civwatch.evidence.models import Citation, Claim, CustodyEvent, EvidenceItem
from civwatch.evidence.previews import make_preview
from civwatch.evidence.storage import ORIGINALS, PREVIEWS, DamagedFile, sha256_of, storage

if TYPE_CHECKING:  # evidence belongs to cases' incidents; cases imports evidence, not back
    from civwatch.cases.models import Incident, Participant

logger = logging.getLogger(__name__)


def derive_text(media_type: str, data: bytes) -> str:
    if media_type == "text/plain":
        return data.decode("utf-8")
    if media_type == "text/html":
        return " ".join(re.sub(r"<[^>]+>", " ", data.decode("utf-8")).split())
    return ""


def original_path(sha256: str) -> Path:
    return storage().path(ORIGINALS, sha256)


def read_original(item: EvidenceItem) -> bytes:
    """The item's original, verified against its sha256; DamagedFile (logged with the item's
    id) when the stored file is missing or does not match."""
    if not item.file_path:
        raise DamagedFile(ORIGINALS)
    return storage().read(ORIGINALS, item.sha256, item_id=item.pk)


def read_preview(item: EvidenceItem) -> bytes:
    """The item's preview PNG, verified against the sha256 it is named by; DamagedFile when
    missing or not matching."""
    if not item.preview:
        raise DamagedFile(PREVIEWS)
    return storage().read(PREVIEWS, Path(item.preview.name).stem, ".png", item_id=item.pk)


def add_evidence(
    *,
    user: Any,
    name: str = "",
    data: bytes | None = None,
    derived_text: str | None = None,
    media_type: str | None = None,
    created_files: list[Path] | None = None,
    **fields: Any,
) -> EvidenceItem:
    """Create an evidence item (a file when data is given) and its first custody event.

    derived_text and media_type: what a caller that already read the file (document intake)
    recognised and extracted, kept instead of this module's own, so that the caller's
    offsets point into the derived text. created_files: a caller that wraps this in its own
    transaction gets the files this call created, to remove them if that transaction fails."""
    item = EvidenceItem(created_by=user, **fields)
    if data is None:
        text = item.quoted_text or item.url
        item.sha256 = sha256_of(text.encode())
        with transaction.atomic():
            item.save_with_history(user)
            item.log(CustodyEvent.Action.ADDED, user, item.get_kind_display())
        return item
    check_size(name, len(data))
    item.media_type = media_type or sniff_media_type(name, data)
    item.sha256 = sha256_of(data)
    item.size = len(data)
    item.original_name = name[:300]
    item.derived_text = derive_text(item.media_type, data) if derived_text is None else derived_text
    preview = make_preview(name, item.media_type, data)  # may refuse a decompression bomb
    store = storage()
    item.file_path = store.relative(store.path(ORIGINALS, item.sha256))
    if preview is not None:
        item.preview.name = store.relative(store.path(PREVIEWS, sha256_of(preview), ".png"))
    created: list[Path] = []
    try:
        with transaction.atomic():
            item.save_with_history(user)
            repaired = []
            for area, content, suffix in ((ORIGINALS, data, ""), (PREVIEWS, preview, ".png")):
                if content is None:
                    continue
                stored = store.put(area, content, suffix)
                if stored.created:
                    created.append(stored.path)
                if stored.replaced:
                    logger.error(
                        "evidence item %s: a damaged stored %s file replaced", item.pk, area
                    )
                    repaired.append(area)
            note = f"{name}, {item.size} bytes"
            if repaired:
                note += "; the damaged stored copy was replaced by this verified one"
            item.log(CustodyEvent.Action.ADDED, user, note)
            if item.derived_text:
                item.log(CustodyEvent.Action.DERIVED, user, "text extracted")
            if preview is not None:
                item.log(CustodyEvent.Action.DERIVED, user, f"preview, {len(preview)} bytes")
    except BaseException:
        for path in created:
            store.remove(path)
        raise
    if created_files is not None:
        created_files.extend(created)
    return item


def destroy_file(item: EvidenceItem, user: Any, note: str) -> None:
    """Destroy an item's stored file and preview under a retention rule. The item and its
    custody log stay, with a DESTROYED event saying why; reading the original is refused
    from then on. Storage is content-addressed, so a file goes only once no other item
    keeps the same content, and only after the transaction commits (a rollback loses
    nothing)."""
    original, preview = item.file_path, item.preview.name
    item.file_path, item.preview = "", ""
    item.save(update_fields=["file_path", "preview"])
    item.log(CustodyEvent.Action.DESTROYED, user, note)

    def remove() -> None:
        store = storage()
        if original and not EvidenceItem.objects.filter(file_path=original).exists():
            store.remove(store.path(ORIGINALS, item.sha256))
        if preview and not EvidenceItem.objects.filter(preview=preview).exists():
            store.remove(store.path(PREVIEWS, Path(preview).stem, ".png"))

    transaction.on_commit(remove)


def is_destroyed(item: EvidenceItem) -> bool:
    """The item's file was destroyed (destroy_file), not lost: say so, do not report damage.
    A file item always has a path until then (add_evidence), so no query is needed."""
    return item.kind == EvidenceItem.Kind.FILE and not item.file_path


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
