from django.contrib import admin

from civwatch.accounts.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "created_at"]
    readonly_fields = ["user", "token_hash", "created_at"]
