"""Files and submissions shared by the initiative tests (unit, serve and browser)."""

import io

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, StreamObject

# Markers a submitter's request carries: none may be stored or logged.
CLIENT_IP = "203.0.113.77"
CLIENT_UA = "ZZUSERAGENT-Mozilla/5.0 (X11; Linux x86_64) Marker/1.0"
GPS_LATITUDE = (55.0, 45.0, 21.0)


def jpeg_with_gps(colour: str = "red") -> bytes:
    """A real JPEG carrying GPS, camera, software and author EXIF, as a phone would write."""
    image = Image.new("RGB", (64, 48), colour)
    exif = Image.Exif()
    exif[0x010F] = "ZZCameraMake"  # Make
    exif[0x0110] = "ZZCameraModel X1"  # Model
    exif[0x0131] = "ZZPhotoEditor 3.1"  # Software
    exif[0x013B] = "ZZ Jane Organiser"  # Artist
    exif[0x0132] = "2024:03:01 18:42:07"  # DateTime
    exif[0x8825] = {
        1: "N",
        2: GPS_LATITUDE,
        3: "E",
        4: (37.0, 37.0, 2.0),
    }
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def pdf_with_metadata() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "ZZ Pdf Author", "/Creator": "ZZWordProcessor",
                         "/Producer": "ZZPdfMaker 9"})  # fmt: skip
    # An XMP packet naming the author again, as office programs write one.
    xmp = StreamObject()
    xmp.set_data(b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>ZZ Xmp Author</dc:creator>'
                 b"</x:xmpmeta>")  # fmt: skip
    xmp.update({NameObject("/Type"): NameObject("/Metadata"),
                NameObject("/Subtype"): NameObject("/XML")})  # fmt: skip
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def form_data(**overrides):
    data = {
        "kind": "rally",
        "city": "Yekaterinburg",
        "date": "2030-06-12",
        "description": "A rally for the release of political prisoners.",
        "address": "",
        "organisers_contact": "",
    }
    data.update(overrides)
    return data


# A GeoJP2 box: a UUID box whose GeoTIFF header says where a JPEG 2000 picture lies.
GEOJP2_UUID = bytes.fromhex("b14bf8bd083d4b43a5ae8cd7d5a6ce03")


def jpeg2000_with_metadata(colour: str = "red") -> bytes:
    """A real JP2 file (OpenJPEG through Pillow, which writes its own name in a codestream
    comment) with an XMP box naming the author and a GeoJP2 box, as a scanner or a GIS tool
    writes them, before the codestream."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG2000", tile_size=(32, 32))
    data = out.getvalue()
    at = data.index(b"jp2c") - 4

    def box(kind: bytes, body: bytes) -> bytes:
        return (8 + len(body)).to_bytes(4, "big") + kind + body

    xmp = box(b"xml ", b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>ZZ Jp2 Author'
                       b"</dc:creator></x:xmpmeta>")  # fmt: skip
    geo = box(b"uuid", GEOJP2_UUID + b"ZZGeoTIFF 55.7558N 37.6173E")
    return data[:at] + xmp + geo + data[at:]


def pdf_with_a_gps_photo(where: str = "page", encoding: str = "jpeg") -> bytes:
    """A PDF page drawing a phone photo whose JPEG stream still carries its GPS EXIF, as the
    page's own image ("page"), inside a form XObject the page draws ("form", as a scanner or a
    "save as PDF" of a web page writes it), in an annotation's appearance ("annotation", a
    stamp), or as the page's thumbnail ("thumbnail"). The photo is a JPEG ("jpeg"), a JPEG
    2000 with XMP and GeoJP2 boxes ("jpx"), or a JPEG drawn inline in the page's content
    ("inline": BI ... ID ... EI, `where` is then "page" or "form")."""
    photo = jpeg2000_with_metadata() if encoding == "jpx" else jpeg_with_gps()
    writer = PdfWriter()
    page = writer.add_blank_page(64, 48)
    image = StreamObject()
    image.set_data(photo)
    image.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
        NameObject("/Width"): NumberObject(64), NameObject("/Height"): NumberObject(48),
        NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
        NameObject("/BitsPerComponent"): NumberObject(8),
        NameObject("/Filter"): NameObject("/JPXDecode" if encoding == "jpx" else "/DCTDecode"),
    })  # fmt: skip
    image_ref = writer._add_object(image)
    draw_image = b"q 64 0 0 48 0 0 cm /Im0 Do Q"
    if encoding == "inline":
        draw_image = b"q 64 0 0 48 0 0 cm BI /W 64 /H 48 /CS /RGB /BPC 8 /F /DCT ID "
        draw_image += photo + b"\nEI Q"
    images = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): image_ref})}
    )

    def form() -> StreamObject:
        stream = StreamObject()
        stream.set_data(draw_image)
        stream.update({
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([NumberObject(n) for n in (0, 0, 64, 48)]),
            NameObject("/Resources"): images,
        })  # fmt: skip
        return stream

    content = StreamObject()
    if where == "page":
        page[NameObject("/Resources")] = images
        content.set_data(draw_image)
    elif where == "form":
        forms = DictionaryObject({NameObject("/Fm0"): writer._add_object(form())})
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): forms})
        content.set_data(b"/Fm0 Do")
    elif where == "annotation":
        stamp = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Stamp"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 64, 48)]),
            NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(form())}),
        })  # fmt: skip
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(stamp)])
        content.set_data(b"")
    elif where == "thumbnail":
        page[NameObject("/Thumb")] = image_ref
        content.set_data(b"")
    else:
        raise ValueError(where)
    page[NameObject("/Contents")] = writer._add_object(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
