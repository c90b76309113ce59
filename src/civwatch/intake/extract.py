"""Text out of an article (plain text, HTML or PDF), and the language it is written in.

The extracted text is what every offset refers to. It is defined as:

- plain text: the bytes decoded as UTF-8 (a byte-order mark dropped), line ends made "\\n";
- HTML: the text of <body> (or of the whole document without <head>), character references
  decoded, <script>, <style>, <noscript>, <template> and <svg> dropped; every block element
  (paragraph, heading, list item, table cell, <br>...) ends a line; runs of spaces inside a
  line become one space; lines are stripped and empty lines dropped;
- PDF: pypdf's text of each page, lines stripped and spaces collapsed as for HTML, empty lines
  dropped, pages joined by "\\n";

and then Unicode NFC (so a decomposed "ё" reads as one letter). The evidence item keeps this
text as its derived copy; the original bytes are never changed.
"""

import io
import logging
import re
import unicodedata
from html.parser import HTMLParser

from django.utils.translation import gettext as _

from civwatch.core.errors import UserError
from civwatch.core.uploads import sniff_media_type

ARTICLE_TYPES = ("text/html", "application/pdf", "text/plain")
BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
}  # fmt: skip
SKIPPED = {"script", "style", "noscript", "template", "svg", "head"}
# pypdf logs what it repairs; the reader gets our message about the file instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)
SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def media_type_of(name: str, data: bytes) -> str:
    """text/plain, text/html or application/pdf, by the one upload validator (content first,
    name second); an image, or text that is only white space, is refused."""
    media_type = sniff_media_type(name, data, accepted=ARTICLE_TYPES)
    if not data.strip():
        raise UserError(_("“%(name)s” is empty.") % {"name": name})
    return media_type


def decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(
            _("“%(name)s” is not UTF-8 text (byte %(position)s).")
            % {"name": name, "position": error.start}
        ) from None


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "body":  # a <head> left open ends where the body starts
            self.skipping.clear()
        elif tag in SKIPPED:
            self.skipping.append(tag)
        elif tag in BLOCKS:
            self.lines.append("")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in BLOCKS:
            self.lines.append("")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        elif tag in BLOCKS:
            self.lines.append("")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.lines[-1] += data


def tidy_lines(lines: list[str]) -> str:
    kept = (SPACES.sub(" ", part).strip() for line in lines for part in line.splitlines())
    return "\n".join(line for line in kept if line)


def html_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return tidy_lines(collector.lines)


def pdf_text(name: str, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UserError(_("“%(name)s” is an encrypted PDF.") % {"name": name})
        pages = [page.extract_text() or "" for page in reader.pages]
    except UserError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        raise UserError(
            _("“%(name)s” is a damaged PDF (%(reason)s).")
            % {"name": name, "reason": type(error).__name__}
        ) from None
    return tidy_lines(pages)


def extract_text(name: str, data: bytes) -> tuple[str, str]:
    """The media type and the extracted text (see the module docstring for what it is)."""
    media_type = media_type_of(name, data)
    if media_type == "application/pdf":
        text = pdf_text(name, data)
    elif media_type == "text/html":
        text = html_text(decode(name, data))
    else:
        text = decode(name, data).replace("\r\n", "\n").replace("\r", "\n")
    return media_type, unicodedata.normalize("NFC", text)


def detect_language(text: str) -> str:
    """ "ru" when Cyrillic letters outnumber Latin ones, "en" when Latin ones do, "und" when
    the text has no letters: intake reads Russian and English, and the script decides which
    name forms (declined Cyrillic or romanised) to expect."""
    cyrillic = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if not cyrillic and not latin:
        return "und"
    return "ru" if cyrillic >= latin else "en"
