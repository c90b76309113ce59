"""Sign-in forms: the password step is Django's own form; the code step is ours."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Django's form, so the password goes through authenticate() (lockout, signals)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The user name and password do not match. Both are case-sensitive. Repeated "
            "failures lock sign-in for a while."
        ),
    }


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
