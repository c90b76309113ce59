"""People and organisations, with their names in every script and their identifiers.

Every other part of civwatch (registers, cases, sanctions lists) points at these rows.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from civwatch.matching import search_key, to_latin


class EntityQuerySet(models.QuerySet):
    def listed(self) -> "EntityQuerySet":
        """Entities a public list names: register designations and the members they list.

        An entity known only from a case record (a victim, a witness) is not among them: the
        public pages, the public API and screening show listed entities only.
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
    name = models.CharField(_("name"), max_length=1000)
    name_latin = models.CharField(_("name in Latin script"), max_length=1000, blank=True)
    search_text = models.TextField(blank=True, editable=False)
    birth_date = models.CharField(_("birth date"), max_length=10, blank=True)
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

    def index_names(self, names: list[str]) -> None:
        """Index every name in both its own script and Latin, so either script finds it."""
        keys = dict.fromkeys(k for n in names for k in (search_key(n), n.casefold()) if k)
        self.search_text = " | ".join(keys)
        self.name_latin = to_latin(self.name)


class EntityName(models.Model):
    class Kind(models.TextChoices):
        PRIMARY = "primary", _("name")
        FORMER = "former", _("former name")
        ALIAS = "alias", _("other name")
        PSEUDONYM = "pseudonym", _("pseudonym")

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=1000)
    kind = models.CharField(max_length=16, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "name", "kind"], name="unique_entity_name")
        ]

    def __str__(self) -> str:
        return self.name


class Identifier(models.Model):
    class Scheme(models.TextChoices):
        INN = "inn", _("INN (taxpayer number)")
        OGRN = "ogrn", _("OGRN (state registration number)")
        SNILS = "snils", _("SNILS (insurance number)")
        REG_NUM = "reg_num", _("registration number")

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=16, choices=Scheme.choices)
    value = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "scheme", "value"], name="unique_identifier")
        ]
        indexes = [models.Index(fields=["scheme", "value"])]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()}: {self.value}"


class Website(models.Model):
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="websites")
    url = models.CharField(max_length=2000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "url"], name="unique_website")]

    def __str__(self) -> str:
        return self.url
