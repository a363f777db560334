"""The admin's lists cost the same few queries with 100 registrations as with 10,000."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from delegates.models import Delegate, MemberCity, Region
from registration.models import Category, Registration, State
from tests.factories import EventFactory, UserFactory

MAX_QUERIES = 16
STATES = [State.CONFIRMED, State.CONFIRMED, State.PENDING, State.WAITLISTED, State.DECLINED]


def build(count: int):
    """`count` registrations over 133 cities, written in bulk (this is about reading)."""
    event = EventFactory()
    regions = Region.objects.bulk_create(
        Region(code=f"bulk-{n}", name=f"Region {n}") for n in range(6)
    )
    cities = MemberCity.objects.bulk_create(
        MemberCity(
            code=f"bulk-city-{n}",
            name_en=f"City {n}",
            name_local=f"도시 {n}",
            country=["KR", "GH", "MX", "FR", "JP"][n % 5],
            region=regions[n % 6],
            delegation_quota=100,
        )
        for n in range(133)
    )
    city_cycle = itertools.cycle(cities)
    delegates = Delegate.objects.bulk_create(
        Delegate(
            email=f"bulk{n}@example.org",
            given_name="Ana",
            family_name=f"Family{n}",
            native_name=f"가족{n}",
            city=next(city_cycle),
            search_text=f"ana family{n} 가족{n} bulk{n}@example.org",
        )
        for n in range(count)
    )
    now = timezone.now()
    Registration.objects.bulk_create(
        (
            Registration(
                event=event,
                delegate=delegate,
                city=delegate.city,
                state=STATES[n % len(STATES)],
                holds_place=STATES[n % len(STATES)] == State.CONFIRMED,
                category=Category.DELEGATE,
                consent_given_at=now,
                visa_letter_wanted=n % 7 == 0,
                hotel_needed=n % 2 == 0,
                hotel_name="Courtyard Pangyo" if n % 4 == 0 else "",
            )
            for n, delegate in enumerate(delegates)
        ),
        batch_size=2000,
    )
    return event


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("count", [100, 10_000])
def test_delegate_list_queries_do_not_grow_with_rows(
    superuser_client, django_assert_max_num_queries, count
):
    build(count)
    url = reverse("admin:registration_registration_changelist")
    superuser_client.get(url)  # warm caches that are not per request (content types)

    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = superuser_client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 100
    plain = len(captured)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = superuser_client.get(url, {"q": "family9", "state__exact": "confirmed"})
    assert response.status_code == 200

    with django_assert_max_num_queries(MAX_QUERIES):
        response = superuser_client.get(
            url, {"checked_in": "no", "visa": "wanted", "hotel": "none"}
        )
    assert response.status_code == 200
    print(f"\ndelegate list at {count} registrations: {plain} queries")


@pytest.mark.parametrize("count", [100, 10_000])
def test_city_list_counts_in_one_query_at_any_size(
    superuser_client, django_assert_max_num_queries, count
):
    event = build(count)
    url = reverse("admin:delegates_membercity_changelist")
    superuser_client.get(url)
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = superuser_client.get(url)
    assert response.status_code == 200
    cities = response.context["cl"].result_list
    assert len(cities) == 133
    total = sum(c.registered_count for c in cities)
    live = Registration.objects.filter(
        event=event, state__in=[State.PENDING, State.CONFIRMED, State.WAITLISTED]
    ).count()
    assert total == live
    assert (
        sum(c.confirmed_count for c in cities)
        == Registration.objects.filter(state=State.CONFIRMED).count()
    )
    print(f"\ncity list at {count} registrations: {len(captured)} queries")


def test_dashboard_queries_do_not_grow_with_rows(superuser_client, django_assert_max_num_queries):
    build(2_000)
    url = reverse("staff_dashboard")
    superuser_client.get(url)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = superuser_client.get(url)
    assert response.status_code == 200
    assert response.context["board"].total == 2_000
