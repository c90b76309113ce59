from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReleasesConfig(AppConfig):
    name = "civwatch.releases"
    verbose_name = _("Open-data releases")
