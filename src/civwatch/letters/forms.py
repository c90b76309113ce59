"""Forms of the letters app: the public signing form and the editors' forms."""

from __future__ import annotations

from django import forms
from django.conf import locale
from django.utils.translation import gettext_lazy as _

from civwatch.letters import countries
from civwatch.letters.models import (
    Delivery,
    Display,
    Letter,
    LetterVersion,
    LinkPurpose,
    Reply,
    VerificationState,
)
from civwatch.letters.signing import host_of


class SignForm(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=300)
    country = forms.ChoiceField(label=_("Country"), choices=())
    website = forms.URLField(
        label=_("Organisation's website"),
        max_length=300,
        assume_scheme="https",
        help_text=_("An e-mail address at this website's domain confirms the signature."),
    )
    signer_name = forms.CharField(label=_("Your name"), max_length=200)
    signer_role = forms.CharField(label=_("Your role in the organisation"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_(
            "Never published. At the organisation's domain you get a confirmation link; "
            "at any other address an editor checks the signature by other means."
        ),
    )
    display = forms.ChoiceField(
        label=_("How your organisation appears"),
        choices=Display.choices,
        widget=forms.RadioSelect,
        initial=Display.PUBLIC,
    )

    def __init__(self, *args, letter: Letter, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.letter = letter
        self.fields["country"].choices = [("", "—"), *countries.choices()]

    def clean_website(self) -> str:
        website = self.cleaned_data["website"]
        host = host_of(website)
        if "." not in host:
            raise forms.ValidationError(_("Give the address of the organisation's website."))
        return website

    def clean(self) -> dict:
        data = super().clean()
        website = data.get("website")
        if (
            website
            and self.letter.signatures.filter(
                domain=host_of(website), state=VerificationState.VERIFIED
            ).exists()
        ):
            raise forms.ValidationError(
                _("An organisation with this website has already signed this letter.")
            )
        return data


class ManageForm(forms.Form):
    """A signer asks for a link again: the organisation's website and the address that
    signed identify the signature; the link goes to that address."""

    website = forms.URLField(label=_("Organisation's website"), max_length=300,
                             assume_scheme="https")  # fmt: skip
    email = forms.EmailField(label=_("The e-mail address you signed with"), max_length=254)
    purpose = forms.ChoiceField(
        label=_("Send me"),
        choices=[
            (LinkPurpose.CONFIRM, _("the confirmation link again")),
            (LinkPurpose.WITHDRAW, _("a link to withdraw the signature")),
        ],
        widget=forms.RadioSelect,
        initial=LinkPurpose.CONFIRM,
    )


# Addresses under /letters/ that a letter's slug would shadow.
RESERVED_SLUGS = {"staff", "confirm"}


class LetterForm(forms.ModelForm):
    class Meta:
        model = Letter
        fields = ["slug", "addressees", "signing_opens", "signing_closes", "delivery_date"]
        widgets = {
            "signing_opens": forms.DateInput(attrs={"type": "date"}),
            "signing_closes": forms.DateInput(attrs={"type": "date"}),
            "delivery_date": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This short name is taken by a page of the site."))
        return slug

    def clean(self) -> dict:
        data = super().clean()
        opens, closes = data.get("signing_opens"), data.get("signing_closes")
        if opens and closes and closes < opens:
            raise forms.ValidationError(_("Signing cannot close before it opens."))
        return data


class VersionForm(forms.ModelForm):
    class Meta:
        model = LetterVersion
        fields = ["language", "title", "text"]

    def clean_language(self) -> str:
        code = self.cleaned_data["language"].strip().lower()
        if code not in locale.LANG_INFO:
            raise forms.ValidationError(_("Unknown language code: use one such as en, ru, de."))
        return code


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (VerificationState.VERIFIED, _("Verified")),
            (VerificationState.REJECTED, _("Rejected")),
            (VerificationState.WITHDRAWN, _("Withdrawn at the organisation's request")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("How it was checked"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeliveryForm(forms.ModelForm):
    class Meta:
        model = Delivery
        fields = ["version", "delivered_on", "recipient", "channel", "note"]
        widgets = {"delivered_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, letter: Letter, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = letter.versions.all()


class ReplyForm(forms.ModelForm):
    class Meta:
        model = Reply
        fields = ["received_on", "sender", "summary", "note"]
        widgets = {"received_on": forms.DateInput(attrs={"type": "date"})}
