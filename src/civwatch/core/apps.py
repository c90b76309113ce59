from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civwatch.core"
    verbose_name = "civwatch"
