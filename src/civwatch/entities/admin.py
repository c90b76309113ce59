from django.contrib import admin

from civwatch.entities.models import Entity, EntityName, Identifier, Website


class EntityNameInline(admin.TabularInline):
    model = EntityName
    extra = 0


class IdentifierInline(admin.TabularInline):
    model = Identifier
    extra = 0


class WebsiteInline(admin.TabularInline):
    model = Website
    extra = 0


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "kind", "birth_date"]
    list_filter = ["kind"]
    search_fields = ["id", "name", "search_text"]
    exclude = ["search_text", "members"]
    inlines = [EntityNameInline, IdentifierInline, WebsiteInline]
