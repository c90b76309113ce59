from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExilesConfig(AppConfig):
    name = "civwatch.exiles"
    verbose_name = _("People forced abroad")
