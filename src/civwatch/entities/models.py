"""People and organisations, with their names in every script and their identifiers.

Every other part of civwatch (registers, cases, sanctions lists) points at these rows.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from civwatch.core.crypto import EncryptedCharField, blind_index
from civwatch.matching import search_key, to_latin


class EntityQuerySet(models.QuerySet):
    def listed(self) -> "EntityQuerySet":
        """Entities a public list names: register designations and the members they list.

        An entity known only from a case record (a victim, a witness) is not among them: the
        public pages and the public API show listed entities only; screening adds the
        imported lists and the published accountability list (civwatch.screening.lists).
        """
        return self.filter(
            models.Q(designations__isnull=False) | models.Q(member_of__designations__isnull=False)
        ).distinct()


class Entity(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANIZATION = "organization", _("Organisation")
        ASSOCIATION = "association", _("Unregistered association")
        MEDIA = "media", _("Media outlet")

    # FollowTheMoney schema for each kind: FtM has no separate schema for media or
    # unregistered associations, both are organisations there.
    FTM_SCHEMA = {
        Kind.PERSON: "Person",
        Kind.ORGANIZATION: "Organization",
        Kind.ASSOCIATION: "Organization",
        Kind.MEDIA: "Organization",
    }

    id = models.CharField(max_length=64, primary_key=True)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    # A person or organisation known only from case records (a victim, a witness, a judge
    # named in a confidential incident) rather than from a public register or list: their
    # names and identifiers are stored encrypted, and found through name_index.
    confidential = models.BooleanField(_("known only from case records"), default=False)
    name = EncryptedCharField(_("name"), max_length=1000, only_if="encrypts_values")
    name_latin = EncryptedCharField(
        _("name in Latin script"), max_length=1000, blank=True, only_if="encrypts_values"
    )
    # Search keys in plain text, for listed entities only (empty when confidential).
    search_text = models.TextField(blank=True, editable=False)
    # Keyed blind index of a confidential entity's name keys (civwatch.core.crypto).
    name_index = models.TextField(blank=True, editable=False)
    birth_date = EncryptedCharField(
        _("birth date"), max_length=10, blank=True, only_if="encrypts_values"
    )
    country = models.CharField(_("country"), max_length=100, blank=True)
    members = models.ManyToManyField(
        "self", symmetrical=False, related_name="member_of", blank=True, verbose_name=_("members")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registers:entity", args=[self.id])

    @property
    def schema(self) -> str:
        return self.FTM_SCHEMA[self.kind]

    def encrypts_values(self) -> bool:
        return self.confidential

    def index_names(self, names: list[str]) -> None:
        """Index every name in both its own script and Latin, so either script finds it.

        A confidential entity gets keyed blind tokens of the same keys instead of the keys."""
        keys = dict.fromkeys(k for n in names for k in (search_key(n), n.casefold()) if k)
        if self.confidential:
            self.search_text, self.name_index = "", blind_index(keys)
        else:
            self.search_text, self.name_index = " | ".join(keys), ""
        self.name_latin = to_latin(self.name)


def confidential_named(name: str, kind: str | None = None) -> models.QuerySet:
    """Confidential entities with this name (same search key), found by blind index."""
    key = search_key(name) or name.casefold()
    token = blind_index([key])
    if not token:
        return Entity.objects.none()
    found = Entity.objects.filter(confidential=True, name_index__contains=token)
    return found.filter(kind=kind) if kind else found


def listed_named(text: str, prefix: str = "") -> models.Q:
    """A condition on listed entities (reached through `prefix`, e.g. "entity__") whose names
    contain `text`, typed in either script (their search keys; a part of a name is enough)."""
    field = f"{prefix}search_text__contains"
    condition = models.Q(**{field: text.casefold().strip()})
    key = search_key(text)
    return condition | models.Q(**{field: key}) if key else condition


def named_like(text: str, prefix: str = "") -> models.Q:
    """A condition on entities named like `text`, typed in either script: listed entities as
    `listed_named`, confidential ones by the blind index (the whole name's key)."""
    confidential = models.Q(**{f"{prefix}pk__in": confidential_named(text).values("pk")})
    return listed_named(text, prefix) | confidential


class OfEntity:
    """Rows that belong to an entity are encrypted when the entity is."""

    def encrypts_values(self) -> bool:
        entity = self._state.fields_cache.get("entity")
        if entity is None:
            return Entity.objects.filter(pk=self.entity_id, confidential=True).exists()
        return entity.confidential


class EntityName(OfEntity, models.Model):
    class Kind(models.TextChoices):
        PRIMARY = "primary", _("name")
        FORMER = "former", _("former name")
        ALIAS = "alias", _("other name")
        PSEUDONYM = "pseudonym", _("pseudonym")

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="names")
    name = EncryptedCharField(max_length=1000, only_if="encrypts_values")
    kind = models.CharField(max_length=16, choices=Kind.choices)

    class Meta:
        # Exports list an entity's names, identifiers and websites in the order they were
        # recorded: without an order, PostgreSQL returns rows in their physical order, which an
        # update or a restore changes, and the same data would export differently.
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "name", "kind"], name="unique_entity_name")
        ]

    def __str__(self) -> str:
        return self.name


class Identifier(OfEntity, models.Model):
    class Scheme(models.TextChoices):
        INN = "inn", _("INN (taxpayer number)")
        OGRN = "ogrn", _("OGRN (state registration number)")
        SNILS = "snils", _("SNILS (insurance number)")
        REG_NUM = "reg_num", _("registration number")

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=16, choices=Scheme.choices)
    value = EncryptedCharField(max_length=64, only_if="encrypts_values")

    class Meta:
        ordering = ["id"]  # see EntityName
        constraints = [
            models.UniqueConstraint(fields=["entity", "scheme", "value"], name="unique_identifier")
        ]
        indexes = [models.Index(fields=["scheme", "value"])]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()}: {self.value}"


class Website(OfEntity, models.Model):
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="websites")
    url = EncryptedCharField(max_length=2000, only_if="encrypts_values")

    class Meta:
        ordering = ["id"]  # see EntityName
        constraints = [models.UniqueConstraint(fields=["entity", "url"], name="unique_website")]

    def __str__(self) -> str:
        return self.url
