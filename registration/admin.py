"""The secretariat's admin: events, the delegate list (registrations), the email log.

State changes go through the services (quota, log and emails stay right); a RegistrationError is
shown as a message for its row, never as an error page. Lists carry their joins
(staff_selectors.registrations_for_admin), so a page costs the same few queries at any size.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from delegates.models import Delegate, Diet, MemberCity, fold_for_search
from registration import staff_selectors
from registration.errors import RegistrationError
from registration.exports import MemberCityResource, delegates_response
from registration.models import (
    BadgeSheetJob,
    DelegationRole,
    DeskLog,
    Event,
    OutboxEmail,
    PrivacyNotice,
    PurgeRecord,
    Registration,
    RegistrationLog,
    Session,
)
from registration.selectors import event_current
from registration.services.checkin import desk_log_reason_shown
from registration.services.letters import visa_letter_issue
from registration.services.mail import email_resend
from registration.services.privacy import delegate_erase, privacy_notice_publish
from registration.services.registrations import (
    REGISTRATION_FIELDS,
    registration_confirm,
    registration_decline,
    registration_submit_by_secretariat,
    registration_update,
    registration_waitlist,
)
from registration.services.sheets import sheet_job_create
from registration.services.staff import (
    STAFF_FIELDS,
    badges_render_again,
    registration_resend_confirmation,
    registration_set_staff_fields,
)

# Lists of thousands of delegates need the whole width; the breadcrumbs lead back anyway.
admin.site.enable_nav_sidebar = False


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_on", "ends_on", "host_city", "is_active", "is_demo")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [SessionInline]


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


# Filters


LONG_FILTER_TEMPLATE = "admin/collapsed_filter.html"


class CityFilter(admin.RelatedFieldListFilter):
    """Every member city, folded away until one is chosen (133 links would push the other
    filters off the screen)."""

    template = LONG_FILTER_TEMPLATE


class CountryFilter(admin.SimpleListFilter):
    title = _("country")
    parameter_name = "country"
    template = LONG_FILTER_TEMPLATE

    def lookups(self, request, model_admin):
        from django_countries import countries

        names = dict(countries)
        codes = MemberCity.objects.order_by().values_list("country", flat=True).distinct()
        return sorted(((code, names.get(code, code)) for code in codes), key=lambda c: c[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Q(city__country=self.value())
                | Q(city__isnull=True, delegate__other_country=self.value())
            )
        return queryset


class CityCountryFilter(CountryFilter):
    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(country=self.value())
        return queryset


class CheckedInFilter(admin.SimpleListFilter):
    title = _("checked in")
    parameter_name = "checked_in"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(checked_in_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(checked_in_at__isnull=True)
        return queryset


class DietFilter(admin.SimpleListFilter):
    title = _("dietary needs")
    parameter_name = "diet"

    def lookups(self, request, model_admin):
        return [
            ("any", _("Any special diet")),
            *((code, label) for code, label in Diet.choices if code),
        ]

    def queryset(self, request, queryset):
        if self.value() == "any":
            return queryset.exclude(delegate__diet="")
        if self.value():
            return queryset.filter(delegate__diet=self.value())
        return queryset


class HotelFilter(admin.SimpleListFilter):
    title = _("hotel")
    parameter_name = "hotel"

    def lookups(self, request, model_admin):
        hotels = (
            Registration.objects.exclude(hotel_name="")
            .order_by("hotel_name")
            .values_list("hotel_name", flat=True)
            .distinct()
        )
        return [
            ("unassigned", _("Needs a room, none assigned")),
            ("none", _("Needs no room")),
            *((name, name) for name in hotels),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "unassigned":
            return queryset.filter(hotel_needed=True, hotel_name="")
        if value == "none":
            return queryset.filter(hotel_needed=False)
        if value:
            return queryset.filter(hotel_name=value)
        return queryset


class VisaLetterFilter(admin.SimpleListFilter):
    title = _("visa letter")
    parameter_name = "visa"

    def lookups(self, request, model_admin):
        return (
            ("wanted", _("Needed")),
            ("to_issue", _("Needed, not issued yet")),
            ("issued", _("Issued")),
        )

    def queryset(self, request, queryset):
        if self.value() == "wanted":
            return queryset.filter(visa_letter_wanted=True)
        if self.value() == "to_issue":
            return queryset.filter(visa_letter_wanted=True, visa_letter__isnull=True)
        if self.value() == "issued":
            return queryset.filter(visa_letter__isnull=False)
        return queryset


class ErasureFilter(admin.SimpleListFilter):
    title = _("erasure")
    parameter_name = "erasure"

    def lookups(self, request, model_admin):
        return (("requested", _("Requested, not done yet")), ("erased", _("Erased")))

    def queryset(self, request, queryset):
        if self.value() == "requested":
            return queryset.filter(
                delegate__erasure_requested_at__isnull=False, delegate__erased_at__isnull=True
            )
        if self.value() == "erased":
            return queryset.filter(delegate__erased_at__isnull=False)
        return queryset


# Forms of the actions' intermediate pages and of the add page


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Sent to each delegate in the email that tells them."),
        max_length=2000,
    )


class EraseForm(forms.Form):
    understood = forms.BooleanField(
        label=_("I understand that this cannot be undone"),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )


class RegisterOnBehalfForm(forms.Form):
    """The secretariat registers a person who asked by email or letter."""

    delegate = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Delegate.objects.filter(erased_at__isnull=True).select_related("city"),
        help_text=_("Search by name in any script, email or city."),
    )
    delegation_role = forms.ChoiceField(
        label=_("Role in the delegation"),
        choices=DelegationRole.choices,
        initial=DelegationRole.DELEGATE,
    )
    consent = forms.BooleanField(
        label=_("The person has accepted the current privacy notice"),
        help_text=_("For example in their email asking to be registered."),
        error_messages={"required": _("Tick the box once the person has accepted the notice.")},
    )

    def __init__(self, *args, admin_site: admin.AdminSite, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["delegate"]
        person.widget = AutocompleteSelect(Registration._meta.get_field("delegate"), admin_site)
        person.widget.choices = person.choices
        person.widget.is_required = True


class PrintBadgesForm(forms.Form):
    layout = forms.ChoiceField(
        label=_("Sheet layout"),
        choices=BadgeSheetJob.Layout.choices,
        initial=BadgeSheetJob.Layout.A4_FOUR_UP,
        widget=forms.RadioSelect,
    )


class QuickActionCheckboxMixin:
    """Django's action checkbox markup, written directly: a template-rendered widget on each of
    a hundred rows cost about a third of a list page."""

    def action_checkbox_label(self, obj) -> str:
        return str(obj)

    def action_checkbox(self, obj) -> str:
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            admin.helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(
                gettext("Select this object for an action - {}"), self.action_checkbox_label(obj)
            ),
        )


def _form_page(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    *,
    form: forms.Form,
    title: str,
    template: str,
    **context: Any,
) -> TemplateResponse:
    """A page of the admin's own with one form, in the admin's frame."""
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "opts": model_admin.model._meta,
            "form": form,
            "media": model_admin.media + form.media,
            **context,
        },
    )


def _intermediate(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    queryset: QuerySet[Registration],
    *,
    form: forms.Form,
    action: str,
    title: str,
    template: str,
) -> TemplateResponse:
    """The page an action shows before it runs: the selected delegates and the action's form."""
    return _form_page(
        request,
        model_admin,
        form=form,
        title=title,
        template=template,
        action=action,
        registrations=queryset[:200],
        count=queryset.count(),
        selected_ids=list(queryset.values_list("pk", flat=True)),
        action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
    )


