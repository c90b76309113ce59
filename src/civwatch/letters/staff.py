"""Editors' pages for open letters: letters, their versions, signatures awaiting verification,
manual verification with a note, delivery and replies. Who may use them, and who reads the
signers' details, is decided by the access policy (accounts.permissions, "Open letters")."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civwatch.accounts import permissions
from civwatch.core.errors import UserError
from civwatch.letters import delivery as deliveries
from civwatch.letters import signing
from civwatch.letters.forms import DecisionForm, DeliveryForm, LetterForm, ReplyForm, VersionForm
from civwatch.letters.models import Delivery, Letter, Signature, VerificationState


def letters_staff(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not permissions.may_manage_letters(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@letters_staff
def letter_list(request: HttpRequest) -> HttpResponse:
    form = LetterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        letter = form.save()
        return redirect("letters:staff_letter", slug=letter.slug)
    rows = [
        (letter, letter.signatures.filter(state=VerificationState.PENDING).count())
        for letter in Letter.objects.all()
    ]
    status = 400 if form.errors else 200
    return render(request, "letters/staff_list.html", {"rows": rows, "form": form}, status=status)


def signature_rows(user, letter: Letter) -> list[dict]:
    """Each signature with the confidential fields the user may see (each read noted)."""
    rows = []
    for signature in letter.signatures.select_related("verified_by"):
        shown = permissions.signer_fields(user, signature)
        rows.append(
            {
                "record": signature,
                "private": {name: getattr(signature, name) for name in shown},
                "form": DecisionForm(prefix=f"s{signature.pk}"),
            }
        )
    return rows


def letter_page(request: HttpRequest, letter: Letter, status: int = 200, **forms) -> HttpResponse:
    context = {
        "letter": letter,
        "versions": letter.versions.all(),
        "signatures": signature_rows(request.user, letter),
        "deliveries": letter.deliveries.select_related("version").prefetch_related("replies"),
        "version_form": forms.get("version_form") or VersionForm(),
        "delivery_form": forms.get("delivery_form") or DeliveryForm(letter=letter),
        "reply_form": ReplyForm(),
        "error": forms.get("error", ""),
    }
    return render(request, "letters/staff_letter.html", context, status=status)


@letters_staff
def letter_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return letter_page(request, get_object_or_404(Letter, slug=slug))


@letters_staff
@require_POST
def version_add(request: HttpRequest, slug: str) -> HttpResponse:
    letter = get_object_or_404(Letter, slug=slug)
    form = VersionForm(request.POST)
    if form.is_valid():
        version = form.save(commit=False)
        version.letter = letter
        if letter.versions.filter(language=version.language).exists():
            form.add_error("language", _("This letter already has a version in this language."))
        else:
            try:
                version.save()
            except UserError as error:
                return letter_page(request, letter, 400, version_form=form, error=str(error))
            return redirect("letters:staff_letter", slug=letter.slug)
    return letter_page(request, letter, 400, version_form=form)


@letters_staff
@require_POST
def letter_move(request: HttpRequest, slug: str) -> HttpResponse:
    letter = get_object_or_404(Letter, slug=slug)
    try:
        if request.POST.get("to") == "open":
            letter.open_signing()
        elif request.POST.get("to") == "closed":
            letter.close_signing()
        else:
            raise UserError(_("Unknown move."))
    except UserError as error:
        return letter_page(request, letter, 400, error=str(error))
    return redirect("letters:staff_letter", slug=letter.slug)


@letters_staff
@require_POST
def signature_decide(request: HttpRequest, pk: int) -> HttpResponse:
    signature = get_object_or_404(Signature, pk=pk)
    form = DecisionForm(request.POST, prefix=f"s{signature.pk}")
    if not form.is_valid():
        message = _("Choose a decision and write how the signature was checked.")
        return letter_page(request, signature.letter, 400, error=message)
    data = form.cleaned_data
    signing.decide(signature, request.user, data["decision"], data["note"])
    messages.success(request, _("Decision recorded."))
    return redirect("letters:staff_letter", slug=signature.letter.slug)


@letters_staff
@require_POST
def delivery_add(request: HttpRequest, slug: str) -> HttpResponse:
    letter = get_object_or_404(Letter, slug=slug)
    form = DeliveryForm(request.POST, letter=letter)
    if not form.is_valid():
        return letter_page(request, letter, 400, delivery_form=form)
    data = form.cleaned_data
    try:
        deliveries.record_delivery(
            letter, data["version"], data["delivered_on"], data["recipient"], data["channel"],
            data["note"], request.user,
        )  # fmt: skip
    except UserError as error:
        return letter_page(request, letter, 400, delivery_form=form, error=str(error))
    return redirect("letters:staff_letter", slug=letter.slug)


@letters_staff
@require_POST
def reply_add(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery, pk=pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        message = _("A reply needs the day it was received, who sent it and what it says.")
        return letter_page(request, delivery.letter, 400, error=message)
    reply = form.save(commit=False)
    reply.delivery, reply.created_by = delivery, request.user
    reply.save()
    return redirect("letters:staff_letter", slug=delivery.letter.slug)
