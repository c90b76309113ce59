"""The screening page: one name typed in, or a CSV file screened by a background job.

Names screened are personal data: they travel in POST bodies, never in URLs (which end up
in access logs, proxies' logs and browser histories), and the answers are not cached.
"""

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from civwatch.core.errors import UserError
from civwatch.core.uploads import upload_validator
from civwatch.jobs.runner import enqueue_job
from civwatch.matching import DEFAULT_THRESHOLD
from civwatch.screening.lists import (
    ACCOUNTABILITY,
    DEFAULT,
    REGISTERS,
    SANCTIONS,
    database_index,
    name_record,
)
from civwatch.screening.people_files import read_people

MAX_CSV_BYTES = 5 * 1024 * 1024


class NameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    birth_date = forms.DateField(label=_("Birth date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    dataset = forms.ChoiceField(
        label=_("Lists"), required=False, initial=DEFAULT,
        choices=[(DEFAULT, _("every public list")), (SANCTIONS, _("official sanctions lists")),
                 (REGISTERS, _("state registers")), (ACCOUNTABILITY, _("accountability list"))],
    )  # fmt: skip


class CsvForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "CSV (UTF-8 or Windows-1251; comma, semicolon or tab) or XLSX, with a column "
            "“name” (or “ФИО”), or “surname”, “given name” and “patronymic”; optionally "
            "“birth date” and “country”, in English or Russian."
        ),
        validators=[
            upload_validator(
                max_bytes=MAX_CSV_BYTES,
                suffixes=[".csv", ".xlsx"],
                refusal=_("“%(name)s”: only CSV and Excel (XLSX) files can be screened."),
            )
        ],
    )

    def clean_file(self):
        # The whole file is read now, so that every problem is shown at once and the
        # background job only ever runs on a file that reads.
        upload = self.cleaned_data["file"]
        try:
            read_people(upload.read(), upload.name)
        except UserError as problems:
            raise forms.ValidationError(str(problems).splitlines()) from None
        upload.seek(0)
        return upload


@never_cache
def screen_page(request):
    form = NameForm(request.POST if request.method == "POST" else None)
    hits = []
    if form.is_valid():
        birth_date = form.cleaned_data["birth_date"]
        query = name_record(
            form.cleaned_data["name"], "Person", birth_date.isoformat() if birth_date else None
        )
        if query.names:
            dataset = form.cleaned_data["dataset"] or DEFAULT
            hits = database_index().search(query, dataset, limit=10)
    return render(
        request,
        "screening/screen.html",
        {"form": form, "hits": hits, "csv_form": CsvForm(), "threshold": DEFAULT_THRESHOLD},
    )


@login_required
def screen_csv_upload(request):
    csv_form = CsvForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and csv_form.is_valid():
        folder = Path(settings.MEDIA_ROOT) / "screening" / uuid.uuid4().hex
        folder.mkdir(parents=True, exist_ok=True)
        source = folder / ("names" + Path(csv_form.cleaned_data["file"].name).suffix.lower())
        with source.open("wb") as out:
            for chunk in csv_form.cleaned_data["file"].chunks():
                out.write(chunk)
        job = enqueue_job(
            "screen-csv", title=f"Screen {csv_form.cleaned_data['file'].name}",
            params={"source": str(source)}, user=request.user,
        )  # fmt: skip
        return redirect(job)
    return render(
        request, "screening/screen.html", {"form": NameForm(), "csv_form": csv_form, "hits": []}
    )
