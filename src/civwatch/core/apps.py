from django.apps import AppConfig, apps
from django.core import checks
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "civwatch.core"
    verbose_name = "civwatch"

    def ready(self) -> None:
        from civwatch.core import audit
        from civwatch.core.seeding import seed_reference_data

        audit.connect()
        checks.register(check_master_key, "security", deploy=False)

        # post_migrate is sent once per app that has models, after migrate and after flush;
        # tied to one such app, the seeds are written once per run.
        post_migrate.connect(
            seed_reference_data,
            sender=apps.get_app_config("accounts"),
            dispatch_uid="civwatch-seeds",
        )


def check_master_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse to start (serve, migrate, imports) without a usable master key."""
    from django.core.exceptions import ImproperlyConfigured

    from civwatch.core.crypto import load_keyring

    try:
        load_keyring()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="civwatch.E001")]
    return []