@admin.register(Registration)
class RegistrationAdmin(QuickActionCheckboxMixin, SimpleHistoryAdmin):
    """The delegate list: one row per registration, with the person, city and state."""

    list_display = (
        "name",
        "city_name",
        "delegation_role",
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
        (
            None,
            {
                "fields": (
                    "event",
                    "delegate_link",
                    "city",
                    "state",
                    "holds_place",
                    "decline_reason",
                    "submitted_at",
                    "state_changed_at",
                )
            },
        ),
        (_("Registration"), {"fields": REGISTRATION_FIELDS}),
        (_("Secretariat"), {"fields": (*STAFF_FIELDS, "visa_letter_status", "badge_status")}),
        (
            _("Venue desk"),
            {"fields": ("checked_in_at", "checked_in_desk", "checked_in_by")},
        ),
    )
    readonly_fields = (
        "event",
        "delegate_link",
        "city",
        "state",
        "holds_place",
        "decline_reason",
        "submitted_at",
        "state_changed_at",
        "visa_letter_status",
        "badge_status",
        "checked_in_at",
        "checked_in_desk",
        "checked_in_by",
    )
    inlines = [RegistrationLogInline]
    actions = (
        "confirm_selected",
        "waitlist_selected",
        "decline_selected",
        "resend_confirmation",
        "render_badges_again",
        "print_badges",
        "issue_visa_letters",
        "export_csv",
        "export_xlsx",
        "erase_selected",
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
        return _form_page(
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

    # Actions

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Registration],
        service,
        done_message: str,
        **kwargs,
    ) -> None:
        done = 0
        for registration in queryset:
            try:
                service(registration=registration, actor=request.user, **kwargs)
            except RegistrationError as error:
                self.message_user(
                    request, f"{registration.delegate}: {error.message}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Confirm the selected delegates"), permissions=["change"])
    def confirm_selected(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        self._each(request, queryset, registration_confirm, _("%(count)d confirmed and emailed."))

    @admin.action(
        description=_("Put the selected delegates on the waitlist"), permissions=["change"]
    )
    def waitlist_selected(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        self._each(request, queryset, registration_waitlist, _("%(count)d waitlisted and emailed."))

    @admin.action(
        description=_("Decline the selected delegates (with a reason)"), permissions=["change"]
    )
    def decline_selected(
        self, request: HttpRequest, queryset: QuerySet[Registration]
    ) -> TemplateResponse | None:
        form = DeclineForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._each(
                request,
                queryset,
                registration_decline,
                _("%(count)d declined; each was emailed the reason."),
                reason=form.cleaned_data["reason"],
            )
            return None
        return _intermediate(
            request,
            self,
            queryset,
            form=form,
            action="decline_selected",
            title=_("Decline delegates"),
            template="admin/registration/registration/decline.html",
        )

    @admin.action(description=_("Send the confirmation email again"), permissions=["change"])
    def resend_confirmation(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        self._each(
            request,
            queryset,
            registration_resend_confirmation,
            _("%(count)d confirmation emails queued."),
        )

    @admin.action(description=_("Render the badges again"), permissions=["change"])
    def render_badges_again(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        registrations = list(queryset)
        count = badges_render_again(registrations=registrations)
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d badge will be rendered again by the worker.",
                    "%(count)d badges will be rendered again by the worker.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        if count < len(registrations):
            self.message_user(
                request,
                _("%(count)d not confirmed, so without a badge.")
                % {"count": len(registrations) - count},
                messages.WARNING,
            )

    @admin.action(
        description=_("Print the badges of the selected delegates"), permissions=["change"]
    )
    def print_badges(
        self, request: HttpRequest, queryset: QuerySet[Registration]
    ) -> HttpResponse | None:
        form = PrintBadgesForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                job = sheet_job_create(
                    registration_ids=list(queryset.values_list("pk", flat=True)),
                    layout=form.cleaned_data["layout"],
                    actor=request.user,
                )
            except RegistrationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return None
            return HttpResponseRedirect(reverse("staff_sheet", args=[job.pk]))
        return _intermediate(
            request,
            self,
            queryset,
            form=form,
            action="print_badges",
            title=_("Print badges"),
            template="admin/registration/registration/print_badges.html",
        )

    @admin.action(
        description=_("Issue visa letters for the selected delegates"), permissions=["change"]
    )
    def issue_visa_letters(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        done = 0
        for registration in queryset:
            try:
                visa_letter_issue(registration=registration, actor=request.user)
            except RegistrationError as error:
                self.message_user(
                    request, f"{registration.delegate}: {error.message}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d visa letter issued; the delegate can download it.",
                    "%(count)d visa letters issued; the delegates can download them.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Export the selected delegates (CSV)"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Registration]) -> HttpResponse:
        return delegates_response(registrations=queryset, fmt="csv")

    @admin.action(description=_("Export the selected delegates (XLSX)"), permissions=["view"])
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Registration]) -> HttpResponse:
        return delegates_response(registrations=queryset, fmt="xlsx")

    @admin.action(
        description=_("Erase the selected people's personal data"), permissions=["change"]
    )
    def erase_selected(
        self, request: HttpRequest, queryset: QuerySet[Registration]
    ) -> TemplateResponse | None:
        form = EraseForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            erased = 0
            delegate_ids = set(queryset.values_list("delegate_id", flat=True))
            for delegate in Delegate.objects.filter(pk__in=delegate_ids).order_by("pk"):
                try:
                    delegate_erase(delegate=delegate, actor=request.user)
                except RegistrationError as error:
                    self.message_user(request, f"{delegate}: {error.message}", messages.ERROR)
                else:
                    erased += 1
            if erased:
                self.message_user(
                    request,
                    ngettext(
                        "The personal data of %(count)d person was erased.",
                        "The personal data of %(count)d people was erased.",
                        erased,
                    )
                    % {"count": erased},
                    messages.SUCCESS,
                )
            return None
        return _intermediate(
            request,
            self,
            queryset,
            form=form,
            action="erase_selected",
            title=_("Erase personal data"),
            template="admin/registration/registration/erase.html",
        )


@admin.register(OutboxEmail)
class OutboxEmailAdmin(QuickActionCheckboxMixin, admin.ModelAdmin):
    """The email log: every email with its state, attempts and last error."""

    list_display = (
        "created_at",
        "kind",
        "recipient",
        "language",
        "status",
        "attempts",
        "error_short",
        "sent_at",
    )
    list_filter = ("status", "kind", "language")
    search_fields = ("recipient", "subject")
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]
    show_full_result_count = False
    actions = ("resend",)

    @admin.display(description=_("last error"))
    def error_short(self, obj: OutboxEmail) -> str:
        return obj.last_error[:80] + ("…" if len(obj.last_error) > 80 else "")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Send the selected emails again"), permissions=["view"])
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxEmail]) -> None:
        count = 0
        for email in queryset:
            email_resend(email=email)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


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


