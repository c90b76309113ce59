from django.contrib import admin

from civwatch.registers.models import Change, Designation, LegalBasis, Register, Snapshot


@admin.register(Register)
class RegisterAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_ru"]


@admin.register(LegalBasis)
class LegalBasisAdmin(admin.ModelAdmin):
    list_display = ["code", "short_en", "short_ru"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["register", "as_of", "file_name", "row_count", "status", "imported_at"]
    list_filter = ["register", "status"]
    readonly_fields = [f.name for f in Snapshot._meta.fields]


@admin.register(Designation)
class DesignationAdmin(admin.ModelAdmin):
    list_display = ["register", "row_id", "entity", "legal_basis", "listed_on", "status"]
    list_filter = ["register", "status", "legal_basis"]
    search_fields = ["entity__name", "row_id"]
    raw_id_fields = ["entity", "first_seen", "last_seen"]
    exclude = ["snapshots"]


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin):
    list_display = ["snapshot", "kind", "row_id", "designation"]
    list_filter = ["kind", "snapshot__register"]
    raw_id_fields = ["designation", "snapshot"]
