"""Admin: the incident-type vocabulary is edited here; records keep their history when saved."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _

from civwatch.cases.models import Case, Incident, IncidentType, Position
from civwatch.core.records import Revision


@admin.register(IncidentType)
class IncidentTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "label_en", "label_ru"]


class HistoryAdmin(admin.ModelAdmin):
    """Saving through the admin is recorded like any other change."""

    readonly_fields = ["status", "approved_by", "created_by"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        obj.save_with_history(request.user, action="" if change else "created")
        if getattr(obj, "proposed_change", None) is not None:
            messages.warning(
                request,
                _(
                    "The change waits for review: the record keeps its approved content until an "
                    "editor other than the change's authors approves it on the staff pages."
                ),
            )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(HistoryAdmin):
    list_display = ["title", "kind", "status", "visibility"]


@admin.register(Incident)
class IncidentAdmin(HistoryAdmin):
    list_display = ["title", "incident_type", "date", "status", "visibility"]
    list_filter = ["incident_type", "status", "visibility"]
    # No search box: titles are encrypted (docs/security.md), SQL cannot search them.
    raw_id_fields = ["case"]


@admin.register(Position)
class PositionAdmin(HistoryAdmin):
    list_display = ["entity", "post", "agency", "started_on", "ended_on"]
    raw_id_fields = ["entity"]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "content_type", "object_id"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
