"""Forms of the public submission, the receipt-code pages and the reviewers' decisions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civwatch.core.errors import UserError
from civwatch.core.uploads import upload_validator
from civwatch.initiatives import workflow
from civwatch.initiatives.models import Initiative, SupportAction


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several images or PDFs, each checked by the project's one upload validator."""

    widget = MultipleFileInput
    # The size rule, before a file is read; its content is checked in clean().
    default_validators = [upload_validator()]

    def clean(self, data: Any, initial: Any = None) -> list[tuple[str, bytes]]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            return []
        if len(files) > workflow.MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("At most %(count)s files may be attached."),
                params={"count": workflow.MAX_ATTACHMENTS},
            )
        cleaned = []
        for upload in files:
            upload = super().clean(upload, initial)  # runs the validators on this file
            data_bytes = upload.read()
            try:
                workflow.check_attachment(upload.name, data_bytes)
            except UserError as error:
                raise forms.ValidationError(str(error)) from None
            cleaned.append((upload.name, data_bytes))
        return cleaned


class SubmissionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of action"), choices=Initiative.Kind.choices)
    city = forms.CharField(label=_("City"), max_length=200)
    date = forms.DateField(
        label=_("Date of the action"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("YYYY-MM-DD"),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        help_text=_("What is planned, and what kind of support would help."),
    )
    address = forms.CharField(
        label=_("Exact place (optional)"),
        max_length=500,
        required=False,
        help_text=_("Never published unless you tick the box below."),
    )
    address_public = forms.BooleanField(
        label=_("The exact place may be published if the initiative is supported"),
        required=False,
    )
    organisers_contact = forms.CharField(
        label=_("How to reach the organisers (optional, confidential)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
        help_text=_("Encrypted, and read only by the editors. You can also stay anonymous."),
    )
    attachments = AttachmentsField(
        label=_("Photos or PDF documents (optional)"),
        required=False,
        help_text=_(
            "JPEG, PNG or PDF, up to 20 MB each. Location, camera and author details are "
            "removed from the copy our reviewers work with."
        ),
    )

    def initiative_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = ("kind", "city", "date", "description", "address", "address_public",
                 "organisers_contact")  # fmt: skip
        fields = {name: data[name] for name in names}
        fields["address_public"] = bool(data["address"]) and data["address_public"]
        return fields


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class AnswerForm(CodeForm):
    code = forms.CharField(widget=forms.HiddenInput, max_length=80)
    text = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class MoveForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=Initiative.Status.choices)
    reason = forms.CharField(
        label=_("Reason (shown to the submitter; required to decline)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Question for the submitter"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class SupportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Support"), choices=SupportAction.Kind.choices)
    note = forms.CharField(
        label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000,
        required=False,
    )  # fmt: skip


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Initiative.Outcome.choices, required=False
    )
    note = forms.CharField(
        label=_("Note on the outcome"), widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000, required=False,
    )  # fmt: skip
    incident = forms.IntegerField(
        label=_("Incident documented (id)"), required=False, min_value=1, max_value=2**31 - 1
    )


class PublishForm(forms.Form):
    published = forms.BooleanField(label=_("Show on the public page"), required=False)


class HoldForm(forms.Form):
    legal_hold = forms.BooleanField(
        label=_("Legal hold: keep the submitter's traces past the retention period"),
        required=False,
    )
