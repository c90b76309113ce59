from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "civwatch.accountability"
    verbose_name = _("Accountability list")

    def ready(self) -> None:
        # Registers `civwatch export accountability` and the dossier job kind.
        from civwatch.accountability import exporters, jobs  # noqa: F401
