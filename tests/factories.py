"""Test data. Registrations in behaviour tests are made through the services, as people would."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from delegates.models import Delegate, MemberCity, Membership, Region, User
from registration.models import Category, DelegationRole, Event, Registration, Session, State


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.django.Password("correct-horse-battery")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Region {n}")


class MemberCityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberCity

    code = factory.Sequence(lambda n: f"city-{n}")
    name_en = factory.Sequence(lambda n: f"City {n}")
    name_local = ""
    country = "KR"
    region = factory.SubFactory(RegionFactory)
    membership = Membership.FULL
    delegation_quota = 3


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = "WeGO EXCOM"
    slug = factory.Sequence(lambda n: f"excom-{n}")
    theme = "Human-centred smart cities"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + timedelta(days=2))
    venue = "Gyeonggi Creative Economy Innovation Center"
    venue_address = "Pangyo, Seongnam"
    host_city = "Seongnam"
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    registration_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    edit_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=25))
    confirm_within_quota = True


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    code = factory.Sequence(lambda n: f"session-{n}")
    name = factory.Sequence(lambda n: f"Session {n}")


class DelegateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegate

    email = factory.Sequence(lambda n: f"delegate{n}@example.org")
    given_name = "Ana"
    family_name = factory.Sequence(lambda n: f"Delegate{n}")
    job_title = "Director of Smart City Policy"
    organisation = "City Hall"
    city = factory.SubFactory(MemberCityFactory)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration written directly, for tests of what is shown rather than of the rules."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    delegate = factory.SubFactory(DelegateFactory)
    city = factory.LazyAttribute(lambda o: o.delegate.city)
    delegation_role = DelegationRole.DELEGATE
    category = Category.DELEGATE
    state = State.CONFIRMED
    holds_place = True
    consent_given_at = factory.LazyFunction(timezone.now)


def birthday() -> date:
    return date(1980, 5, 17)
