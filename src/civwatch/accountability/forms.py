"""Staff forms of the accountability list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civwatch.accountability.dossier import FORMATS
from civwatch.accountability.models import (
    Act,
    Correction,
    Entry,
    EntryStatus,
    Exculpatory,
    ReplyRecord,
    Submission,
)
from civwatch.accounts import permissions
from civwatch.cases.models import Participant
from civwatch.cases.picker import PERSON, PickerForm
from civwatch.core.namesearch import name_field
from civwatch.sanctions.forms import ANY
from civwatch.sanctions.models import Dataset, Jurisdiction

DATE = forms.DateInput(attrs={"type": "date"})
# Roles in which a person may be held responsible for an incident.
RESPONSIBLE_ROLES = (
    Participant.Role.JUDGE, Participant.Role.PROSECUTOR, Participant.Role.INVESTIGATOR,
    Participant.Role.POLICE_OFFICER, Participant.Role.OFFICIAL, Participant.Role.ATTACKER,
    Participant.Role.ORGANISER,
)  # fmt: skip


class EntryFilterForm(forms.Form):
    """The staff list's filters: GET parameters, except the name (core.namesearch)."""

    name = name_field()
    role = forms.ChoiceField(
        label=_("Role"), required=False,
        choices=[ANY, *((r.value, r.label) for r in RESPONSIBLE_ROLES)],
    )  # fmt: skip
    agency = forms.CharField(
        label=_("Agency"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Moscow City Court")}),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[ANY, *EntryStatus.choices]
    )
    origin = forms.ChoiceField(label=_("Loaded from"), required=False)
    listed = forms.BooleanField(
        label=_("only people linked to an official sanctions list (confirmed or awaiting review)"),
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("Order"), required=False,
        choices=[("status", _("by status, then name")), ("name", _("by name")),
                 ("-updated", _("recently changed first"))],
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        origins = Entry.objects.exclude(origin="").values_list("origin", flat=True).distinct()
        titles = dict(Dataset.objects.filter(slug__in=origins).values_list("slug", "title"))
        self.fields["origin"].choices = [
            ANY, *((o, titles.get(o, o)) for o in sorted(set(origins)))
        ]  # fmt: skip

    def filters(self) -> dict:
        """Keyword arguments for queries.filter_entries (without `listed`); {} when invalid."""
        if not self.is_valid():
            return {}
        return {k: self.cleaned_data[k] for k in ("name", "role", "agency", "status", "origin")}


class NewEntryForm(PickerForm):
    """The person an entry is opened for, chosen with the entity picker (cases.picker)."""

    picker_kind = PERSON

    def clean(self) -> dict:
        data = super().clean()
        entity = data.get("entity")
        if entity is not None and Entry.objects.filter(entity=entity).exists():
            raise forms.ValidationError(_("This person already has an entry."))
        return data


class EntryForm(forms.ModelForm):
    class Meta:
        model = Entry
        fields = [
            "summary", "birth_place", "nationality", "documents", "addresses",
            "other_spellings", "chain_of_command", "internal_notes",
        ]  # fmt: skip


class ActForm(forms.ModelForm):
    class Meta:
        model = Act
        fields = ["participant", "widespread_or_systematic", "victims_defend_rights"]

    def __init__(self, *args, entry: Entry, user, **kwargs):
        super().__init__(*args, **kwargs)
        taken = entry.acts.values_list("participant_id", flat=True)
        # Only participations the user may read are offered, labelled with what they may see.
        self.fields["participant"].queryset = permissions.readable(
            user,
            Participant.objects.filter(entity=entry.entity, role__in=RESPONSIBLE_ROLES)
            .exclude(pk__in=taken)
            .select_related("incident"),
        )
        self.fields["participant"].label_from_instance = lambda p: participation_label(user, p)


def participation_label(user, participant: Participant) -> str:
    incident = participant.incident
    shown = permissions.visible_fields(user, incident)
    title = incident.title if "title" in shown else f"#{incident.pk}"
    date = f" ({incident.date_display})" if "date" in shown else ""
    role = (
        participant.get_role_display()
        if "role" in permissions.visible_fields(user, participant)
        else ""
    )
    return f"{title}{date}: {role}" if role else f"{title}{date}"


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=EntryStatus.choices)
    note = forms.CharField(required=False, max_length=2000)


class ReplyForm(forms.ModelForm):
    class Meta:
        model = ReplyRecord
        fields = ["contacted_on", "channel", "answer", "answered_on"]
        widgets = {"contacted_on": DATE, "answered_on": DATE}


class ExculpatoryForm(forms.ModelForm):
    class Meta:
        model = Exculpatory
        fields = ["text", "source"]


class CorrectionForm(forms.ModelForm):
    class Meta:
        model = Correction
        fields = ["note"]


class SubmissionForm(forms.ModelForm):
    class Meta:
        model = Submission
        fields = ["jurisdiction", "authority", "submitted_on", "reference"]
        widgets = {"submitted_on": DATE}


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Submission
        fields = ["outcome", "decided_by", "decided_on"]
        widgets = {"decided_on": DATE}


class DossierForm(forms.Form):
    jurisdiction = forms.ChoiceField(label=_("jurisdiction"), choices=Jurisdiction.choices)
    fmt = forms.ChoiceField(label=_("format"), choices=[(f, f.upper()) for f in FORMATS])
