"""Previews: a small PNG derived from an image or from a PDF's first page.

A preview is a derived copy like the extracted text: the original is only read. An image or
PDF that cannot be read gets no preview (the original is still evidence); an image whose
declared size is a decompression bomb is refused, since even opening it fully would exhaust
memory.
"""

import io
import warnings
from pathlib import Path

import pypdfium2
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from civwatch.core.errors import UserError
from civwatch.evidence.storage import PREVIEWS, DamagedFile, storage

# The longest side of a preview, in pixels.
PREVIEW_SIDE = 800
# Larger images are refused: far above any photo or scan, far below what exhausts memory.
MAX_IMAGE_PIXELS = 50_000_000
IMAGE_TYPES = {"image/png", "image/jpeg"}


def make_preview(name: str, media_type: str, data: bytes) -> bytes | None:
    """PNG bytes of a preview, None when the type has none or the file cannot be read."""
    if media_type in IMAGE_TYPES:
        return image_preview(name, data)
    if media_type == "application/pdf":
        return pdf_preview(data)
    return None


def image_preview(name: str, data: bytes) -> bytes | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                # Only the header has been read so far: check the size before decoding.
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise too_large(name)
                image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
                # Phones store photos sideways with an orientation tag: show them upright.
                return png_bytes(ImageOps.exif_transpose(image))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large(name) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def too_large(name: str) -> UserError:
    return UserError(
        _("“%(name)s” is too large an image (more than %(limit)s million pixels).")
        % {"name": name, "limit": MAX_IMAGE_PIXELS // 1_000_000}
    )


def pdf_preview(data: bytes) -> bytes | None:
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return None
    try:
        if len(document) == 0:
            return None
        page = document[0]
        width, height = page.get_size()
        if width <= 0 or height <= 0:
            return None
        # Rendered straight at preview size, so a huge page size cannot exhaust memory.
        scale = PREVIEW_SIDE / max(width, height)
        image = page.render(scale=scale).to_pil()
        return png_bytes(image)
    except pypdfium2.PdfiumError:
        return None
    finally:
        document.close()


def png_bytes(image: Image.Image) -> bytes:
    if image.mode not in ("RGB", "RGBA", "L", "LA", "1", "P"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def preview_response(item) -> HttpResponse | FileResponse:
    """The preview as an inline PNG; callers have already checked that the reader may see it.

    The preview's file is named by its own sha256 and verified before it is sent; a missing
    or damaged one is refused (409, logged with the item's id)."""
    if not item.preview:
        raise Http404
    sha256 = Path(item.preview.name).stem
    try:
        data = storage().read(PREVIEWS, sha256, ".png", item_id=item.pk)
    except DamagedFile:
        return HttpResponse(
            _("The stored preview is damaged and is not shown."),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    # Never let the stored name (a sha256) reach the reader in Content-Disposition.
    response = FileResponse(
        io.BytesIO(data), content_type="image/png", filename=f"evidence-{item.pk}-preview.png"
    )
    response["Cache-Control"] = "private, no-store"
    return response
