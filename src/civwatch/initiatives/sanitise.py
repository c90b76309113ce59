"""Working copies without metadata: images re-encoded from their pixels, PDFs rewritten
without their document information, XMP packets and the metadata of the JPEG and JPEG 2000
images they hold, as objects or inline in a page's drawing (wherever in the file those are).

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
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
)

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
    "attachments": gettext_lazy("attached files"),
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
    font). Every JPEG and JPEG 2000 image stream loses its metadata, and so does every JPEG
    image drawn inline in a page's or a form's content; every `/Metadata` entry goes (the
    packets themselves, now unreferenced, are dropped when the file is written)."""
    found: set[str] = set()
    names = writer._root_object.get("/Names")
    if names is not None and NameObject("/EmbeddedFiles") in names.get_object():
        del names.get_object()[NameObject("/EmbeddedFiles")]
    for stored in writer._objects:
        if not isinstance(stored, DictionaryObject):
            continue
        # Attached files (a whole original photo, a document with its author) go: their
        # streams are emptied, and the entries naming them (/AF, file attachment annotations,
        # the catalogue's list) removed.
        stored.pop(NameObject("/AF"), None)
        if isinstance(stored, StreamObject) and stored.get("/Type") == "/EmbeddedFile":
            found.add("attachments")
            stored.pop(NameObject("/Params"), None)  # its size, checksum and dates
            _replace_data(stored, b"")
            continue
        if NameObject("/EF") in stored:  # the file specification of an attached file
            found.add("attachments")
            for key in FILESPEC_DETAILS:
                stored.pop(NameObject(key), None)
        if NameObject("/Metadata") in stored:
            # The catalogue's packet was counted from the reader's trailer already.
            if stored is not writer._root_object:
                found.add("xmp")
            del stored[NameObject("/Metadata")]
        if isinstance(stored, StreamObject) and stored.get("/Subtype") == "/Image":
            found |= _clean_jpeg_stream(stored)
        elif isinstance(stored, StreamObject) and stored.get("/Subtype") == "/Form":
            content = ContentStream(stored, writer)
            removed = _clean_inline_images(content)
            if removed:
                found |= removed
                _replace_data(stored, content.get_data())
    for page in writer.pages:
        annotations = page.get("/Annots")
        if annotations is not None:
            kept = [a for a in annotations.get_object() if not _attaches_a_file(a)]
            page[NameObject("/Annots")] = ArrayObject(kept)
        content = page.get_contents()
        removed = _clean_inline_images(content) if content is not None else set()
        if removed:
            found |= removed
            page.replace_contents(content)
    return found


def _filters(value: Any) -> list:
    """A stream's or an inline image's filters as a list (PDF allows one name or an array)."""
    return list(value) if isinstance(value, list) else [value]


def _attaches_a_file(annotation: Any) -> bool:
    return annotation.get_object().get("/Subtype") == "/FileAttachment"


INLINE_DCT = {"/DCT", "/DCTDecode"}
# What a file specification says of an attached file: the file, its names (a name can be a
# person's), description, collection item and thumbnail.
FILESPEC_DETAILS = ("/EF", "/RF", "/F", "/UF", "/DOS", "/Mac", "/Unix", "/Desc", "/CI", "/Thumb")


def _clean_inline_images(content: ContentStream) -> set[str]:
    """Strip the metadata of the JPEG images drawn inline (BI ... ID ... EI) in a page's or a
    form's drawing; the operations are changed in place, and what was removed returned."""
    if b"ID" not in content.get_data():
        return set()
    found: set[str] = set()
    operations = content.operations
    for operands, operator in operations:
        if operator != b"INLINE IMAGE":
            continue
        settings = operands["settings"]
        filters = _filters(settings.get("/F", settings.get("/Filter")))
        if len(filters) == 1 and filters[0] in INLINE_DCT:
            cleaned, removed = strip_jpeg_segments(operands["data"])
            if removed:
                operands["data"] = cleaned
                found |= removed
    if found:
        content.operations = operations
    return found


def _replace_data(stream: StreamObject, data: bytes) -> None:
    """New decoded content for a stream, encoded again with its filter where pypdf can (Flate),
    otherwise stored without one."""
    try:
        stream.set_data(data)
    except (PdfReadError, NotImplementedError, ValueError, TypeError):
        for key in ("/Filter", "/DecodeParms"):
            stream.pop(NameObject(key), None)
        stream._data = data
        stream[NameObject("/Length")] = NumberObject(len(data))


def _clean_jpeg_stream(image: StreamObject) -> set[str]:
    filters = _filters(image.get("/Filter"))
    if filters == ["/DCTDecode"]:
        strip = strip_jpeg_segments
    elif filters == ["/JPXDecode"]:
        strip = strip_jpeg2000
    else:
        return set()
    # The stream's encoded bytes are the JPEG (or JPEG 2000) file itself.
    cleaned, removed = strip(image._data)
    if removed:
        image._data = cleaned
        image[NameObject("/Length")] = NumberObject(len(cleaned))
    return removed


