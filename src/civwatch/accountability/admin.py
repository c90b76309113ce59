"""Admin: acts' rights and facts are edited here; entries keep their history when saved.

Statuses are not editable: they change only through the workflow (the publication gate).
"""

from django.contrib import admin

from civwatch.accountability.models import Act, Entry
from civwatch.cases.admin import HistoryAdmin


class ActInline(admin.TabularInline):
    model = Act
    fields = ["participant", "rights", "widespread_or_systematic", "victims_defend_rights"]
    raw_id_fields = ["participant"]
    extra = 0


@admin.register(Entry)
class EntryAdmin(HistoryAdmin):
    list_display = ["entity", "status", "origin"]
    list_filter = ["status", "origin"]
    search_fields = ["entity__name"]
    raw_id_fields = ["entity"]
    exclude = ["field_visibility", "correction_note"]
    inlines = [ActInline]