# Member cities: registered in this app because the counts are of the current event's
# registrations (delegates must not import registration).


@admin.register(MemberCity)
class MemberCityAdmin(QuickActionCheckboxMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
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


# Venue desk


@admin.register(DeskLog)
class DeskLogAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PrivacyNoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ("text_en", "text_ko")
        help_texts = {
            "text_en": _(
                "Saving publishes this text as the next version: new registrations accept it, "
                "and every consent already given keeps pointing to the version it saw."
            ),
        }
        widgets = {
            "text_en": forms.Textarea(attrs={"rows": 12, "cols": 90}),
            "text_ko": forms.Textarea(attrs={"rows": 12, "cols": 90}),
        }


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    """Versions of the privacy notice. A version is never edited: a changed text is published as
    the next version, and every consent keeps pointing to the version the delegate saw."""

    form = PrivacyNoticeForm
    list_display = ("__str__", "published_at", "consents")
    ordering = ("-version",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PrivacyNotice]:
        return super().get_queryset(request).annotate(consent_count=Count("consents"))

    @admin.display(description=_("consents"), ordering="consent_count")
    def consents(self, obj: PrivacyNotice) -> int:
        return obj.consent_count

    def add_view(self, request, form_url="", extra_context=None):
        context = {
            "title": _("Publish a new version of the privacy notice"),
            "subtitle": None,
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
            **(extra_context or {}),
        }
        return super().add_view(request, form_url, context)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, str]:
        current = PrivacyNotice.objects.order_by("-version").first()
        if current is None:
            return {}
        return {"text_en": current.text_en, "text_ko": current.text_ko}

    def get_readonly_fields(self, request: HttpRequest, obj: PrivacyNotice | None = None):
        return ("version", "text_en", "text_ko", "published_at") if obj else ()

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        published = privacy_notice_publish(text_en=obj.text_en, text_ko=obj.text_ko)
        obj.pk, obj.version, obj.published_at = (
            published.pk,
            published.version,
            published.published_at,
        )

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _("Published as version %(version)d. New registrations accept this version.")
            % {"version": obj.version},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:registration_privacynotice_changelist"))


@admin.register(PurgeRecord)
class PurgeRecordAdmin(admin.ModelAdmin):
    """What the retention purge and each erasure removed: the secretariat's record of it."""

    list_display = ("ran_at", "reason", "event", "delegate_count", "ran_by")
    list_filter = ("reason", "event")
    list_select_related = ("event", "ran_by")
    readonly_fields = ("ran_at", "reason", "event", "delegate_count", "erased", "ran_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
