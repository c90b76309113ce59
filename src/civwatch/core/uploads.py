"""The one upload validator: every file a user hands us (evidence, articles, register
snapshots, screening CSVs, from a form or from the command line) passes the same rules here.

- size: not empty, at most `max_bytes` (20 MB unless a use says less), checked before the file
  is read when it comes through a form;
- kind: by the name's suffix where a use accepts only some files (snapshots, CSVs), and by the
  content (`sniff_media_type`) where the type decides what is done with the bytes: a PNG named
  `.txt` is an image, a PDF without its end is damaged, text must be UTF-8.
Every refusal names the file, so a batch of several files says which one is wrong.
"""

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civwatch.core.errors import UserError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Types recognised by their content rather than by the name the uploader chose.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
# Images nobody may upload as evidence, recognised so that the message says "image".
OTHER_IMAGES = (b"GIF8",)
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
IMAGE_TYPES = ("image/png", "image/jpeg")
EVIDENCE_TYPES = ("application/pdf", *IMAGE_TYPES, "text/html", "text/plain")
TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "text/html": "HTML",
    "text/plain": gettext_lazy("plain text"),
}


def check_size(name: str, size: int, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """The size rule of every upload: not empty, at most `max_bytes`."""
    if size > max_bytes:
        raise UserError(
            _("“%(name)s” is larger than %(limit)s MB.")
            % {"name": name, "limit": max_bytes // (1024 * 1024)}
        )
    if size == 0:
        raise UserError(_("“%(name)s” is empty.") % {"name": name})


def check_upload(
    name: str,
    size: int,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    suffixes: Iterable[str] = (),
    refusal: str = "",
) -> None:
    """The size rule and, when `suffixes` are given, the suffix rule (`refusal` is the message,
    with %(name)s, for a file of another kind)."""
    suffixes = tuple(suffixes)
    if suffixes and Path(name).suffix.lower() not in suffixes:
        raise UserError(refusal % {"name": name})
    check_size(name, size, max_bytes)


def upload_validator(**rules: Any) -> Callable[[Any], None]:
    """A form field validator applying `check_upload(**rules)` before the file is read."""

    def validate(upload: Any) -> None:
        try:
            check_upload(upload.name, upload.size, **rules)
        except UserError as error:
            raise forms.ValidationError(str(error)) from None

    validate.upload_rule = True  # how tests/test_uploads.py recognises the one validator
    return validate


validate_upload_size = upload_validator()


def sniff_media_type(name: str, data: bytes, accepted: Iterable[str] = EVIDENCE_TYPES) -> str:
    """The media type of an upload, from its content first and its name second; UserError
    naming the file when it is too large, empty, damaged, not UTF-8 text or not `accepted`."""
    check_size(name, len(data))
    accepted = tuple(accepted)
    media_type = recognise(name, data)
    if media_type not in accepted:
        if media_type in IMAGE_TYPES or data.startswith(OTHER_IMAGES):
            raise UserError(
                _("“%(name)s” is an image: only %(types)s files are accepted here.")
                % {"name": name, "types": ", ".join(str(TYPE_NAMES[t]) for t in accepted)}
            )
        raise UserError(
            _("“%(name)s” is not an accepted file type (%(types)s).")
            % {"name": name, "types": ", ".join(str(TYPE_NAMES[t]) for t in accepted)}
        )
    return media_type


def recognise(name: str, data: bytes) -> str:
    for media_type, signatures in SIGNATURES.items():
        if data.startswith(signatures):
            if media_type == "application/pdf" and b"%%EOF" not in data[-2048:]:
                raise UserError(
                    _("“%(name)s” is a damaged PDF (its end is missing).") % {"name": name}
                )
            return media_type
    if data.startswith(OTHER_IMAGES):
        return ""
    suffix = Path(name).suffix.lower()
    head = data[:512].lstrip().lower()
    if suffix in HTML_SUFFIXES or head.startswith((b"<!doctype html", b"<html")):
        media_type = "text/html"
    elif suffix in TEXT_SUFFIXES:
        media_type = "text/plain"
    else:
        return ""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(
            _("“%(name)s” is not UTF-8 text (byte %(position)s).")
            % {"name": name, "position": error.start}
        ) from None
    return media_type
