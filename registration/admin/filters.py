"""The delegate list's and the city list's filters."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from delegates.models import Diet, MemberCity
from registration.models import LIVE_STATES, DelegationRole, Registration

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


class HeadOfDelegationFilter(admin.SimpleListFilter):
    """Head claims waiting for the secretariat, and the heads it granted."""

    title = _("head of delegation")
    parameter_name = "head"

    def lookups(self, request, model_admin):
        return (("claimed", _("Claimed, to decide")), ("granted", _("Granted")))

    def queryset(self, request, queryset):
        heads = queryset.filter(delegation_role=DelegationRole.HEAD, state__in=LIVE_STATES)
        if self.value() == "claimed":
            return heads.filter(head_granted_at__isnull=True)
        if self.value() == "granted":
            return heads.filter(head_granted_at__isnull=False)
        return queryset
