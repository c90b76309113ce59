"""Staff forms for incidents, participants, evidence, claims and review moves."""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civwatch.accounts import permissions
from civwatch.cases import layout
from civwatch.cases.models import Case, Incident, Participant, Position
from civwatch.cases.picker import PERSON, PickerForm
from civwatch.core.namesearch import name_field
from civwatch.core.records import ReviewStatus, Visibility
from civwatch.core.uploads import validate_upload_size
from civwatch.evidence.models import EvidenceItem


class DateInput(forms.DateInput):
    input_type = "date"


class FieldLevelsWidget(forms.Widget):
    """Field visibility chosen per field: a labelled <select> of levels for each field that may
    be restricted (the model's public fields), "as the record" when it is not.

    The choices are posted back as the JSON object the field always held ({"place":
    "confidential"}), so the model, the API and `clean_field_visibility` are unchanged; a body
    that posts that object itself (older clients) is still read. No JavaScript is needed.
    """

    template_name = "cases/widgets/field_levels.html"
    use_fieldset = True
    LEVELS = (Visibility.INTERNAL, Visibility.CONFIDENTIAL)

    def __init__(self, fields: list[tuple[str, str]], attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.restrictable = fields

    def subname(self, name: str, field: str) -> str:
        return f"{name}__{field}"

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        try:
            levels = json.loads(value) if isinstance(value, str) else value
        except json.JSONDecodeError:
            levels = {}
        levels = levels if isinstance(levels, dict) else {}
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        as_record = [("", _("as the record"))]
        context["widget"]["fields"] = [
            {
                "name": self.subname(name, field),
                "id": f"{base_id}_{field}",
                "label": label,
                "options": [
                    (level, text, levels.get(field, "") == level)
                    for level, text in as_record + [(v, Visibility(v).label) for v in self.LEVELS]
                ],
            }
            for field, label in self.restrictable
        ]
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        keys = {field: self.subname(name, field) for field, _label in self.restrictable}
        if not any(key in data for key in keys.values()):
            return data.get(name)
        return json.dumps({field: data[key] for field, key in keys.items() if data.get(key)})

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and not any(
            self.subname(name, field) in data for field, _label in self.restrictable
        )

    def id_for_label(self, id_: str) -> str:
        return ""  # a group of selects: named by its legend


class FieldVisibilityForm(forms.ModelForm):
    """Checks `field_visibility`: public fields of the model, known levels."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model = self._meta.model
        fields = [(name, layout.label(model, name)) for name in model.PUBLIC_FIELDS]
        self.fields["field_visibility"].widget = FieldLevelsWidget(fields)

    def clean_field_visibility(self) -> dict:
        value = self.cleaned_data["field_visibility"] or {}
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Give an object of field names and levels."))
        for name, level in value.items():
            if name not in self._meta.model.PUBLIC_FIELDS:
                raise forms.ValidationError(_("“%(name)s” is not a public field.") % {"name": name})
            if level not in Visibility.values:
                raise forms.ValidationError(
                    _("“%(level)s” is not a visibility level.") % {"level": level}
                )
        return value


FIELD_VISIBILITY_HELP = _(
    "A field can be hidden more than the record: choose its level, or leave it as the record."
)


class IncidentForm(FieldVisibilityForm):
    class Meta:
        model = Incident
        fields = [
            "incident_type", "title", "description", "date", "date_precision", "place",
            "people_count", "case", "source_name", "visibility", "field_visibility",
            "internal_notes",
        ]  # fmt: skip
        widgets = {"date": DateInput, "description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"field_visibility": FIELD_VISIBILITY_HELP}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only cases the user may read are offered; the current one stays (by number when it
        # is unreadable) so that saving does not silently detach the incident from it.
        titled = set(permissions.readable(user, Case.objects.all()).values_list("pk", flat=True))
        current = self.instance.case_id
        field = self.fields["case"]
        field.queryset = Case.objects.filter(pk__in=titled | ({current} if current else set()))
        field.label_from_instance = lambda case: (
            layout.record_name(user, case) if case.pk in titled else f"#{case.pk}"
        )


class CaseForm(FieldVisibilityForm):
    class Meta:
        model = Case
        fields = [
            "title", "kind", "article", "court", "case_status", "opened_on", "closed_on",
            "summary", "visibility", "field_visibility", "internal_notes",
        ]  # fmt: skip
        widgets = {
            "opened_on": DateInput,
            "closed_on": DateInput,
            "summary": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"field_visibility": FIELD_VISIBILITY_HELP}

    def clean(self):
        data = super().clean()
        opened, closed = data.get("opened_on"), data.get("closed_on")
        if opened and closed and closed < opened:
            self.add_error("closed_on", _("A case cannot close before it opens."))
        return data


class PickedRecordForm(PickerForm, forms.ModelForm):
    """A record whose `entity` is chosen with the picker; editing it starts from its own."""

    def __init__(self, *args, user=None, **kwargs):
        instance = kwargs.get("instance")
        if instance is not None and instance.entity_id:
            kwargs.setdefault("initial", {})["pick"] = instance.entity_id
        super().__init__(*args, user=user, **kwargs)

    def save(self, commit: bool = True):
        self.instance.entity = self.chosen_entity()
        return super().save(commit)


class PositionForm(PickedRecordForm, FieldVisibilityForm):
    """An official's position; the official is chosen with the entity picker."""

    picker_kind = PERSON

    class Meta:
        model = Position
        fields = [
            "post", "agency", "started_on", "ended_on", "date_precision",
            "visibility", "field_visibility", "internal_notes",
        ]  # fmt: skip
        widgets = {"started_on": DateInput, "ended_on": DateInput}
        help_texts = {"field_visibility": FIELD_VISIBILITY_HELP}

    def clean(self):
        data = super().clean()
        started, ended = data.get("started_on"), data.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", _("A position cannot end before it starts."))
        return data


class ParticipantForm(PickerForm):
    """A person or organisation in an incident: who (the entity picker), role, degree."""

    role = forms.ChoiceField(label=_("role"), choices=Participant.Role.choices)
    involvement = forms.ChoiceField(
        label=_("degree of involvement"),
        choices=[("", "—"), *Participant.Involvement.choices],
        required=False,
    )
    visibility = forms.ChoiceField(
        label=_("visibility"), choices=Visibility.choices, initial=Visibility.INTERNAL
    )


class ParticipantEditForm(PickedRecordForm):
    """Who a participant is, its role, degree and visibility (held for review once the
    incident was approved)."""

    class Meta:
        model = Participant
        fields = ["role", "involvement", "visibility"]


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=EvidenceItem.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=500)
    source = forms.CharField(label=_("source (publisher or origin)"), max_length=300)
    url = forms.URLField(label=_("address"), required=False, max_length=2000, assume_scheme="https")
    published_on = forms.DateField(label=_("published on"), required=False, widget=DateInput)
    quoted_text = forms.CharField(label=_("quoted passage"), required=False, widget=forms.Textarea)
    upload = forms.FileField(
        label=_("file (PDF, PNG, JPEG, HTML or text; at most 20 MB)"),
        required=False,
        validators=[validate_upload_size],
    )
    obtained_how = forms.CharField(label=_("how it was obtained"), widget=forms.Textarea)
    obtained_on = forms.DateField(label=_("obtained on"), widget=DateInput)
    reliability = forms.ChoiceField(
        label=_("source reliability"), choices=EvidenceItem.Reliability.choices, initial="F"
    )
    credibility = forms.ChoiceField(
        label=_("information credibility"), choices=EvidenceItem.Credibility.choices, initial="6"
    )
    visibility = forms.ChoiceField(
        label=_("visibility"), choices=Visibility.choices, initial=Visibility.INTERNAL
    )

    def clean(self):
        data = super().clean()
        kind, upload = data.get("kind"), data.get("upload")
        if kind == EvidenceItem.Kind.FILE and not upload:
            self.add_error("upload", _("An uploaded file needs a file."))
        if kind == EvidenceItem.Kind.QUOTE and not data.get("quoted_text", "").strip():
            self.add_error("quoted_text", _("A quoted passage needs its text."))
        if kind == EvidenceItem.Kind.WEB_PAGE and not data.get("url"):
            self.add_error("url", _("A captured web page needs its address."))
        return data


