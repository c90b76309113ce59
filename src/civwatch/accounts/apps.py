from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "civwatch.accounts"
    verbose_name = _("Accounts and API tokens")

    def ready(self) -> None:
        from civwatch.accounts import security  # noqa: F401 -- connects the sign-in signals
