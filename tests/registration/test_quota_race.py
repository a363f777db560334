"""The quota holds when many delegates of one city press submit at the same moment."""

import threading

import pytest
from django.db import connection

from registration.errors import RegistrationError
from registration.models import Registration, State
from registration.services.registrations import registration_submit
from tests.factories import DelegateFactory, EventFactory, MemberCityFactory

THREADS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_submissions_fill_a_quota_of_three_exactly():
    event = EventFactory()
    city = MemberCityFactory(delegation_quota=3)
    delegates = [DelegateFactory(city=city) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def submit(delegate):
        try:
            barrier.wait(timeout=30)
            registration_submit(delegate=delegate, event=event, data={}, actor=None)
        except BaseException as error:  # collected: a thread's error must fail the test
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(d,)) for d in delegates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    registrations = Registration.objects.filter(event=event, city=city)
    assert registrations.count() == THREADS
    assert registrations.filter(holds_place=True).count() == 3
    assert registrations.filter(state=State.CONFIRMED).count() == 3
    assert registrations.filter(state=State.WAITLISTED).count() == THREADS - 3


@pytest.mark.django_db(transaction=True)
def test_one_person_submitting_twice_at_once_gets_one_registration_and_a_message():
    event = EventFactory()
    delegate = DelegateFactory(city=MemberCityFactory())
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        try:
            barrier.wait(timeout=10)
            registration_submit(delegate=delegate, event=event, data={}, actor=None)
            outcomes.append("registered")
        except RegistrationError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes)[1] == "registered"
    assert "already registered" in sorted(outcomes)[0]
    assert Registration.objects.filter(delegate=delegate).count() == 1
