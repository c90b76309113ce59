from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "civwatch.registers"
    verbose_name = _("State registers")

    def ready(self) -> None:
        from civwatch.registers import importers  # noqa: F401  (registers the sub-commands)
