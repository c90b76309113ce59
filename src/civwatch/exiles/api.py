"""The exile files API: the public figures, and a caseworker's own files (need-to-know)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from civwatch.accounts import permissions
from civwatch.cases.access import BadToken, request_user
from civwatch.core.params import DbId
from civwatch.exiles import aggregates
from civwatch.exiles.keystore import KeyErased

router = Router(tags=["people abroad"])


class CountryYear(Schema):
    country: str
    year: int
    count: int | None  # None: fewer than the threshold


class KindYear(Schema):
    kind: str
    year: int
    count: int | None


class Figures(Schema):
    threshold: int
    people_per_country_year: list[CountryYear]
    people_per_kind_year: list[KindYear]


@router.get("/exiles/figures", response=Figures)
def figures(request: HttpRequest) -> dict[str, Any]:
    """People supported per country and year, and per kind of help and year; counts below
    the suppression threshold are null."""
    return aggregates.figures()


class FileOut(Schema):
    id: int
    name: str
    country: str
    city: str
    stay_status: str
    state: str
    review_on: str | None


@router.get("/exiles/files/{file_id}", response=FileOut)
def exile_file(request: HttpRequest, file_id: DbId) -> dict[str, Any]:
    """One file, for its assigned caseworkers and admins (404 for anybody else)."""
    try:
        user = request_user(request)
    except BadToken:
        raise HttpError(401, "Unknown or revoked API token.") from None
    record = permissions.get_exile_file_or_404(user, file_id, ["name", "city"])
    try:
        name, city = record.name, record.city
    except KeyErased:
        name, city = "", ""
    return {
        "id": record.pk, "name": name, "country": record.country, "city": city,
        "stay_status": record.stay_status, "state": record.state,
        "review_on": record.review_on.isoformat() if record.review_on else None,
    }  # fmt: skip
