"""Editors' intake pages: upload or paste an article, check what was found, cite passages.

The article is an evidence item: the access policy (civwatch.accounts.permissions) decides
who reads it and which incidents its claims may go to, as on every other staff page.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civwatch.accounts import permissions
from civwatch.accounts.permissions import role_required
from civwatch.cases.models import Incident
from civwatch.core.errors import UserError
from civwatch.evidence.ingest import add_claim
from civwatch.evidence.models import EvidenceItem
from civwatch.intake.analysis import analyse_file
from civwatch.intake.forms import ArticleForm, DecisionForm, PassageClaimForm
from civwatch.intake.ingest import decide, highlighted, keep_article, sentence_around
from civwatch.intake.known import database_gazetteer
from civwatch.intake.models import Article, ArticleMention, ArticleSuggestion


@role_required("editor")
def home(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            name, data = form.article()
            try:
                analysis = analyse_file(name, data, database_gazetteer())
                item = keep_article(
                    user=request.user,
                    name=name,
                    data=data,
                    analysis=analysis,
                    **form.evidence_fields(),
                )
            except UserError as error:
                form.add_error("upload" if form.cleaned_data["upload"] else "pasted", str(error))
            else:
                return redirect("intake:article", pk=item.pk)
        status = 400
    else:
        status = 200
    items = permissions.readable(request.user, EvidenceItem.objects.all())
    articles = []
    for article in Article.objects.select_related("item").filter(item__in=items)[:100]:
        # Title and source as the policy lets this user see them (and their reading noted).
        shown = permissions.visible_fields(request.user, article.item)
        articles.append(
            {
                "article": article,
                "title": article.item.title if "title" in shown else f"#{article.item_id}",
                "source": article.item.source if "source" in shown else "",
            }
        )
    return render(request, "intake/home.html", {"form": form, "articles": articles}, status=status)


def readable_article(request: HttpRequest, pk: int) -> Article:
    item = permissions.get_readable_or_404(request.user, EvidenceItem, pk=pk)
    found = Article.objects.select_related("item").filter(item=item).first()
    if found is None:
        raise Http404
    return found


def article_context(request: HttpRequest, article: Article, claim_form=None) -> dict:
    item = article.item
    # The page shows the whole item (its text above all): asking the policy for its fields
    # also notes a confidential read.
    permissions.visible_fields(request.user, item)
    mentions = list(ArticleMention.objects.filter(item=item).select_related("entity"))
    suggestions = list(ArticleSuggestion.objects.filter(item=item))
    spans = [(m.start, m.end, f"mention {m.decision}", m.entity.name) for m in mentions]
    spans += [(s.start, s.end, "suggestion", s.schema) for s in suggestions]
    if claim_form is None:
        cited = request.GET.get("cite", "")
        cite = next((m for m in mentions if str(m.pk) == cited), None)
        initial = {"incident": item.incident_id}
        if cite is not None:
            initial["passage"] = sentence_around(item.derived_text, cite.start, cite.end)
        claim_form = PassageClaimForm(initial=initial, text=item.derived_text, user=request.user)
    return {
        "article": article,
        "item": item,
        "pieces": highlighted(item.derived_text, spans),
        "mentions": mentions,
        "suggestions": suggestions,
        "claim_form": claim_form,
    }


@role_required("editor")
def article(request: HttpRequest, pk: int) -> HttpResponse:
    found = readable_article(request, pk)
    return render(request, "intake/article.html", article_context(request, found))


@require_POST
@role_required("editor")
def decision(request: HttpRequest, pk: int, mention: int) -> HttpResponse:
    readable_article(request, pk)
    found = ArticleMention.objects.filter(pk=mention, item_id=pk).first()
    if found is None:
        raise Http404
    form = DecisionForm(request.POST)
    if form.is_valid():
        decide(found, form.cleaned_data["decision"], request.user)
        messages.success(request, _("Decision saved."))
    else:
        messages.error(request, _("Unknown decision."))
    return redirect("intake:article", pk=pk)


@require_POST
@role_required("editor")
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    found = readable_article(request, pk)
    item = found.item
    permissions.require_readable(
        request.user, Incident.objects.all(), [request.POST.get("incident", "")]
    )
    form = PassageClaimForm(request.POST, text=item.derived_text, user=request.user)
    if form.is_valid():
        incident = form.cleaned_data["incident"]
        if not permissions.can_add_to(request.user, incident):
            raise PermissionDenied
        with transaction.atomic():
            if item.incident_id is None:
                item.incident = incident
                item.save_with_history(request.user, note="cited in a claim on this incident")
            add_claim(
                incident=incident,
                statement=form.cleaned_data["statement"],
                author=request.user,
                citations=[(item, form.cleaned_data["passage"])],
                visibility=form.cleaned_data["visibility"],
            )
        messages.success(request, _("Claim added as a draft."))
        return redirect("cases:staff_incident", pk=incident.pk)
    return render(request, "intake/article.html", article_context(request, found, form), status=400)
