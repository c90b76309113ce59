"""Roles (Django groups, ordered by what they may do) and API tokens stored only as hashes."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.utils.translation import gettext_lazy as _

# Each role may do everything the roles before it may do.
ROLES = ("contributor", "researcher", "editor", "admin")


def role_rank(user: AbstractBaseUser | AnonymousUser | None) -> int:
    """0 for the public, 1 contributor, 2 researcher, 3 editor, 4 admin."""
    if user is None or not user.is_authenticated or not user.is_active:
        return 0
    if user.is_superuser:
        return len(ROLES)
    names = set(user.groups.values_list("name", flat=True))
    return max((ROLES.index(name) + 1 for name in names if name in ROLES), default=0)


def has_role(user: AbstractBaseUser | AnonymousUser | None, role: str) -> bool:
    return role_rank(user) >= ROLES.index(role) + 1


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # A leaked database must not leak usable tokens: only the hash is kept.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token #{self.pk} of {self.user}"

    @classmethod
    def issue(cls, user: AbstractBaseUser) -> str:
        """Create a token and return it in clear text, the only time it is ever visible."""
        raw = secrets.token_urlsafe(32)
        cls.objects.create(user=user, token_hash=hash_token(raw))
        return raw

    @classmethod
    def user_for(cls, raw: str) -> AbstractBaseUser | None:
        token = cls.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
        if token is None or not token.user.is_active:
            return None
        return token.user
