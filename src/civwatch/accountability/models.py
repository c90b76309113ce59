"""The accountability list: officials, the acts attributed to them, and what became of them.

An entry is a person (`entities.Entity`) with the acts attributed to them: each act is a
`cases.Participant` row (the person's role and degree of involvement in an incident), and its
evidence is what the claims about that participant cite. Entries reuse the documented-record
machinery (author, approver, history in `cases.Revision`) with their own list of statuses.
"""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civwatch.cases.models import Participant
from civwatch.core.crypto import EncryptedCharField, EncryptedTextField
from civwatch.core.records import (
    CHANGE_APPROVED,
    DocumentedRecord,
    ReviewStatus,
    Revision,
    Visibility,
)
from civwatch.entities.models import Entity
from civwatch.sanctions.models import Jurisdiction


class EntryStatus(models.TextChoices):
    CANDIDATE = "candidate", _("candidate")
    DOCUMENTED = "documented", _("documented")
    VERIFIED = "verified", _("verified")
    PUBLISHED = "published", _("published")
    SUBMITTED = "submitted", _("submitted")
    DESIGNATED = "designated", _("designated")
    REJECTED = "rejected", _("rejected")
    DELISTED = "delisted", _("delisted")


# Once published, an entry stays on the public list whatever governments do with it.
PUBLIC_ENTRY_STATUSES = (
    EntryStatus.PUBLISHED, EntryStatus.SUBMITTED, EntryStatus.DESIGNATED,
    EntryStatus.REJECTED, EntryStatus.DELISTED,
)  # fmt: skip
# A claim's evidence counts for an act once an editor has verified the claim.
VERIFIED_CLAIM_STATUSES = (ReviewStatus.VERIFIED, ReviewStatus.PUBLISHED, ReviewStatus.CORRECTED)


