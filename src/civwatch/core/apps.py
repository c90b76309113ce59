from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civwatch.core"
    verbose_name = "civwatch"

    def ready(self) -> None:
        from civwatch.core import audit

        audit.connect()
