"""The delegate list (registrations) and a registration's page."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from delegates.admin_audit import StaffChangesLogged
from delegates.models import fold_for_search
from registration.admin import actions as delegate_list_actions
from registration.admin.filters import (
    CheckedInFilter,
    CityFilter,
    CountryFilter,
    DietFilter,
    ErasureFilter,
    HeadOfDelegationFilter,
    HotelFilter,
    VisaLetterFilter,
)
from registration.admin.forms import RegisterOnBehalfForm
from registration.admin.pages import QuickActionCheckboxMixin, form_page
from registration.errors import RegistrationError
from registration.models import Registration, RegistrationLog
from registration.selectors import staff as staff_selectors
from registration.selectors.registrations import event_current
from registration.services.registrations import REGISTRATION_FIELDS, registration_update
from registration.services.staff import STAFF_FIELDS, registration_set_staff_fields
from registration.services.submissions import registration_submit_by_secretariat

# What the secretariat reads on a registration's page but changes only through the actions.
RECORD_FIELDS = (
    "event",
    "delegate_link",
    "city",
    "state",
    "holds_place",
    "head_granted_at",
    "decline_reason",
    "submitted_at",
    "state_changed_at",
)
DESK_FIELDS = ("checked_in_at", "checked_in_desk", "checked_in_by")


class RegistrationLogInline(admin.TabularInline):
    model = RegistrationLog
    extra = 0
    can_delete = False
    readonly_fields = (
        "created_at",
        "action",
        "from_state",
        "to_state",
        "actor",
        "reason",
        "changes",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[RegistrationLog]:
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Registration)
class RegistrationAdmin(StaffChangesLogged, QuickActionCheckboxMixin, SimpleHistoryAdmin):
    """The delegate list: one row per registration, with the person, city and state."""

    list_display = (
        "name",
        "city_name",
        "role",
        "category",
        "state",
        "checked_in",
        "visa",
        "submitted_at",
    )
    list_display_links = ("name",)
    list_filter = (
        "event",
        "state",
        "category",
        "delegation_role",
        HeadOfDelegationFilter,
        # Every city and region (a quick read of 133 and 6 rows), not only those with
        # registrations (a DISTINCT over every registration on each page view).
        ("city", CityFilter),
        CountryFilter,
        "city__region",
        CheckedInFilter,
        VisaLetterFilter,
        DietFilter,
        HotelFilter,
        ErasureFilter,
    )
    # The search is our own (get_search_results): the folded text of names, email and city.
    search_fields = ("delegate__search_text",)
    search_help_text = _("Name in any script, email, organisation or city.")
    list_per_page = 100
    list_max_show_all = 500
    show_full_result_count = False
    date_hierarchy = None
    # Newest first by id: the primary key's index gives the first page without sorting every
    # row (ids grow with submission; the submitted column still sorts on a click).
    ordering = ("-pk",)
    fieldsets = (
        (None, {"fields": RECORD_FIELDS}),
        (_("Registration"), {"fields": REGISTRATION_FIELDS}),
        (_("Secretariat"), {"fields": (*STAFF_FIELDS, "visa_letter_status", "badge_status")}),
        (
            _("Venue desk"),
            {"fields": DESK_FIELDS},
        ),
    )
    readonly_fields = (*RECORD_FIELDS, "visa_letter_status", "badge_status", *DESK_FIELDS)
    inlines = [RegistrationLogInline]
    actions = (
        delegate_list_actions.confirm_selected,
        delegate_list_actions.waitlist_selected,
        delegate_list_actions.decline_selected,
        delegate_list_actions.grant_head,
        delegate_list_actions.refuse_head,
        delegate_list_actions.resend_confirmation,
        delegate_list_actions.render_badges_again,
        delegate_list_actions.print_badges,
        delegate_list_actions.issue_visa_letters,
        delegate_list_actions.export_csv,
        delegate_list_actions.export_xlsx,
        delegate_list_actions.erase_selected,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Registration]:
        return staff_selectors.registrations_for_admin(super().get_queryset(request))

    def changelist_view(self, request: HttpRequest, extra_context=None):
        return super().changelist_view(request, {"title": _("Delegates"), **(extra_context or {})})

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Registration], search_term: str
    ) -> tuple[QuerySet[Registration], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q()
        for word in fold_for_search(term).split():
            condition &= Q(delegate__search_text__contains=word)
        if term.isdigit():
            condition |= Q(pk=int(term))
        return queryset.filter(condition), False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        """Register a person on their behalf, through the same service as their own form."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        event = event_current()
        form = RegisterOnBehalfForm(
            request.POST if request.method == "POST" else None, admin_site=self.admin_site
        )
        if event is not None and form.is_bound and form.is_valid():
            try:
                registration = registration_submit_by_secretariat(
                    delegate=form.cleaned_data["delegate"],
                    event=event,
                    delegation_role=form.cleaned_data["delegation_role"],
                    actor=request.user,
                )
            except RegistrationError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field or "delegate", error.message)
            else:
                self.message_user(
                    request,
                    _("%(delegate)s is registered: %(state)s. They have been emailed.")
                    % {
                        "delegate": registration.delegate,
                        "state": registration.get_state_display(),
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:registration_registration_change", args=[registration.pk])
                )
        return form_page(
            request,
            self,
            form=form,
            title=_("Register a person"),
            template="admin/registration/registration/add_on_behalf.html",
            event=event,
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        # A registration leaves by decline, cancel or erasure, each with its log and email.
        return False

    # Columns

    def action_checkbox_label(self, obj: Registration) -> str:
        return str(obj.delegate)

    @admin.display(description=_("delegate"), ordering="delegate__family_name")
    def name(self, obj: Registration) -> str:
        delegate = obj.delegate
        if delegate.erased_at:
            return format_html('<span class="staff-muted">{}</span>', _("(erased)"))
        name = str(delegate)
        if delegate.native_name and delegate.native_name != delegate.latin_name:
            name = format_html(
                '<bdi>{}</bdi> <span class="native">(<bdi>{}</bdi>)</span>',
                delegate,
                delegate.native_name,
            )
        if delegate.erasure_requested_at:
            return format_html(
                '{} <span class="staff-tag staff-tag-warning">{}</span>',
                name,
                _("erasure requested"),
            )
        return name

    @admin.display(description=_("city and country"), ordering="city__name_en")
    def city_name(self, obj: Registration) -> str:
        city = obj.city.name_en if obj.city_id else obj.delegate.other_city
        country = obj.city.country if obj.city_id else obj.delegate.other_country
        return format_html(
            '<bdi>{}</bdi><br><span class="staff-muted">{}</span>',
            city,
            country.name if country else "",
        )

    @admin.display(description=_("role in the delegation"), ordering="delegation_role")
    def role(self, obj: Registration) -> str:
        if obj.claims_head and obj.is_live:
            return format_html(
                '{} <span class="staff-tag staff-tag-warning">{}</span>',
                obj.get_delegation_role_display(),
                _("claimed"),
            )
        return obj.get_delegation_role_display()

    @admin.display(description=_("checked in"), ordering="checked_in_at")
    def checked_in(self, obj: Registration) -> str:
        if obj.checked_in_at is None:
            return ""
        return timezone.localtime(obj.checked_in_at).strftime("%m-%d %H:%M")

    @admin.display(description=_("visa letter"))
    def visa(self, obj: Registration) -> str:
        if getattr(obj, "has_visa_letter", False):
            return _("issued")
        return _("needed") if obj.visa_letter_wanted else ""

    # Change form

    @admin.display(description=_("delegate"))
    def delegate_link(self, obj: Registration) -> str:
        delegate = obj.delegate
        if delegate.erased_at:
            return format_html(
                '<span class="staff-muted">{}</span>',
                _("Erased on %(date)s") % {"date": date_format(delegate.erased_at, "DATE_FORMAT")},
            )
        url = reverse("admin:delegates_delegate_change", args=[obj.delegate_id])
        export_url = reverse("delegate_data_export", args=[obj.delegate_id])
        requested = ""
        if delegate.erasure_requested_at:
            requested = format_html(
                ' <span class="staff-tag staff-tag-warning">{}</span>',
                _("erasure requested on %(date)s")
                % {"date": date_format(delegate.erasure_requested_at, "DATE_FORMAT")},
            )
        return format_html(
            '<a href="{}">{}</a> · {}{}<br><a href="{}">{}</a>',
            url,
            delegate,
            delegate.email,
            requested,
            export_url,
            _("Download all their data (ZIP)"),
        )

    @admin.display(description=_("visa letter"))
    def visa_letter_status(self, obj: Registration) -> str:
        letter = getattr(obj, "visa_letter", None) if obj.pk else None
        if letter is not None:
            url = reverse("staff_visa_letter", args=[obj.pk])
            return format_html(
                '<a href="{}">{}</a> ({})', url, letter.reference, _("download; logged")
            )
        return _("asked for, not issued") if obj.visa_letter_wanted else _("not asked for")

    @admin.display(description=_("badge"))
    def badge_status(self, obj: Registration) -> str:
        badge = getattr(obj, "badge", None) if obj.pk else None
        if badge is None:
            return _("not rendered yet")
        if badge.last_error:
            return _("failed: %(error)s") % {"error": badge.last_error}
        return _("rendered %(when)s, printed %(count)d times") % {
            "when": (
                timezone.localtime(badge.rendered_at).strftime("%Y-%m-%d %H:%M")
                if badge.rendered_at
                else "—"
            ),
            "count": badge.print_count,
        }

    def save_model(self, request, obj, form, change) -> None:
        # Through the services, so that the change is logged and the delegate is told.
        changed = set(form.changed_data)
        data = {
            field: form.cleaned_data[field] for field in changed if field in REGISTRATION_FIELDS
        }
        staff = {field: form.cleaned_data[field] for field in changed if field in STAFF_FIELDS}
        try:
            if data:
                registration_update(
                    registration=obj, data=data, actor=request.user, by_secretariat=True
                )
            if staff:
                registration_set_staff_fields(registration=obj, data=staff, actor=request.user)
        except RegistrationError as error:
            self.message_user(request, error.message, messages.ERROR)

    def save_related(self, request, form, formsets, change) -> None:
        # The log is read-only here; nothing related is saved from this form. The change
        # message still reads what each inline saved: nothing.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
