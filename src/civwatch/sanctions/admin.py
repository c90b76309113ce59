from django.contrib import admin

from civwatch.sanctions.models import Dataset, DatasetVersion, Link, ListEntry


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "kind", "jurisdiction"]


@admin.register(DatasetVersion)
class DatasetVersionAdmin(admin.ModelAdmin):
    list_display = ["dataset", "source_date", "imported_at", "added", "changed", "removed"]
    readonly_fields = ["files", "fingerprint", "notes"]


@admin.register(ListEntry)
class ListEntryAdmin(admin.ModelAdmin):
    list_display = ["name", "dataset", "source_id", "present"]
    list_filter = ["dataset", "present"]
    search_fields = ["name", "source_id"]
    raw_id_fields = ["entity", "first_version", "last_version"]


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    """Editors may also add a link by hand here (a pair the rules keep out, e.g. a typo in a
    birth date); decisions are better taken on the staff page, which records who and when."""

    list_display = ["left_name", "left_dataset", "right_name", "right_dataset", "score", "status"]
    list_filter = ["status", "left_dataset", "right_dataset"]
    search_fields = ["left_name", "right_name"]
    raw_id_fields = ["left_entity", "right_entity", "decided_by"]
