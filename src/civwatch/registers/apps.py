from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "civwatch.registers"
    verbose_name = _("State registers")

    def ready(self) -> None:
        # Importing these modules registers the `import` and `export` sub-commands, and the
        # job kinds of importing and watching (with the watch's schedule).
        from civwatch.registers import exporters, importers, watching  # noqa: F401
