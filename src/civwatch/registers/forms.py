"""The filter forms behind the pages' GET parameters: bad input becomes a form error, not a 500."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civwatch.entities.models import Entity
from civwatch.registers.models import Change, Designation, LegalBasis, Register

ANY = ("", _("any"))


def register_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        Register.objects.all(),
        label=_("Register"),
        required=False,
        to_field_name="slug",
        empty_label=_("all registers"),
    )


class DesignationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Cyrillic or Latin"), "type": "search"}),
    )
    register = register_field()
    legal_basis = forms.ModelChoiceField(
        LegalBasis.objects.all(),
        label=_("Legal basis"),
        required=False,
        to_field_name="code",
        empty_label=_("any"),
    )
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[ANY, *Entity.Kind.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[ANY, *Designation.Status.choices]
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


class RegisterForm(forms.Form):
    register = register_field()

    def register_or_none(self) -> str | None:
        if not self.is_valid() or not self.cleaned_data["register"]:
            return None
        return self.cleaned_data["register"].slug


class ChangeKindForm(forms.Form):
    kind = forms.ChoiceField(label=_("Change"), required=False, choices=[ANY, *Change.Kind.choices])

    def kind_or_none(self) -> str | None:
        return (self.cleaned_data["kind"] or None) if self.is_valid() else None


class ChangeFilterForm(RegisterForm, ChangeKindForm):
    field_order = ["register", "kind"]