# JPEG 2000 (a PDF's /JPXDecode images) keeps metadata in boxes of its JP2 wrapper: XML boxes
# (XMP), UUID boxes (XMP again, or GeoJP2: a GeoTIFF header giving where the picture is), UUID
# info, intellectual property, and labels and associations that tie text to the picture. The
# codestream inside can carry comments (COM markers: encoders name themselves). Boxes that
# describe the image (signature, file type, header, codestream, reader requirements, JPX
# layers and fragments) are kept.
JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
GEOJP2_UUID = bytes.fromhex("b14bf8bd083d4b43a5ae8cd7d5a6ce03")
JP2_METADATA = {b"xml ": "xmp", b"uinf": "other", b"jp2i": "author", b"asoc": "description",
                b"lbl ": "description", b"nlst": "description", b"uuid": "other"}  # fmt: skip
J2K_SOC, J2K_SOT, J2K_SOD, J2K_EOC = 0xFF4F, 0xFF90, 0xFF93, 0xFFD9
J2K_COM, J2K_TLM = 0xFF64, 0xFF55


def strip_jpeg2000(data: bytes) -> tuple[bytes, set[str]]:
    """A JPEG 2000 file (JP2 boxes) or bare codestream without its metadata boxes and comment
    markers (the coded image untouched), and what was removed; what this cannot walk is
    returned as it is."""
    if data.startswith(JP2_SIGNATURE):
        return _strip_jp2_boxes(data)
    if int.from_bytes(data[:2], "big") == J2K_SOC:
        return _strip_codestream_comments(data)
    return data, set()


def _strip_jp2_boxes(data: bytes) -> tuple[bytes, set[str]]:
    kept, found, i = [], set(), 0
    while i < len(data):
        if i + 8 > len(data):
            return data, set()
        length, kind, header = int.from_bytes(data[i : i + 4], "big"), data[i + 4 : i + 8], 8
        if length == 1:  # the length follows as 8 bytes
            length, header = int.from_bytes(data[i + 8 : i + 16], "big"), 16
        elif length == 0:  # the last box runs to the end of the file
            length = len(data) - i
        if length < header or i + length > len(data):
            return data, set()
        box = data[i : i + length]
        if kind in JP2_METADATA:
            uuid = box[header : header + 16]
            found.add("gps" if kind == b"uuid" and uuid == GEOJP2_UUID else JP2_METADATA[kind])
        elif kind == b"jp2c":
            codestream, removed = _strip_codestream_comments(box[header:])
            if removed:
                found |= removed
                box = (8 + len(codestream)).to_bytes(4, "big") + kind + codestream
            kept.append(box)
        else:
            kept.append(box)
        i += length
    return b"".join(kept), found


def _strip_codestream_comments(data: bytes) -> tuple[bytes, set[str]]:
    """The codestream without COM marker segments, in its main header and in every tile-part
    header (each tile-part's length is corrected; a tile-part length index, TLM, is dropped
    when one changed, since decoders do not need it)."""
    main, i = [data[:2]], 2
    found: set[str] = set()
    while i + 4 <= len(data):
        marker = int.from_bytes(data[i : i + 2], "big")
        if marker == J2K_SOT:
            break
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if marker >> 8 != 0xFF or length < 2:
            return data, set()
        if marker == J2K_COM:
            found.add("comment")
        else:
            main.append(data[i : i + 2 + length])
        i += 2 + length
    else:
        return data, set()
    parts, tile_comments = [], False
    while i + 12 <= len(data) and int.from_bytes(data[i : i + 2], "big") == J2K_SOT:
        declared = int.from_bytes(data[i + 6 : i + 10], "big")  # Psot: 0 = up to the end
        end = len(data) - 2 if declared == 0 else i + declared
        if end > len(data) or end < i + 12:
            return data, set()
        sot, j, header = data[i : i + 12], i + 12, []
        while j + 2 <= end and int.from_bytes(data[j : j + 2], "big") != J2K_SOD:
            length = int.from_bytes(data[j + 2 : j + 4], "big")
            if length < 2 or j + 2 + length > end:
                return data, set()
            if int.from_bytes(data[j : j + 2], "big") == J2K_COM:
                found.add("comment")
                tile_comments = True
            else:
                header.append(data[j : j + 2 + length])
            j += 2 + length
        body = b"".join(header) + data[j:end]
        if declared:
            sot = sot[:6] + (12 + len(body)).to_bytes(4, "big") + sot[10:]
        parts.append(sot + body)
        i = end
    rest = data[i:]
    if rest not in (b"", J2K_EOC.to_bytes(2, "big")):
        return data, set()
    if tile_comments:
        main = [m for m in main if int.from_bytes(m[:2], "big") != J2K_TLM]
    return b"".join(main + parts) + rest, found
