"""Staff pages: uploading register snapshots, applied by a background job."""

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from civwatch.core.uploads import upload_validator
from civwatch.jobs.runner import enqueue_job
from civwatch.registers.importing import SUSPECT_POLICIES
from civwatch.registers.models import Register

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
