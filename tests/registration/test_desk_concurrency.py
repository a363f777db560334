"""Two desks, one badge: ten desks scanning the same badge at the same moment check in once."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from delegates.services import delegate_save
from registration.models import DeskLog, Registration
from registration.services.checkin import Outcome, desk_check_in
from registration.services.registrations import registration_submit
from tests.factories import EventFactory, MemberCityFactory

DESKS = 10


@pytest.mark.django_db(transaction=True)
def test_ten_desks_scanning_one_badge_at_once_check_in_exactly_once():
    event = EventFactory()
    city = MemberCityFactory()
    delegate, _changes = delegate_save(
        delegate=None,
        email="race@example.org",
        data={"given_name": "Ji-woo", "family_name": "Han", "city": city},
    )
    registration = registration_submit(delegate=delegate, event=event, data={}, actor=None)
    barrier = threading.Barrier(DESKS)
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def scan(desk: str) -> None:
        try:
            barrier.wait(timeout=30)
            result = desk_check_in(
                event=event, token=registration.badge_token, desk=desk, operator=None
            )
            outcomes.append(result.outcome)
        except BaseException as error:  # collected: a thread's error must fail the test
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan, args=(f"Desk {n}",)) for n in range(1, DESKS + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert sorted(outcomes) == sorted([Outcome.ALREADY] * (DESKS - 1) + [Outcome.CHECKED_IN])
    registration.refresh_from_db()
    winner = DeskLog.objects.get(action=DeskLog.Action.CHECKED_IN)
    assert registration.checked_in_desk == winner.desk
    assert DeskLog.objects.filter(action=DeskLog.Action.ALREADY_CHECKED_IN).count() == DESKS - 1
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_desk_that_loses_the_race_while_waiting_for_the_row_is_told_already():
    """The check-in looks the card up before its UPDATE. When another desk's check-in commits
    while the UPDATE waits for the row, the UPDATE matches nothing although the card looked
    ready: the desk must look again and say "already", and check nobody in twice."""
    from django.db import connections, transaction
    from django.utils import timezone

    event = EventFactory()
    delegate, _changes = delegate_save(
        delegate=None,
        email="late@example.org",
        data={"given_name": "Min", "family_name": "Seo", "city": MemberCityFactory()},
    )
    registration = registration_submit(delegate=delegate, event=event, data={}, actor=None)
    holding = threading.Event()
    failures: list[BaseException] = []

    def other_desk() -> None:
        # Check in by hand and commit only once this desk's UPDATE waits for the row lock.
        try:
            with transaction.atomic():
                Registration.objects.filter(pk=registration.pk).update(
                    checked_in_at=timezone.now(), checked_in_desk="Desk 9"
                )
                holding.set()
                with connections["default"].cursor() as cursor:
                    for _n in range(500):
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        )
                        if cursor.fetchone()[0]:
                            break
                        time.sleep(0.01)
        except BaseException as error:  # collected: a thread's error must fail the test
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=other_desk)
    thread.start()
    assert holding.wait(30)
    result = desk_check_in(
        event=event, token=registration.badge_token, desk="Desk 1", operator=None
    )
    thread.join(30)

    assert failures == []
    registration.refresh_from_db()
    assert registration.checked_in_desk == "Desk 9"
    assert result.outcome == Outcome.ALREADY
    assert result.registration.checked_in_desk == "Desk 9"
    assert list(DeskLog.objects.values_list("action", "desk")) == [
        (DeskLog.Action.ALREADY_CHECKED_IN, "Desk 1")
    ]
