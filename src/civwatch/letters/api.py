"""JSON API of open letters: public letters and their public signatures (typed schemas)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from civwatch.letters import public

router = Router(tags=["letters"])


class VersionOut(Schema):
    language: str
    title: str
    text: str
    sha256: str = Field(description="sha256 of the text (UTF-8), fixed when signing opened")


class SignatureOut(Schema):
    organisation: str
    country: str = Field(description="ISO 3166-1 alpha-2 code")
    country_name: str
    website: str
    verified_on: str


class CountryCount(Schema):
    country: str
    name: str
    count: int


class ReplyOut(Schema):
    received_on: str
    sender: str
    summary: str


class DeliveryOut(Schema):
    id: int
    delivered_on: str
    recipient: str
    channel: str
    language: str
    pdf_sha256: str
    replies: list[ReplyOut]


class LetterOut(Schema):
    slug: str
    status: str
    addressees: str
    signing_opens: str
    signing_closes: str
    delivery_date: str
    versions: list[VersionOut]
    signatures_counted: int = Field(description="verified signatures, named and hidden")
    signatures_hidden: int = Field(description="verified signatures counted but not named")
    by_country: list[CountryCount]
    deliveries: list[DeliveryOut]


class SignaturePage(Schema):
    count: int
    results: list[SignatureOut]


@router.get("/letters", response=list[LetterOut], summary="Open letters (past their draft)")
def list_letters(request) -> list[dict]:
    return [public.letter_view(letter) for letter in public.letters()]


@router.get("/letters/{slug}", response=LetterOut, summary="An open letter and its counts")
def get_letter(request, slug: str) -> dict:
    return public.letter_view(get_object_or_404(public.letters(), slug=slug))


@router.get(
    "/letters/{slug}/signatures",
    response=SignaturePage,
    summary="A letter's public signatures (verified, named)",
)
def list_signatures(request, slug: str) -> dict:
    rows = public.signature_rows(get_object_or_404(public.letters(), slug=slug))
    return {"count": len(rows), "results": rows}
