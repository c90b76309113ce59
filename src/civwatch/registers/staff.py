"""Staff pages: uploading register snapshots, applied by a background job; the fetch history
of `civwatch watch` and the decisions on held snapshots."""

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from civwatch.accounts import permissions
from civwatch.core.uploads import upload_validator
from civwatch.jobs.runner import enqueue_job
from civwatch.registers import watching
from civwatch.registers.importing import SUSPECT_POLICIES
from civwatch.registers.models import Fetch, Register

SNAPSHOT_RULE = upload_validator(
    suffixes=[".json", ".csv"],
    refusal=_("%(name)s: only JSON and CSV snapshots can be imported."),
)


SUSPECT_LABELS = {
    "stop": _("stop and write nothing"),
    "skip": _("skip that snapshot"),
    "keep-previous": _("record it, keeping the previous values of the suspect fields"),
    "confirm": _("record it as fact"),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class SnapshotFilesField(forms.FileField):
    widget = MultipleFileInput
    default_validators = [SNAPSHOT_RULE]

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        # Each file is cleaned, and so checked by the field's validators, on its own.
        return [super(SnapshotFilesField, self).clean(f, initial) for f in files]


class SnapshotUploadForm(forms.Form):
    register = forms.ModelChoiceField(Register.objects.all(), label=_("Register"))
    files = SnapshotFilesField(
        label=_("Snapshot files"),
        help_text=_("registry-YYYY-MM-DD.json or .csv; several files are applied in date order."),
    )
    suspect = forms.ChoiceField(
        label=_("If a snapshot looks like a scraping accident"),
        choices=[(policy, SUSPECT_LABELS[policy]) for policy in SUSPECT_POLICIES],
    )

    def save_files(self, folder: Path) -> list[str]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for upload in self.cleaned_data["files"]:
            path = folder / get_valid_filename(Path(upload.name).name)
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            paths.append(str(path))
        return paths


@permission_required("registers.add_snapshot")
def upload_snapshots(request):
    form = SnapshotUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        register = form.cleaned_data["register"]
        folder = Path(settings.MEDIA_ROOT) / "snapshots" / uuid.uuid4().hex
        job = enqueue_job(
            "register-import",
            title=f"Import {register.slug} snapshots",
            params={
                "register": register.slug,
                "files": form.save_files(folder),
                "suspect": form.cleaned_data["suspect"],
            },
            user=request.user,
        )
        return redirect(job)
    return render(request, "registers/staff/upload.html", {"form": form})


class DecisionForm(forms.Form):
    """What becomes of a held (suspect) snapshot: the importer's choices other than stopping."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(p, SUSPECT_LABELS[p]) for p in SUSPECT_POLICIES if p != "stop"],
    )


@permissions.role_required(permissions.FETCH_READER_ROLE)
def watch_history(request):
    """The fetch history of `civwatch watch`, held snapshots (waiting for a decision) first."""
    fetches = Fetch.objects.select_related("register", "snapshot", "decided_by")
    held = fetches.filter(status=Fetch.Status.HELD).order_by("fetched_at")
    return render(
        request,
        "registers/staff/watch.html",
        {
            "held": held,
            "fetches": fetches[:300],
            "may_decide": permissions.may_decide_snapshots(request.user),
            "form": DecisionForm(),
            "urls": [
                (slug, watching.without_credentials(url))
                for slug, url in sorted(settings.CIVWATCH_WATCH_URLS.items())
            ],
            "every": settings.CIVWATCH_WATCH_EVERY_MINUTES,
        },
    )


@permissions.role_required(permissions.SNAPSHOT_DECIDER_ROLE)
@require_POST
def decide_held(request, pk: int):
    fetch = get_object_or_404(Fetch, pk=pk, status=Fetch.Status.HELD)
    form = DecisionForm(request.POST)
    if not form.is_valid() or fetch.decision:
        messages.error(request, _("Choose one of the decisions offered (or it was already made)."))
        return redirect("registers_watch")
    with transaction.atomic():
        watching.decide(fetch, form.cleaned_data["decision"], request.user)
        job = enqueue_job(
            "register-decision",
            title=f"Decision on the {fetch.register_id} snapshot of {fetch.fetched_at:%Y-%m-%d}",
            params={"register": fetch.register_id},
            user=request.user,
        )
    return redirect(job)
