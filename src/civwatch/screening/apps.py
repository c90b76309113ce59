from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "civwatch.screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from civwatch.screening import jobs, signals  # noqa: F401  (registers the job kinds)

        signals.connect()
