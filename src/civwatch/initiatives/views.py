"""Public pages: the anonymous submission form, the receipt-code status page, and the list
of published initiatives.

The submission form needs no account and no JavaScript and loads nothing from elsewhere (it
uses the site's own stylesheet only), so it works in Tor Browser at its safest level. The
receipt code is shown once, in the answer to the submission, and comes back only in POST
bodies: it is never part of a URL, so no access log, history or referrer can hold it. These
answers are never cached. The three views are drop boxes (core.clock): what they write is
stamped with the day only, and the server's access log leaves them out.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from civwatch.core.clock import drop_box
from civwatch.core.errors import UserError
from civwatch.initiatives import public, sanitise, workflow
from civwatch.initiatives.forms import AnswerForm, CodeForm, SubmissionForm


@never_cache
@require_http_methods(["GET", "POST"])
@drop_box
def submit(request: HttpRequest) -> HttpResponse:
    form = SubmissionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                done = workflow.submit(
                    uploads=form.cleaned_data["attachments"], **form.initiative_fields()
                )
            except UserError as error:
                form.add_error("attachments", str(error))
            else:
                found = [
                    {"number": n, "labels": sanitise.labels(a.metadata_found)}
                    for n, a in enumerate(done.attachments, 1)
                ]
                return render(
                    request, "initiatives/receipt.html", {"code": done.code, "found": found}
                )
        return render(request, "initiatives/submit.html", {"form": form}, status=400)
    return render(request, "initiatives/submit.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
@drop_box
def status(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        initiative = workflow.find(form.cleaned_data["code"])
        if initiative is not None:
            context = {
                "view": workflow.submitter_view(initiative),
                "answer_form": AnswerForm(initial={"code": form.cleaned_data["code"]}),
            }
            return render(request, "initiatives/status.html", context)
        return render(
            request, "initiatives/lookup.html", {"form": form, "unknown": True}, status=404
        )
    code = 400 if request.method == "POST" else 200
    return render(request, "initiatives/lookup.html", {"form": form}, status=code)


@never_cache
@require_http_methods(["POST"])
@drop_box
def answer(request: HttpRequest) -> HttpResponse:
    form = AnswerForm(request.POST)
    code = request.POST.get("code", "")
    initiative = workflow.find(code) if isinstance(code, str) else None
    if initiative is None:
        lookup = CodeForm(initial={"code": ""})
        return render(
            request, "initiatives/lookup.html", {"form": lookup, "unknown": True}, status=404
        )
    status_code = 200
    answered = False
    if form.is_valid():
        try:
            workflow.answer(initiative, form.cleaned_data["text"])
        except UserError as error:
            form.add_error("text", str(error))
            status_code = 400
        else:
            answered = True
            form = AnswerForm(initial={"code": code})
    else:
        status_code = 400
    context = {"view": workflow.submitter_view(initiative), "answer_form": form,
               "answered": answered}  # fmt: skip
    return render(request, "initiatives/status.html", context, status=status_code)


def published(request: HttpRequest) -> HttpResponse:
    """Published initiatives: kind, city, date and the support given; nothing else (the exact
    place only where the organisers chose to publish it)."""
    rows = [public.labelled(row) for row in public.rows()]
    return render(request, "initiatives/published.html", {"rows": rows})
