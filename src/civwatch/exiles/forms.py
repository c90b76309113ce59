"""Staff forms of exile files. Plain forms: the encrypted values are set through the model's
attributes, never through SQL."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from civwatch.accounts.models import has_role
from civwatch.exiles.models import (
    ISO_COUNTRY,
    ISO_CURRENCY,
    Channel,
    ConsentMethod,
    ConsentPurpose,
    ExileFile,
    StayStatus,
    SupportKind,
    is_public_entity,
)

DATE = forms.DateInput(attrs={"type": "date"})


class FileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    contact = forms.CharField(label=_("Contact"), max_length=500, required=False)
    country = forms.CharField(label=_("Country of residence (ISO code)"), max_length=2)
    city = forms.CharField(label=_("City (optional)"), max_length=200, required=False)
    stay_status = forms.ChoiceField(label=_("Status of stay"), choices=StayStatus.choices)
    needs = forms.CharField(label=_("Needs"), widget=forms.Textarea, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)
    review_on = forms.DateField(label=_("Review date"), required=False, widget=DATE)
    entity = forms.CharField(
        label=_("Public entity id (only a person on a public list)"), max_length=100,
        required=False,
    )  # fmt: skip

    cases = forms.CharField(
        label=_("Cases that forced the departure (ids, comma-separated)"), max_length=500,
        required=False,
    )  # fmt: skip
    incidents = forms.CharField(
        label=_("Incidents that forced the departure (ids, comma-separated)"), max_length=500,
        required=False,
    )  # fmt: skip

    def _ids(self, name: str) -> list[str]:
        ids = [part.strip() for part in self.cleaned_data[name].split(",") if part.strip()]
        if not all(part.isdigit() and len(part) < 19 for part in ids):
            raise forms.ValidationError(_("Give record numbers separated by commas."))
        return ids

    def clean_cases(self) -> list[str]:
        return self._ids("cases")

    def clean_incidents(self) -> list[str]:
        return self._ids("incidents")

    def clean_country(self) -> str:
        # Upper-cased before the check: "ge" is what people type for Georgia.
        value = self.cleaned_data["country"].upper()
        ISO_COUNTRY(value)
        return value

    def clean_entity(self) -> str:
        value = self.cleaned_data["entity"].strip()
        if value and not is_public_entity(value):
            raise forms.ValidationError(_("No person on a public list has this id."))
        return value

    def apply(self, record: ExileFile) -> ExileFile:
        data = self.cleaned_data
        for name in ("name", "contact", "city", "needs", "notes"):
            setattr(record, name, data[name])
        record.country, record.stay_status = data["country"], data["stay_status"]
        record.review_on = data["review_on"]
        record.entity_id = data["entity"] or None
        return record

    def links(self, record: ExileFile, user: Any) -> None:
        """Link the cases and incidents named (after saving). Naming one the user may not
        read is a 404, like any write that refers to an unreadable record."""
        from civwatch.accounts import permissions
        from civwatch.cases.models import Case, Incident

        for name, model in (("cases", Case), ("incidents", Incident)):
            ids = self.cleaned_data[name]
            permissions.require_readable(user, model.objects.all(), ids)
            # Links to records this user cannot read (another caseworker's) stay as they are.
            unreadable = getattr(record, name).exclude(
                pk__in=permissions.readable(user, model.objects.all()).values("pk")
            )
            getattr(record, name).set([*unreadable, *model.objects.filter(pk__in=ids)])

    @classmethod
    def initial_of(cls, record: ExileFile) -> dict[str, Any]:
        names = ("name", "contact", "city", "needs", "notes", "country", "stay_status")
        initial = {name: getattr(record, name) for name in names}
        return {**initial, "review_on": record.review_on, "entity": record.entity_id or ""}

    @classmethod
    def initial_links(cls, record: ExileFile, user: Any) -> dict[str, str]:
        from civwatch.accounts import permissions

        return {
            name: ", ".join(
                str(pk)
                for pk in permissions.readable(user, getattr(record, name).all()).values_list(
                    "pk", flat=True
                )
            )
            for name in ("cases", "incidents")
        }


class SupportActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SupportKind.choices)
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    currency = forms.CharField(label=_("Currency (ISO 4217)"), max_length=3, required=False)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    provided_on = forms.DateField(label=_("Provided on"), required=False, widget=DATE)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea, required=False)

    def clean_currency(self) -> str:
        value = self.cleaned_data["currency"].upper()
        if value:
            ISO_CURRENCY(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("amount") is not None and not data.get("currency"):
            self.add_error("currency", _("Give the currency of the amount."))
        if data.get("currency") and data.get("amount") is None:
            self.add_error("amount", _("A currency needs an amount."))
        return data


class ConsentForm(forms.Form):
    scope = forms.CharField(label=_("What the person agreed to"), widget=forms.Textarea)
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"), choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    method = forms.ChoiceField(label=_("How given"), choices=ConsentMethod.choices)
    given_on = forms.DateField(label=_("Given on"), widget=DATE)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        given, expires = data.get("given_on"), data.get("expires_on")
        if given and expires and expires < given:
            self.add_error("expires_on", _("A consent cannot expire before it was given."))
        return data


class AssignForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    remove = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_username(self) -> Any:
        user = get_user_model().objects.filter(username=self.cleaned_data["username"]).first()
        if user is None or not user.is_active or not has_role(user, "contributor"):
            raise forms.ValidationError(_("No active staff member has this user name."))
        return user


class HelpRequestForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    summary = forms.CharField(label=_("Request"), widget=forms.Textarea)
    contact = forms.CharField(label=_("Contact"), max_length=500, required=False)
