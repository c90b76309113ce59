"""Public pages of open letters: the letters, the signing form, the mailed links (confirm,
withdraw) and the page asking for them again, the public signatures as CSV and the delivered
PDFs (no JavaScript needed)."""

from __future__ import annotations

import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from civwatch.core.csvfiles import CONTENT_TYPE, SafeCsvWriter
from civwatch.core.errors import UserError
from civwatch.letters import public, signing
from civwatch.letters.forms import ManageForm, SignForm
from civwatch.letters.models import LetterStatus, LinkPurpose, VerificationState


def letter_list(request: HttpRequest) -> HttpResponse:
    letters = [
        {"letter": letter, "version": letter.version(get_language()), "counted": letter.counted()}
        for letter in public.letters().prefetch_related("versions")
    ]
    return render(request, "letters/list.html", {"letters": letters})


def _letter(slug: str):
    return get_object_or_404(public.letters(), slug=slug)


def letter_detail(request: HttpRequest, slug: str) -> HttpResponse:
    letter = _letter(slug)
    language = get_language()
    view = public.letter_view(letter, language)
    # Bars of the chart: one row per country, as wide as its share of the largest count.
    context = {
        "letter": letter,
        "view": view,
        "title": letter.version(language).title,
        "chart_height": 22 * len(view["by_country"]),
        "open": letter.accepts_signatures(),
        # Links can be asked for until the letter is delivered with its signatures.
        "manageable": letter.status in (LetterStatus.OPEN, LetterStatus.CLOSED),
    }
    return render(request, "letters/detail.html", context)


@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    letter = _letter(slug)
    context = {"letter": letter, "title": letter.version(get_language()).title}
    if not letter.accepts_signatures():
        return render(request, "letters/closed.html", context, status=409)
    form = SignForm(request.POST or None, letter=letter)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "language": get_language()}
        try:
            signature = signing.sign(letter, data, request.build_absolute_uri("/"))
        except UserError as error:
            form.add_error(None, str(error))
        else:
            mailed = bool(signature.token_hash)
            return render(request, "letters/signed.html", {**context, "mailed": mailed})
    status = 400 if form.errors else 200
    return render(request, "letters/sign.html", {**context, "form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    """A mailed link (to confirm or to withdraw a signature): GET shows a button (mail
    scanners that open links must not act), POST spends the token. The page names the letter
    only: whoever holds the link learns nothing about the signer."""
    token = (request.POST if request.method == "POST" else request.GET).get("t", "")
    if request.method == "POST":
        signature = signing.use_link(token)
        if signature is not None:
            letter = signature.letter
            context = {"letter": letter, "title": letter.version(get_language()).title,
                       "withdrawn": signature.state == VerificationState.WITHDRAWN}  # fmt: skip
            return render(request, "letters/confirmed.html", context)
    else:
        signature = signing.pending_for(token)
        if signature is not None:
            letter = signature.letter
            context = {"letter": letter, "title": letter.version(get_language()).title,
                       "token": token,
                       "withdraw": signature.token_purpose == LinkPurpose.WITHDRAW}  # fmt: skip
            return render(request, "letters/confirm.html", context)
    return render(request, "letters/confirm_unknown.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for the confirmation link again, or for a link to withdraw the signature. The
    answer is the same whether or not anything matched."""
    letter = _letter(slug)
    context = {"letter": letter, "title": letter.version(get_language()).title}
    form = ManageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        signing.request_link(letter, data["website"], data["email"], data["purpose"],
                             request.build_absolute_uri("/"), get_language())  # fmt: skip
        return render(request, "letters/manage_sent.html", context)
    status = 400 if form.errors else 200
    return render(request, "letters/manage.html", {**context, "form": form}, status=status)


def signatures_csv(request: HttpRequest, slug: str) -> HttpResponse:
    letter = _letter(slug)
    stream = io.StringIO()
    writer = SafeCsvWriter(stream, public.SIGNATURE_COLUMNS, excel=True)
    writer.writeheader()
    for row in public.signature_rows(letter, get_language()):
        writer.writerow(row)
    response = HttpResponse(stream.getvalue(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{letter.slug}-signatures.csv"'
    return response


def delivered_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    letter = _letter(slug)
    delivery = letter.deliveries.filter(pk=pk).first()
    if delivery is None:
        raise Http404
    response = HttpResponse(bytes(delivery.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letter.slug}-{delivery.pk}.pdf"'
    return response
