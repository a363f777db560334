"""Member cities: registered in this app because the counts are of the current event's
registrations (delegates must not import registration)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from delegates.admin_audit import StaffChangesLogged
from delegates.cities import MemberCityResource
from delegates.models import MemberCity, StaffActionLog
from delegates.services import staff_action_log
from registration.admin.city_imports import CityImportAdminMixin
from registration.admin.filters import CityCountryFilter
from registration.admin.pages import QuickActionCheckboxMixin
from registration.errors import RegistrationError
from registration.selectors import delegation as delegation_selectors
from registration.selectors import staff as staff_selectors
from registration.selectors.registrations import event_current
from registration.services.head_invitations import head_invitation_send


@admin.action(description=_("Invite the focal point as head of delegation"), permissions=["change"])
def invite_focal_point(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[MemberCity]
) -> None:
    """Email each city's focal point a personal link to lead its delegation at the event."""
    event = event_current()
    if event is None:
        modeladmin.message_user(request, _("There is no active event."), messages.ERROR)
        return
    for city in queryset:
        try:
            invitation = head_invitation_send(city=city, event=event, actor=request.user)
        except RegistrationError as error:
            modeladmin.message_user(request, f"{city}: {error.message}", messages.ERROR)
        else:
            modeladmin.message_user(
                request,
                _("%(city)s: invitation sent to %(email)s, valid until %(date)s.")
                % {
                    "city": city,
                    "email": invitation.email,
                    "date": date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT"),
                },
                messages.SUCCESS,
            )


@admin.register(MemberCity)
class MemberCityAdmin(
    StaffChangesLogged,
    CityImportAdminMixin,
    QuickActionCheckboxMixin,
    ImportExportModelAdmin,
    SimpleHistoryAdmin,
):
    resource_classes = [MemberCityResource]
    formats = [base_formats.CSV, base_formats.XLSX]
    list_display = (
        "name_en",
        "name_local",
        "country_name",
        "region",
        "membership",
        "executive_committee",
        "quota",
        "registered",
        "confirmed",
        "waitlisted",
    )
    list_filter = (
        "region",
        "membership",
        "is_executive_committee",
        CityCountryFilter,
        "is_active",
        "is_demo",
    )
    search_fields = ("name_en", "name_local", "code")
    search_help_text = _("Name in English or in the local script, or the code.")
    list_select_related = ("region",)
    ordering = ("name_en",)
    list_per_page = 150
    actions = (invite_focal_point,)
    readonly_fields = ("head_of_delegation",)

    def get_export_data(
        self,
        file_format: base_formats.Format,
        request: HttpRequest,
        queryset: QuerySet[MemberCity],
        **kwargs: Any,
    ) -> str | bytes:
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        # Every focal point's name, email and phone leave with the file.
        staff_action_log(
            actor=request.user,
            action=StaffActionLog.Action.EXPORTED,
            model=MemberCity,
            object_ids=queryset.values_list("pk", flat=True),
            detail=f"cities.{file_format.get_extension()}",
        )
        return data

    def get_queryset(self, request: HttpRequest) -> QuerySet[MemberCity]:
        if not hasattr(request, "_current_event"):
            request._current_event = event_current()
        return staff_selectors.cities_with_counts(
            super().get_queryset(request), event=request._current_event
        )

    @admin.display(description=_("country"), ordering="country")
    def country_name(self, obj: MemberCity) -> str:
        # Not the field itself: the admin would turn 250 country choices into a dict per row.
        return obj.country.name

    @admin.display(description=_("ExCom"), boolean=True, ordering="is_executive_committee")
    def executive_committee(self, obj: MemberCity) -> bool:
        return obj.is_executive_committee

    @admin.display(description=_("quota"), ordering="delegation_quota")
    def quota(self, obj: MemberCity) -> int:
        return obj.delegation_quota

    @admin.display(description=_("registered"), ordering="registered_count")
    def registered(self, obj: MemberCity) -> int:
        return obj.registered_count

    @admin.display(description=_("confirmed"), ordering="confirmed_count")
    def confirmed(self, obj: MemberCity) -> int:
        return obj.confirmed_count

    @admin.display(description=_("waitlisted"), ordering="waitlisted_count")
    def waitlisted(self, obj: MemberCity) -> int:
        return obj.waitlisted_count

    @admin.display(description=_("head of delegation"))
    def head_of_delegation(self, obj: MemberCity) -> str:
        """The current event's granted head, and the last invitation the action above sent."""
        event = event_current()
        if event is None or obj.pk is None:
            return "—"
        lines = []
        head = delegation_selectors.city_head(event=event, city=obj)
        if head is not None:
            lines.append(_("Granted: %(name)s.") % {"name": head.delegate.full_name})
        invitation = delegation_selectors.head_invitation_latest(event=event, city=obj)
        if invitation is not None:
            lines.append(
                _("Invitation to %(email)s, sent on %(date)s: %(status)s.")
                % {
                    "email": invitation.email,
                    "date": date_format(timezone.localtime(invitation.created_at), "DATE_FORMAT"),
                    "status": invitation.get_status_display().lower(),
                }
            )
        elif head is None:
            lines.append(
                _("No invitation sent. Select the city in the list, then “Invite the focal point”.")
            )
        return format_html_join("", "<div>{}</div>", ((line,) for line in lines))
