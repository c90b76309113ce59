import re

from django import forms
from django.utils.translation import gettext_lazy as _

from civwatch.core.namesearch import name_field
from civwatch.sanctions.models import CASES, REGISTERS, BirthDates, Dataset, Link

ANY = ("", _("any"))
LINK_ID = re.compile(r"[0-9]{1,12}")
# Score bands for the staff page, aligned with xref's thresholds (0.95 with no birth date to
# compare, 0.80 with a year, 0.65 with a whole date): code -> (lowest, below), label.
SCORE_BANDS = {
    "high": ((0.95, None), _("0.95 and above")),
    "middle": ((0.80, 0.95), _("0.80 to 0.95")),
    "low": ((None, 0.80), _("below 0.80")),
}
LINK_ORDERS = {
    "status": (("status", "-score", "pk"), _("proposed first, then by score")),
    "-score": (("-score", "pk"), _("highest score first")),
    "score": (("score", "pk"), _("lowest score first")),
}


class EntrySearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=200)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=200)
    programme = forms.CharField(label=_("Programme"), required=False, max_length=100)


class LinkFilterForm(forms.Form):
    """The staff links page's filters: GET parameters, except the name (core.namesearch)."""

    name = name_field()
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[ANY, *Link.Status.choices]
    )
    dataset = forms.ChoiceField(label=_("List"), required=False)
    programme = forms.CharField(label=_("Programme"), required=False, max_length=100)
    score = forms.ChoiceField(
        label=_("Score"), required=False,
        choices=[ANY, *((code, label) for code, (_band, label) in SCORE_BANDS.items())],
    )  # fmt: skip
    birth_dates = forms.ChoiceField(
        label=_("Birth dates"), required=False, choices=[ANY, *BirthDates.choices]
    )
    sort = forms.ChoiceField(
        label=_("Order"), required=False,
        choices=[(code, label) for code, (_fields, label) in LINK_ORDERS.items()],
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = [
            ANY,
            *Dataset.objects.values_list("slug", "title"),
            (REGISTERS, _("state registers")),
            (CASES, _("case records")),
        ]

    def filters(self) -> dict:
        """Keyword arguments for queries.filter_links; nothing filtered when invalid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "name": data["name"],
            "status": data["status"],
            "dataset": data["dataset"],
            "programme": data["programme"],
            "score": SCORE_BANDS[data["score"]][0] if data["score"] else None,
            "birth_dates": data["birth_dates"],
        }

    def ordering(self) -> tuple[str, ...]:
        sort = self.cleaned_data.get("sort") if self.is_valid() else ""
        return LINK_ORDERS[sort or "status"][0]


class BulkDecisionForm(forms.Form):
    """Confirm or reject the ticked links, or every link the page's filter selects."""

    status = forms.ChoiceField(
        choices=[(s, s) for s in (Link.Status.CONFIRMED, Link.Status.REJECTED)]
    )
    link = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    everything = forms.BooleanField(required=False)
    # How many links the page said the filter selects: "all N" means those N.
    count = forms.IntegerField(required=False, min_value=0)
    query = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Ids are checked against what the user may see in the view, not here.
        self.fields["link"].valid_value = lambda value: bool(LINK_ID.fullmatch(str(value)))

    def clean(self):
        data = super().clean()
        if not data.get("everything") and not data.get("link"):
            raise forms.ValidationError(
                _("Tick the links to decide, or “all matching this filter”.")
            )
        return data


class DecisionForm(forms.Form):
    status = forms.ChoiceField(choices=Link.Status.choices)
