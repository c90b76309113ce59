"""Working copies without metadata: images re-encoded from their pixels, PDFs rewritten
without their document information, XMP packets and the metadata of the JPEG images they
hold (wherever in the file those are).

A photo's EXIF can hold where it was taken (GPS), the camera and its serial number, the
software and the owner's name; a PDF names its author and the program and account that made
it. Any of these can identify an organiser. Reviewers work on the copy made here; the original
stays untouched as evidence (civwatch.evidence.ingest), readable by editors only.

Images are rebuilt from their pixels alone (after applying the EXIF orientation, so that the
copy looks the same without that tag): no EXIF, XMP, ICC profile, comment or PNG text chunk
survives, whatever the encoder would otherwise carry over.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import DictionaryObject, NameObject, NumberObject, StreamObject

from civwatch.core.errors import UserError
from civwatch.evidence.previews import MAX_IMAGE_PIXELS, too_large

# The kinds of metadata the submitter is told about, by code (stored on the attachment).
LABELS = {
    "gps": gettext_lazy("GPS position"),
    "camera": gettext_lazy("camera make and model"),
    "serial": gettext_lazy("device serial number"),
    "software": gettext_lazy("software"),
    "author": gettext_lazy("author or owner name"),
    "dates": gettext_lazy("dates and times"),
    "description": gettext_lazy("title, description or keywords"),
    "xmp": gettext_lazy("XMP metadata"),
    "comment": gettext_lazy("embedded comment"),
    "other": gettext_lazy("other embedded metadata"),
}
ORDER = list(LABELS)

# EXIF tags (TIFF numbering) by the kind of information they reveal.
EXIF_TAGS = {
    0x8825: "gps",  # GPSInfo
    0x010F: "camera",  # Make
    0x0110: "camera",  # Model
    0xA434: "camera",  # LensModel
    0xA431: "serial",  # BodySerialNumber
    0xA435: "serial",  # LensSerialNumber
    0x0131: "software",  # Software
    0x013C: "software",  # HostComputer
    0x013B: "author",  # Artist
    0x8298: "author",  # Copyright
    0xA430: "author",  # CameraOwnerName
    0x9C9D: "author",  # XPAuthor
    0x0132: "dates",  # DateTime
    0x9003: "dates",  # DateTimeOriginal
    0x9004: "dates",  # DateTimeDigitized
    0x010E: "description",  # ImageDescription
    0x9C9B: "description",  # XPTitle
    0x9C9C: "comment",  # XPComment
    0x9286: "comment",  # UserComment
}
EXIF_IFD = 0x8769
# Tags that describe the picture itself, not who made it: not worth telling about.
HARMLESS_TAGS = {0x0112, 0x011A, 0x011B, 0x0128, 0x0213, 0x8769, 0xA001, 0xA002, 0xA003}
PDF_INFO = {
    "/Author": "author",
    "/Creator": "software",
    "/Producer": "software",
    "/CreationDate": "dates",
    "/ModDate": "dates",
    "/Title": "description",
    "/Subject": "description",
    "/Keywords": "description",
}


@dataclass
class Cleaned:
    data: bytes
    found: list[str] = field(default_factory=list)  # codes of LABELS, in ORDER

    def labels(self) -> list[str]:
        return labels(self.found)


def labels(codes: list[str]) -> list[str]:
    return [str(LABELS[code]) for code in codes if code in LABELS]


def _ordered(codes: set[str]) -> list[str]:
    return [code for code in ORDER if code in codes]


def clean(name: str, media_type: str, data: bytes) -> Cleaned:
    """A copy of an accepted upload without its metadata, and what was found in it;
    UserError naming the file when it cannot be read."""
    if media_type == "application/pdf":
        return clean_pdf(name, data)
    return clean_image(name, media_type, data)


def image_metadata(image: Image.Image) -> set[str]:
    found: set[str] = set()
    exif = image.getexif()
    tags = dict(exif)
    with contextlib.suppress(KeyError, ValueError, TypeError):  # no or a broken Exif IFD
        tags.update(exif.get_ifd(EXIF_IFD))
    for tag, value in tags.items():
        if value in (None, b"", "", {}):
            continue
        if tag in EXIF_TAGS:
            found.add(EXIF_TAGS[tag])
        elif tag not in HARMLESS_TAGS:
            found.add("other")
    info = image.info
    if info.get("xmp") or info.get("XML:com.adobe.xmp"):
        found.add("xmp")
    if info.get("comment"):
        found.add("comment")
    text = getattr(image, "text", None) or {}  # PNG tEXt/iTXt chunks
    for key in text:
        found.add("xmp" if "xmp" in key.lower() else "other")
    if info.get("icc_profile"):
        found.add("other")  # a profile can name the device and the software that made it
    return found


def clean_image(name: str, media_type: str, data: bytes) -> Cleaned:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise too_large(name)
            found = image_metadata(image)
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UserError(_("“%(name)s” could not be read as an image.") % {"name": name}) from None
    if upright.mode == "P":
        upright = upright.convert("RGBA")
    if media_type == "image/jpeg" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    # Pixels only: a new image has an empty `info`, so the encoder has nothing to carry over.
    bare = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    out = io.BytesIO()
    if media_type == "image/jpeg":
        bare.save(out, format="JPEG", quality=90)
    else:
        bare.save(out, format="PNG")
    return Cleaned(out.getvalue(), _ordered(found))


def clean_pdf(name: str, data: bytes) -> Cleaned:
    unreadable = _("“%(name)s” could not be read as a PDF.") % {"name": name}
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UserError(
                _("“%(name)s” is an encrypted PDF: remove the password and try again.")
                % {"name": name}
            )
        found: set[str] = set()
        for key, value in (reader.metadata or {}).items():
            if str(value).strip():
                found.add(PDF_INFO.get(key, "other"))
        if "/Metadata" in reader.trailer["/Root"]:
            found.add("xmp")
        writer = PdfWriter(clone_from=reader)
    except UserError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, AttributeError):
        raise UserError(unreadable) from None
    try:
        found |= _clean_objects(writer)
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, AttributeError):
        raise UserError(unreadable) from None
    # No document information at all (pypdf would otherwise name itself as the producer).
    writer.metadata = None
    out = io.BytesIO()
    try:
        # The removed packets are still objects of the file, only unreferenced: drop them.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        writer.write(out)
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, AttributeError):
        raise UserError(unreadable) from None
    return Cleaned(out.getvalue(), _ordered(found))


# JPEG segments that carry metadata rather than pixels: APP1 (EXIF, XMP), APP2 (ICC, FlashPix),
# APP3-APP13 (maker notes, IPTC/Photoshop), APP15, and comments. APP0 (JFIF) and APP14 (Adobe:
# how to read the colours) are kept, since the image needs them.
JPEG_METADATA = {0xE1: "xmp", 0xE2: "other", 0xED: "description", 0xFE: "comment"}
JPEG_METADATA.update({m: "other" for m in range(0xE3, 0xED)})
JPEG_METADATA[0xEF] = "other"


def strip_jpeg_segments(data: bytes) -> tuple[bytes, set[str]]:
    """A JPEG stream without its metadata segments (its pixels untouched, not re-encoded),
    and what was removed; a stream this cannot walk is returned as it is."""
    if not data.startswith(b"\xff\xd8"):
        return data, set()
    kept, found, i = [b"\xff\xd8"], set(), 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return data, set()
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is image data
            kept.append(data[i:])
            return b"".join(kept), found
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        segment = data[i : i + 2 + length]
        if marker in JPEG_METADATA:
            # An APP1 segment is EXIF or XMP: EXIF can hold a GPS position.
            found.add(
                "gps" if marker == 0xE1 and segment[4:8] == b"Exif" else JPEG_METADATA[marker]
            )
        else:
            kept.append(segment)
        i += 2 + length
    return data, set()


def _clean_objects(writer: PdfWriter) -> set[str]:
    """Strip metadata from every object of the file, not only from what its pages draw: a
    photo hides as well inside a form XObject, an annotation's appearance (a stamp) or a
    page's thumbnail, and an XMP packet can hang from any dictionary (catalogue, page, image,
    font). Every JPEG image stream loses its metadata segments; every `/Metadata` entry goes
    (the packets themselves, now unreferenced, are dropped when the file is written)."""
    found: set[str] = set()
    for stored in writer._objects:
        if not isinstance(stored, DictionaryObject):
            continue
        if NameObject("/Metadata") in stored:
            # The catalogue's packet was counted from the reader's trailer already.
            if stored is not writer._root_object:
                found.add("xmp")
            del stored[NameObject("/Metadata")]
        if isinstance(stored, StreamObject) and stored.get("/Subtype") == "/Image":
            found |= _clean_jpeg_stream(stored)
    return found


def _clean_jpeg_stream(image: StreamObject) -> set[str]:
    filters = image.get("/Filter")
    filters = [filters] if not isinstance(filters, list) else list(filters)
    if filters != ["/DCTDecode"]:
        return set()
    # The stream's encoded bytes are the JPEG file itself.
    cleaned, removed = strip_jpeg_segments(image._data)
    if removed:
        image._data = cleaned
        image[NameObject("/Length")] = NumberObject(len(cleaned))
    return removed
