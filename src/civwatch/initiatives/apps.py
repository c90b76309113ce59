from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "civwatch.initiatives"
    verbose_name = _("Citizens' initiatives")

    def ready(self) -> None:
        from civwatch.initiatives import exporters  # noqa: F401
