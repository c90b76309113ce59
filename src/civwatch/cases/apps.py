from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "civwatch.cases"
    verbose_name = _("Cases and incidents")

    def ready(self) -> None:
        # Importing the module registers `civwatch import ovdinfo-detentions`.
        from civwatch.cases import importers  # noqa: F401
