"""Roles (Django groups, ordered by what they may do) and API tokens stored only as hashes."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.utils.translation import gettext_lazy as _

# Each role may do everything the roles before it may do.
ROLES = ("contributor", "researcher", "editor", "admin")
ROLE_RANK_CACHE = "_civwatch_role_rank"


def role_rank(user: AbstractBaseUser | AnonymousUser | None) -> int:
    """0 for the public, 1 contributor, 2 researcher, 3 editor, 4 admin."""
    if user is None or not user.is_authenticated or not user.is_active:
        return 0
    if user.is_superuser:
        return len(ROLES)
    # A staff page asks this dozens of times (every record and field it shows goes through
    # the access policy), so the answer is kept on the user object: a request loads its user
    # afresh, and a change of groups through the user clears it (forget_role, below).
    rank = user.__dict__.get(ROLE_RANK_CACHE)
    if rank is None:
        names = set(user.groups.values_list("name", flat=True))
        rank = max((ROLES.index(name) + 1 for name in names if name in ROLES), default=0)
        user.__dict__[ROLE_RANK_CACHE] = rank
    return rank


def forget_role(sender, instance, **kwargs) -> None:
    """Groups changed through a user (`user.groups.add(...)`): its kept rank is stale."""
    instance.__dict__.pop(ROLE_RANK_CACHE, None)


def has_role(user: AbstractBaseUser | AnonymousUser | None, role: str) -> bool:
    return role_rank(user) >= ROLES.index(role) + 1


def holders_of(role: str) -> models.QuerySet:
    """The active users who have `role` or a higher one (the same rule as has_role)."""
    from django.contrib.auth import get_user_model

    higher = ROLES[ROLES.index(role) :]
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(models.Q(is_superuser=True) | models.Q(groups__name__in=higher)).distinct()


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


class SessionEpoch(models.Model):
    """A counter per user; every session remembers the value it started under.

    "Sign out everywhere" (and resetting a user's second factor) raises it, which ends every
    session of that user on its next request, whatever the session backend stores."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("session epoch")
        verbose_name_plural = _("session epochs")

    def __str__(self) -> str:
        return f"session epoch {self.value} of user #{self.user_id}"

    @classmethod
    def current(cls, user_id: int) -> int:
        return cls.objects.filter(user_id=user_id).values_list("value", flat=True).first() or 0

    @classmethod
    def advance(cls, user_id: int) -> None:
        """End every session of the user (they see the sign-in page on their next request)."""
        epoch, created = cls.objects.get_or_create(user_id=user_id, defaults={"value": 1})
        if not created:
            cls.objects.filter(pk=epoch.pk).update(value=models.F("value") + 1)


def bearer_user(request) -> AbstractBaseUser | None:
    """The active user of an `Authorization: Bearer TOKEN` header; None without such a header
    or for an unknown, revoked or inactive user's token."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    return ApiToken.user_for(raw.strip())
