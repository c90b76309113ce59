from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "civwatch.core"
    verbose_name = "civwatch"

    def ready(self) -> None:
        checks.register(check_master_key, "security", deploy=False)


def check_master_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse to start (serve, migrate, imports) without a usable master key."""
    from django.core.exceptions import ImproperlyConfigured

    from civwatch.core.crypto import load_keyring

    try:
        load_keyring()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="civwatch.E001")]
    return []
