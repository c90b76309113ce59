from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "civwatch.accounts"
    verbose_name = _("Accounts and API tokens")

    def ready(self) -> None:
        # Authenticators are enrolled on our own pages and reset with `civwatch users
        # reset-second-factor`; django-otp's admin pages for them would show every secret key
        # to any admin and answer a missing device with a server error.
        from django.contrib import admin
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from civwatch.accounts import security  # noqa: F401 -- connects the sign-in signals
        from civwatch.accounts.models import forget_role

        m2m_changed.connect(forget_role, sender=get_user_model().groups.through)

        if admin.site.is_registered(TOTPDevice):
            admin.site.unregister(TOTPDevice)
