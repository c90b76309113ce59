from django import forms
from django.utils.translation import gettext_lazy as _

from civwatch.entities.models import Entity
from civwatch.registers.models import Change, Designation, LegalBasis, Register


class DesignationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Cyrillic or Latin"), "type": "search"}),
    )
    register = forms.ModelChoiceField(
        Register.objects.all(), label=_("Register"), required=False, to_field_name="slug"
    )
    legal_basis = forms.ModelChoiceField(
        LegalBasis.objects.all(), label=_("Legal basis"), required=False, to_field_name="code"
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", "—"), *Entity.Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *Designation.Status.choices]
    )
    year = forms.IntegerField(label=_("Listed in"), required=False, min_value=1990, max_value=2100)

    def filters(self) -> dict:
        """Keyword arguments for queries.filter_designations; empty when the form is invalid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data["q"],
            "register": data["register"].slug if data["register"] else None,
            "legal_basis": data["legal_basis"].code if data["legal_basis"] else None,
            "kind": data["kind"] or None,
            "status": data["status"] or None,
            "year": data["year"],
        }


class ChangeFilterForm(forms.Form):
    register = forms.ModelChoiceField(
        Register.objects.all(), label=_("Register"), required=False, to_field_name="slug"
    )
    kind = forms.ChoiceField(
        label=_("Change"), required=False, choices=[("", "—"), *Change.Kind.choices]
    )
