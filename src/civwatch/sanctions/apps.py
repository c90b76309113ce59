from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SanctionsConfig(AppConfig):
    name = "civwatch.sanctions"
    verbose_name = _("Sanctions and external lists")

    def ready(self) -> None:
        # Importing these registers the `import` sub-commands and the xref job kind.
        from civwatch.sanctions import importers, jobs  # noqa: F401
