"""Forms of the editors' intake pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civwatch.accounts import permissions
from civwatch.cases.forms import DateInput
from civwatch.cases.models import Incident
from civwatch.core.records import Visibility
from civwatch.core.uploads import validate_upload_size
from civwatch.evidence.models import EvidenceItem
from civwatch.intake.models import ArticleMention

PASTED_NAME = "pasted.txt"


class ArticleForm(forms.Form):
    upload = forms.FileField(
        label=_("article file (HTML, PDF or plain text; at most 20 MB)"),
        required=False,
        validators=[validate_upload_size],
    )
    pasted = forms.CharField(
        label=_("or paste the article's text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    title = forms.CharField(label=_("title"), max_length=500)
    source = forms.CharField(label=_("source (publisher or origin)"), max_length=300)
    url = forms.URLField(label=_("address"), required=False, max_length=2000, assume_scheme="https")
    published_on = forms.DateField(label=_("published on"), required=False, widget=DateInput)
    obtained_how = forms.CharField(
        label=_("how it was obtained"), widget=forms.Textarea(attrs={"rows": 2})
    )
    obtained_on = forms.DateField(label=_("obtained on"), widget=DateInput)
    incident = forms.ModelChoiceField(
        label=_("collected for incident"), queryset=Incident.objects.all(), required=False
    )
    reliability = forms.ChoiceField(
        label=_("source reliability"), choices=EvidenceItem.Reliability.choices, initial="F"
    )
    credibility = forms.ChoiceField(
        label=_("information credibility"), choices=EvidenceItem.Credibility.choices, initial="6"
    )
    visibility = forms.ChoiceField(
        label=_("visibility"), choices=Visibility.choices, initial=Visibility.INTERNAL
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = permissions.readable(user, Incident.objects.all())

    def clean(self):
        data = super().clean()
        upload, pasted = data.get("upload"), data.get("pasted", "")
        if bool(upload) == bool(pasted.strip()):
            raise forms.ValidationError(_("Give either a file or the pasted text."))
        return data

    def article(self) -> tuple[str, bytes]:
        """The file name and the bytes to keep as the original."""
        upload = self.cleaned_data["upload"]
        if upload:
            return upload.name, upload.read()
        return PASTED_NAME, self.cleaned_data["pasted"].encode("utf-8")

    def evidence_fields(self) -> dict:
        data = self.cleaned_data
        keep = ("title", "source", "published_on", "obtained_how", "obtained_on", "incident")
        return {
            **{name: data[name] for name in keep},
            "url": data["url"] or "",
            "reliability": data["reliability"],
            "credibility": data["credibility"],
            "visibility": data["visibility"],
            "kind": EvidenceItem.Kind.FILE,
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (ArticleMention.Decision.CONFIRMED, _("confirm")),
            (ArticleMention.Decision.REJECTED, _("reject")),
        ]
    )


class PassageClaimForm(forms.Form):
    """A claim on an incident citing a passage of the article's extracted text."""

    incident = forms.ModelChoiceField(label=_("incident"), queryset=Incident.objects.all())
    statement = forms.CharField(label=_("statement"), widget=forms.Textarea(attrs={"rows": 3}))
    passage = forms.CharField(
        label=_("passage (copied from the text above)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visibility = forms.ChoiceField(
        label=_("visibility"), choices=Visibility.choices, initial=Visibility.INTERNAL
    )

    def __init__(self, *args, text: str, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.text = text
        self.fields["incident"].queryset = permissions.readable(user, Incident.objects.all())

    def clean_passage(self) -> str:
        passage = " ".join(self.cleaned_data["passage"].split())
        if passage not in " ".join(self.text.split()):
            raise forms.ValidationError(_("The passage must be copied from the article's text."))
        return passage
