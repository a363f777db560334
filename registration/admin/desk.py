"""The venue desk log."""

from __future__ import annotations

from django.contrib import admin

from registration.admin.pages import AuditTrailAdmin
from registration.models import DeskLog


@admin.register(DeskLog)
class DeskLogAdmin(AuditTrailAdmin):
    """Every scan, check-in and print at the desk: read-only, it is the audit trail."""

    list_display = ("created_at", "action", "desk", "operator", "registration", "reason")
    list_filter = ("action", "desk", ("created_at", admin.DateFieldListFilter))
    search_fields = (
        "desk",
        "reason",
        "operator__email",
        "registration__delegate__family_name",
        "registration__delegate__given_name",
        "registration__delegate__native_name",
    )
    list_select_related = ("operator", "registration__delegate", "registration__event")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "action", "desk", "operator", "registration", "reason")
