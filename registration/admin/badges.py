"""Badge sheet jobs."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from registration.models import BadgeSheetJob


@admin.register(BadgeSheetJob)
class BadgeSheetJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "layout", "total", "done", "status", "created_by", "progress")
    list_filter = ("status", "layout")
    list_select_related = ("created_by",)
    readonly_fields = [f.name for f in BadgeSheetJob._meta.fields if f.name != "id"]
    exclude = ("registration_ids",)

    @admin.display(description=_("progress page"))
    def progress(self, obj: BadgeSheetJob) -> str:
        return format_html('<a href="{}">{}</a>', reverse("staff_sheet", args=[obj.pk]), _("open"))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