class ClaimForm(forms.Form):
    """A statement, and a passage for every evidence item it cites (empty: not cited)."""

    statement = forms.CharField(label=_("statement"), widget=forms.Textarea(attrs={"rows": 3}))
    participant = forms.ModelChoiceField(
        label=_("about participant"), queryset=Participant.objects.none(), required=False
    )
    visibility = forms.ChoiceField(
        label=_("visibility"), choices=Visibility.choices, initial=Visibility.INTERNAL
    )

    def __init__(self, *args, incident: Incident, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the user may read is offered (and accepted): a participant or an item
        # they cannot read is not a choice, exactly as if it did not exist.
        participants = permissions.readable(user, incident.participants.select_related("entity"))
        self.fields["participant"].queryset = participants
        self.fields["participant"].label_from_instance = lambda p: layout.record_name(user, p)
        self.items = list(permissions.readable(user, incident.evidence_items.all()))
        for item in self.items:
            self.fields[f"passage_{item.pk}"] = forms.CharField(
                label=_("passage from “%(title)s”") % {"title": layout.record_name(user, item)},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def citations(self) -> list[tuple[EvidenceItem, str]]:
        return [
            (item, self.cleaned_data[f"passage_{item.pk}"].strip())
            for item in self.items
            if self.cleaned_data.get(f"passage_{item.pk}", "").strip()
        ]

    def clean(self):
        data = super().clean()
        if not self.citations():
            raise forms.ValidationError(
                _("Cite at least one evidence item with the passage that supports the claim.")
            )
        return data


class AssignForm(forms.Form):
    username = forms.CharField(label=_("staff member (user name)"), max_length=150)
    remove = forms.BooleanField(label=_("take the case back"), required=False)

    def clean_username(self) -> str:
        from django.contrib.auth import get_user_model

        from civwatch.accounts.models import has_role

        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None or not has_role(user, "contributor"):
            raise forms.ValidationError(_("No staff member with this user name."))
        return name


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=ReviewStatus.choices)
    note = forms.CharField(label=_("public correction note"), required=False)


class StaffListFilterForm(forms.Form):
    """The staff lists' filters: GET parameters, except the name (core.namesearch)."""

    name = name_field()
    status = forms.ChoiceField(
        label=_("Review status"), required=False, choices=[("", _("any")), *ReviewStatus.choices]
    )
