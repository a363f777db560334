"""Reads for the secretariat: dashboard totals, annotated lists and the operational lists.

Every function here costs a fixed number of queries, however many delegates there are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django_countries import countries

from delegates.models import PASSPORT_FIELDS, Diet, MemberCity, Region
from registration.models import (
    LIVE_STATES,
    BadgeSheetJob,
    Category,
    DelegationRole,
    Event,
    Registration,
    State,
    VisaLetter,
)
from registration.selectors.registrations import event_current


def cities_with_counts(
    queryset: QuerySet[MemberCity], *, event: Event | None
) -> QuerySet[MemberCity]:
    """Member cities with registered / confirmed / waitlisted counts for `event`, in one query."""
    if event is None:
        return queryset.annotate(
            registered_count=Count("pk", filter=Q(pk__in=[])),
            confirmed_count=Count("pk", filter=Q(pk__in=[])),
            waitlisted_count=Count("pk", filter=Q(pk__in=[])),
        )
    of_event = Q(registrations__event=event)
    return queryset.annotate(
        registered_count=Count(
            "registrations", filter=of_event & Q(registrations__state__in=LIVE_STATES)
        ),
        confirmed_count=Count(
            "registrations", filter=of_event & Q(registrations__state=State.CONFIRMED)
        ),
        waitlisted_count=Count(
            "registrations", filter=of_event & Q(registrations__state=State.WAITLISTED)
        ),
    )


def registrations_for_admin(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    """The delegate list: its joins and the 'letter issued' flag, without passport columns."""
    return (
        queryset.select_related("delegate", "city", "event", "city__region")
        .defer(
            *(f"delegate__{name}" for name in PASSPORT_FIELDS),
            "delegate__search_text",
            "delegate__accessibility_needs",
        )
        .annotate(has_visa_letter=Exists(VisaLetter.objects.filter(registration=OuterRef("pk"))))
    )


# Dashboard


@dataclass
class CityQuota:
    city: MemberCity
    confirmed: int
    quota: int

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.confirmed / self.quota)) if self.quota else 0


@dataclass
class Dashboard:
    event: Event | None
    total: int = 0
    by_state: list[tuple[str, str, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_region: list[tuple[str, int]] = field(default_factory=list)
    by_country: list[tuple[str, int]] = field(default_factory=list)
    per_day: list[tuple[date, int]] = field(default_factory=list)
    cities: list[CityQuota] = field(default_factory=list)
    checked_in: int = 0
    confirmed: int = 0
    head_claims: int = 0
    recent_jobs: list[BadgeSheetJob] = field(default_factory=list)

    def chart_data(self) -> dict[str, Any]:
        """What the charts draw: the same numbers as the tables, as plain JSON."""
        return {
            "state": {
                "labels": [label for _code, label, _n in self.by_state],
                "values": [n for _code, _label, n in self.by_state],
            },
            "category": {
                "labels": [label for label, _n in self.by_category],
                "values": [n for _label, n in self.by_category],
            },
            "region": {
                "labels": [label for label, _n in self.by_region],
                "values": [n for _label, n in self.by_region],
            },
            "per_day": {
                "labels": [day.isoformat() for day, _n in self.per_day],
                "values": [n for _day, n in self.per_day],
            },
        }


def dashboard_for(*, event: Event | None) -> Dashboard:
    """Totals for the staff dashboard: a handful of grouped queries, never one per row."""
    board = Dashboard(event=event)
    if event is None:
        return board
    registrations = Registration.objects.filter(event=event)
    states = dict(registrations.values_list("state").annotate(n=Count("pk")).order_by())
    board.by_state = [(code, str(label), states.get(code, 0)) for code, label in State.choices]
    board.total = sum(states.values())
    board.confirmed = states.get(State.CONFIRMED, 0)
    live = registrations.filter(state__in=LIVE_STATES)

    categories = dict(live.values_list("category").annotate(n=Count("pk")).order_by())
    board.by_category = [
        (str(label), categories[code]) for code, label in Category.choices if code in categories
    ]

    regions = dict(
        live.values_list("city__region_id").annotate(n=Count("pk")).order_by()
    )  # None: delegates of other (non-member) cities
    names = dict(Region.objects.values_list("pk", "name"))
    board.by_region = sorted(
        ((names.get(pk, "—") if pk else "—", n) for pk, n in regions.items()),
        key=lambda item: -item[1],
    )

    country_counts: Counter[str] = Counter()
    for city_country, other_country, n in (
        live.values_list("city__country", "delegate__other_country")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        country_counts[city_country or other_country or ""] += n
    board.by_country = [
        (dict(countries).get(code, code or "—"), n) for code, n in country_counts.most_common()
    ]

    board.per_day = list(
        registrations.annotate(day=TruncDate("submitted_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    board.checked_in = registrations.filter(checked_in_at__isnull=False).count()
    board.head_claims = live.filter(
        delegation_role=DelegationRole.HEAD, head_granted_at__isnull=True
    ).count()

    cities = cities_with_counts(
        MemberCity.objects.filter(is_active=True).select_related("region"), event=event
    ).order_by("name_en")
    board.cities = [
        CityQuota(city=city, confirmed=city.confirmed_count, quota=city.delegation_quota)
        for city in cities
    ]
    board.recent_jobs = list(BadgeSheetJob.objects.order_by("-created_at")[:5])
    return board


def dashboard_current() -> Dashboard:
    return dashboard_for(event=event_current())


# Operational lists


def _list_base(event: Event) -> QuerySet[Registration]:
    return Registration.objects.filter(event=event).select_related(
        "delegate", "city", "delegate__city"
    )


def catering_rows(*, event: Event) -> QuerySet[Registration]:
    """Confirmed delegates with a dietary need, by need then name."""
    return (
        _list_base(event)
        .filter(state=State.CONFIRMED)
        .exclude(delegate__diet="", delegate__dietary_notes="")
        .order_by("delegate__diet", "delegate__family_name", "delegate__given_name")
    )


def catering_counts(*, event: Event) -> list[tuple[str, int]]:
    """How many confirmed delegates need each diet (including 'no special diet')."""
    counts = dict(
        Registration.objects.filter(event=event, state=State.CONFIRMED)
        .values_list("delegate__diet")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(str(label), counts.get(code, 0)) for code, label in Diet.choices]


def rooming_rows(*, event: Event) -> QuerySet[Registration]:
    """Confirmed delegates who need a room, by hotel, arrival and name."""
    return (
        _list_base(event)
        .filter(state=State.CONFIRMED, hotel_needed=True)
        .order_by("hotel_name", "arrival_date", "delegate__family_name")
    )


def pickup_rows(*, event: Event) -> QuerySet[Registration]:
    """Confirmed delegates with an arrival day, in the order they land."""
    return (
        _list_base(event)
        .filter(state=State.CONFIRMED, arrival_date__isnull=False)
        .order_by("arrival_date", "arrival_time", "arrival_flight", "delegate__family_name")
    )


def visa_letter_rows(*, event: Event) -> QuerySet[Registration]:
    """Live registrations that asked for a visa letter; the only list with passport details."""
    return (
        Registration.objects.filter(event=event, visa_letter_wanted=True, state__in=LIVE_STATES)
        .select_related("delegate", "city", "visa_letter")
        .order_by("delegate__family_name", "delegate__given_name")
    )


def badge_collection_rows(*, event: Event) -> QuerySet[Registration]:
    """Confirmed delegates by city, for handing out printed badges by delegation."""
    return (
        _list_base(event)
        .filter(state=State.CONFIRMED)
        .order_by("city__name_en", "delegate__other_city", "delegate__family_name")
    )