class Entry(DocumentedRecord):
    PUBLIC_FIELDS = ("entity", "summary")
    # Verified and every status after publication: the content was approved by the gate.
    REVIEWED_STATUSES = (EntryStatus.VERIFIED, *PUBLIC_ENTRY_STATUSES)
    APPROVING_ACTIONS = (EntryStatus.VERIFIED, EntryStatus.PUBLISHED, CHANGE_APPROVED)

    status = models.CharField(
        _("status"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.CANDIDATE
    )
    entity = models.OneToOneField(
        Entity, on_delete=models.PROTECT, related_name="accountability_entry",
        verbose_name=_("person"),
    )  # fmt: skip
    summary = EncryptedTextField(_("public summary"), blank=True)
    # Where a candidate came from (e.g. "acf" and the list row's id): re-loading adds nothing.
    origin = models.CharField(_("origin"), max_length=100, blank=True)
    origin_ref = models.CharField(max_length=200, blank=True, db_index=True)
    # Identifiers for dossiers: never on the public list.
    birth_place = EncryptedCharField(_("place of birth"), max_length=300, blank=True)
    nationality = EncryptedCharField(_("nationality"), max_length=200, blank=True)
    documents = EncryptedTextField(_("identity documents"), blank=True)
    addresses = EncryptedTextField(_("addresses"), blank=True)
    other_spellings = EncryptedTextField(_("other spellings (one a line)"), blank=True)
    chain_of_command = EncryptedTextField(_("chain of command"), blank=True)

    class Meta:
        verbose_name = _("accountability entry")
        verbose_name_plural = _("accountability entries")
        ordering = ["entity__name"]

    def __str__(self) -> str:
        return self.entity.name

    def get_absolute_url(self) -> str:
        return reverse("accountability:entry", args=[self.pk])

    def is_public(self) -> bool:
        return self.status in PUBLIC_ENTRY_STATUSES

    def approval_authors(self) -> set[int]:
        """The entry's authors and those of the acts no editor has approved yet: the gate
        approves those acts too, so the public list's promise (every act approved by an editor
        other than its author) holds."""
        authors = super().approval_authors()
        authors |= {
            act.created_by_id
            for act in self.acts.filter(approved_by=None)
            if act.created_by_id is not None
        }
        return authors

    def publication_problems(self, editor: Any) -> list[str]:
        """The gate: an editor other than the author, and every act on two verified sources."""
        problems = super().publication_problems(editor)
        acts = list(self.acts.select_related("participant__incident"))
        if not acts:
            problems.append(gettext("No act is attributed to this person yet."))
        for act in acts:
            verified = act.verified_sources()
            if len(verified) < 2:
                problems.append(
                    gettext(
                        "Act “%(act)s” rests on %(count)d independent verified source(s); it "
                        "needs a second one (sources cited so far: %(cited)s)."
                    )
                    % {
                        "act": act.label(),
                        "count": len(verified),
                        "cited": ", ".join(sorted(act.cited_sources())) or "none",
                    }
                )
        return problems

    def log(self, user: Any, action: str, note: str = "") -> Revision:
        """A history line for something added to the entry (a reply, a submission...)."""
        return Revision.objects.create(
            content_type=ContentType.objects.get_for_model(self),
            object_id=str(self.pk),
            user=user,
            action=action,
            note=note,
        )

    def spellings(self) -> list[str]:
        names = [n.name for n in self.entity.names.all() if n.name != self.entity.name]
        names += [line.strip() for line in self.other_spellings.splitlines() if line.strip()]
        return list(dict.fromkeys(names))


class Act(models.Model):
    """An act attributed to the entry's person: their part in one incident."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="acts")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="+", verbose_name=_("participation")
    )
    # Facts the regimes' conditions depend on (see regimes.json), established by staff.
    widespread_or_systematic = models.BooleanField(
        _("part of a widespread or systematic pattern"), default=False
    )
    victims_defend_rights = models.BooleanField(
        _("victims exposed wrongdoing or defended human rights"), default=False
    )
    # Rights violated, when they differ from what the incident type implies (codes, data).
    rights = models.JSONField(_("rights violated"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The editor (never its author) who approved the attribution: by the gate, or on its own
    # when added to an entry already verified. Only approved acts are public.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", editable=False,
    )  # fmt: skip

    class Meta:
        verbose_name = _("attributed act")
        verbose_name_plural = _("attributed acts")
        ordering = ["participant__incident__date", "id"]
        constraints = [models.UniqueConstraint(fields=["entry", "participant"], name="unique_act")]

    def __str__(self) -> str:
        return self.label()

    def label(self, level: str = Visibility.INTERNAL) -> str:
        """The act as a reader cleared up to `level` may see it (the default, internal, is the
        least of the staff who work on the list: a confidential incident stays unnamed)."""
        from civwatch.accounts.permissions import fields_at, visible_at

        incident, participant = self.participant.incident, self.participant
        if not (visible_at(incident, level) and visible_at(participant, level)):
            return gettext("act #%(id)s") % {"id": self.pk}
        shown = fields_at(incident, level)
        title = incident.title if "title" in shown else f"#{incident.pk}"
        date = f" ({incident.date_display})" if "date" in shown else ""
        role = (
            f", {participant.get_role_display()}" if "role" in fields_at(participant, level) else ""
        )
        return f"{title}{date}{role}"

    def approval_problems(self, editor: Any) -> list[str]:
        """Why this editor may not approve this act on its own (empty: they may)."""
        problems = []
        if editor.pk == self.created_by_id:
            problems.append(gettext("An editor other than the author must approve it."))
        verified = self.verified_sources()
        if len(verified) < 2:
            problems.append(
                gettext("Act “%(act)s” rests on %(count)d independent verified source(s).")
                % {"act": self.label(), "count": len(verified)}
            )
        return problems

    def verified_claims(self) -> models.QuerySet:
        return self.participant.claims.filter(status__in=VERIFIED_CLAIM_STATUSES)

    def verified_sources(self) -> set[str]:
        """Independent sources (publisher or origin) cited by the verified claims about it."""
        return self.sources_of(self.verified_claims())

    def cited_sources(self) -> set[str]:
        return self.sources_of(self.participant.claims.all())

    @staticmethod
    def sources_of(claims: models.QuerySet) -> set[str]:
        return {
            item.source_key for claim in claims.prefetch_related("evidence")
            for item in claim.evidence.all()
        }  # fmt: skip


class ReplyRecord(models.Model):
    """The right of reply: when and how the person was contacted, and what they answered."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="replies")
    contacted_on = models.DateField(_("contacted on"))
    channel = EncryptedCharField(_("how (channel and address)"), max_length=300)
    answer = EncryptedTextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["contacted_on", "id"]

    def __str__(self) -> str:
        return f"{self.contacted_on}: {self.channel}"


class Exculpatory(models.Model):
    """Information that speaks for the person: it goes into every dossier."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="exculpatory")
    text = EncryptedTextField(_("information"))
    source = EncryptedCharField(_("source"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:80]


class Correction(models.Model):
    """A public correction note, shown with a published entry."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="corrections")
    note = models.TextField(_("public correction note"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.note[:80]


class Submission(models.Model):
    """An application to one government, and its outcome."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("pending")
        DESIGNATED = "designated", _("designated")
        REJECTED = "rejected", _("rejected")
        DELISTED = "delisted", _("delisted")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="submissions")
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, choices=Jurisdiction.choices)
    authority = models.CharField(_("submitted to"), max_length=300)
    submitted_on = models.DateField(_("submitted on"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    decided_by = models.CharField(
        _("decided by (authority, programme)"), max_length=300, blank=True
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["submitted_on", "id"]

    def __str__(self) -> str:
        return f"{self.jurisdiction}: {self.authority}, {self.submitted_on}"
