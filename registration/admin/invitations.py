"""The invitations sent to focal points to lead their city's delegation: a record, read only."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from registration.admin.pages import AuditTrailAdmin
from registration.models import HeadInvitation


@admin.register(HeadInvitation)
class HeadInvitationAdmin(AuditTrailAdmin):
    list_display = ("city", "email", "status", "invited_by", "created_at", "expires_at")
    list_filter = ("event",)
    search_fields = ("city__name_en", "city__name_local", "email")
    list_select_related = ("city", "invited_by")
    # Never the token's hash: nothing to read in it, and nothing to gain.
    fields = (
        "event",
        "city",
        "name",
        "email",
        "language",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "replaced_at",
        "registration",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[HeadInvitation]:
        return super().get_queryset(request).select_related("event", "registration__delegate")

    @admin.display(description=_("status"))
    def status(self, obj: HeadInvitation) -> str:
        return obj.get_status_display()
