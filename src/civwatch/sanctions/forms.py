from django import forms
from django.utils.translation import gettext_lazy as _

from civwatch.sanctions.models import Link


class EntrySearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=200)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=200)
    programme = forms.CharField(label=_("Programme"), required=False, max_length=100)


class LinkFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any")), *Link.Status.choices]
    )
    dataset = forms.CharField(label=_("Dataset"), required=False, max_length=64)
    q = forms.CharField(label=_("Name"), required=False, max_length=200)


class DecisionForm(forms.Form):
    status = forms.ChoiceField(choices=Link.Status.choices)
