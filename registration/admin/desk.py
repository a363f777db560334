"""The venue desk log."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from registration.admin.pages import AuditTrailAdmin
from registration.models import DeskLog
from registration.services.checkin import desk_log_reason_shown


@admin.register(DeskLog)
class DeskLogAdmin(AuditTrailAdmin):
    """Every scan, check-in and print at the desk: read-only, it is the audit trail."""

    list_display = ("created_at", "action", "desk", "operator", "registration", "reason_shown")
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
    fields = readonly_fields = (
        "created_at",
        "action",
        "desk",
        "operator",
        "registration",
        "reason_shown",
    )

    @admin.display(description=_("reason"))
    def reason_shown(self, obj: DeskLog) -> str:
        # Stored in English (or as a code): shown in the reader's language.
        return desk_log_reason_shown(action=obj.action, reason=obj.reason)
