"""Template helpers for the language switch."""

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url

register = template.Library()


@register.simple_tag
def default_language_path(request: HttpRequest) -> str:
    """The current page's address in the default language, as `next` for set_language.

    set_language runs outside i18n_patterns, so in the default language, and can only
    translate a `next` that resolves there: "/ru/statistics/" would not, "/statistics/" does.
    """
    return translate_url(request.get_full_path(), settings.LANGUAGE_CODE)
