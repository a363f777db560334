"""Every state transition of a registration, the quota and the waitlist."""

from datetime import timedelta

import pytest
from django.utils import timezone

from delegates.models import Membership
from registration.errors import RegistrationError
from registration.models import OutboxEmail, Registration, RegistrationLog, State
from registration.services.registrations import registration_submit, registration_update
from registration.services.states import (
    registration_cancel,
    registration_confirm,
    registration_decline,
    registration_waitlist,
)
from tests.factories import DelegateFactory, EventFactory, MemberCityFactory, UserFactory

pytestmark = pytest.mark.django_db

Action = RegistrationLog.Action


def kinds(registration):
    return list(registration.emails.order_by("pk").values_list("kind", flat=True))


def test_submit_inside_quota_of_full_member_is_confirmed_at_once(event, city, submit):
    registration = submit(city)
    assert registration.state == State.CONFIRMED
    assert registration.holds_place
    assert kinds(registration) == [OutboxEmail.Kind.CONFIRMED]
    actions = list(registration.log.values_list("action", flat=True))
    assert actions == [Action.SUBMITTED, Action.CONFIRMED]


def test_submit_waits_for_secretariat_when_event_does_not_confirm_at_once(city, submit):
    event = EventFactory(confirm_within_quota=False)
    registration = submit(city, target_event=event)
    assert registration.state == State.PENDING
    assert registration.holds_place
    assert kinds(registration) == [OutboxEmail.Kind.RECEIVED]


@pytest.mark.parametrize(
    "membership", [Membership.NON_MEMBER, Membership.SISTER_CITY, Membership.PARTNER]
)
def test_submit_of_non_member_city_waits_for_secretariat(event, submit, membership):
    registration = submit(MemberCityFactory(membership=membership))
    assert registration.state == State.PENDING


def test_submit_from_a_city_not_in_the_list_is_pending_without_quota(event):
    delegate = DelegateFactory(city=None, other_city="Springfield", other_country="US")
    registration = registration_submit(delegate=delegate, event=event, data={}, actor=None)
    assert registration.state == State.PENDING
    assert not registration.holds_place
    assert registration.city is None


def test_submit_over_quota_is_waitlisted(event, submit):
    city = MemberCityFactory(delegation_quota=2)
    first, second, third = submit(city), submit(city), submit(city)
    assert [first.state, second.state] == [State.CONFIRMED, State.CONFIRMED]
    assert third.state == State.WAITLISTED
    assert not third.holds_place
    assert kinds(third) == [OutboxEmail.Kind.WAITLISTED]


def test_cancel_frees_the_place_for_the_oldest_waitlisted(event, submit):
    city = MemberCityFactory(delegation_quota=1)
    holder = submit(city)
    older, newer = submit(city), submit(city)
    registration_cancel(registration=holder, actor=None)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.state == State.CONFIRMED and older.holds_place
    assert newer.state == State.WAITLISTED
    assert kinds(older) == [OutboxEmail.Kind.WAITLISTED, OutboxEmail.Kind.PROMOTED]
    assert older.log.last().action == Action.PROMOTED


def test_promotion_without_automatic_confirmation_goes_to_pending(submit):
    event = EventFactory(confirm_within_quota=False)
    city = MemberCityFactory(delegation_quota=1)
    holder = submit(city, target_event=event)
    waiting = submit(city, target_event=event)
    registration_decline(registration=holder, actor=None, reason="Duplicate person")
    waiting.refresh_from_db()
    assert waiting.state == State.PENDING and waiting.holds_place


def test_secretariat_confirms_pending(city, submit):
    event = EventFactory(confirm_within_quota=False)
    staff = UserFactory(is_staff=True)
    registration = submit(city, target_event=event)
    registration = registration_confirm(registration=registration, actor=staff)
    assert registration.state == State.CONFIRMED
    entry = registration.log.last()
    assert (entry.action, entry.actor, entry.from_state) == (Action.CONFIRMED, staff, "pending")
    assert kinds(registration)[-1] == OutboxEmail.Kind.CONFIRMED


def test_confirming_a_waitlisted_registration_needs_a_free_place(event, submit):
    city = MemberCityFactory(delegation_quota=1)
    submit(city)
    waiting = submit(city)
    with pytest.raises(RegistrationError, match="no free place"):
        registration_confirm(registration=waiting, actor=None)
    city.delegation_quota = 2
    city.save()
    assert registration_confirm(registration=waiting, actor=None).holds_place


def test_waitlisting_a_confirmed_registration_gives_its_place_to_the_next(event, submit):
    city = MemberCityFactory(delegation_quota=1)
    holder = submit(city)
    waiting = submit(city)
    registration_waitlist(registration=holder, actor=None, reason="Quota rearranged")
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert waiting.state == State.CONFIRMED
    assert holder.state == State.WAITLISTED and not holder.holds_place


def test_decline_needs_a_reason_and_records_it(event, city, submit):
    registration = submit(city)
    with pytest.raises(RegistrationError, match="reason"):
        registration_decline(registration=registration, actor=None, reason="  ")
    registration.refresh_from_db()
    assert registration.state == State.CONFIRMED
    registration = registration_decline(
        registration=registration, actor=None, reason="Not a city official"
    )
    assert registration.state == State.DECLINED
    assert registration.decline_reason == "Not a city official"
    declined_email = registration.emails.get(kind=OutboxEmail.Kind.DECLINED)
    assert "Not a city official" in declined_email.body_text


@pytest.mark.parametrize("final", ["declined", "cancelled"])
def test_finished_registrations_cannot_move_again(event, city, submit, final):
    registration = submit(city)
    if final == "declined":
        registration_decline(registration=registration, actor=None, reason="No")
    else:
        registration_cancel(registration=registration, actor=None)
    for change in (
        lambda: registration_confirm(registration=registration, actor=None),
        lambda: registration_waitlist(registration=registration, actor=None),
        lambda: registration_cancel(registration=registration, actor=None),
    ):
        with pytest.raises(RegistrationError):
            change()


def test_a_confirmed_registration_cannot_be_confirmed_twice(event, city, submit):
    registration = submit(city)
    with pytest.raises(RegistrationError, match="cannot be confirmed"):
        registration_confirm(registration=registration, actor=None)


def test_same_person_cannot_register_twice_for_one_event(event, city):
    delegate = DelegateFactory(city=city)
    registration_submit(delegate=delegate, event=event, data={}, actor=None)
    with pytest.raises(RegistrationError, match="already registered"):
        registration_submit(delegate=delegate, event=event, data={}, actor=None)
    assert Registration.objects.filter(delegate=delegate).count() == 1


def test_the_database_refuses_a_second_registration_of_one_person(event, city):
    from django.db import IntegrityError, transaction

    from tests.factories import RegistrationFactory

    registration = RegistrationFactory(event=event)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(event=event, delegate=registration.delegate)


def test_closed_registration_refuses_new_submissions(city):
    past = EventFactory(
        registration_opens_at=timezone.now() - timedelta(days=30),
        registration_closes_at=timezone.now() - timedelta(days=1),
    )
    future = EventFactory(registration_opens_at=timezone.now() + timedelta(days=1))
    delegate = DelegateFactory(city=city)
    with pytest.raises(RegistrationError, match="closed"):
        registration_submit(delegate=delegate, event=past, data={}, actor=None)
    with pytest.raises(RegistrationError, match="not opened"):
        registration_submit(delegate=delegate, event=future, data={}, actor=None)
    assert not Registration.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_a_city_has_one_head_of_delegation(event, city, submit):
    from registration.services.heads import head_claim_grant

    first = submit(city, role="head")
    # Claims wait side by side until the secretariat grants one of them.
    second = submit(city, role="head")
    head_claim_grant(registration=first, actor=None)
    with pytest.raises(RegistrationError, match="already has a head"):
        submit(city, role="head")
    with pytest.raises(RegistrationError, match="already has a head"):
        head_claim_grant(registration=second, actor=None)
    delegate = submit(city)
    for by_secretariat in (True, False):
        with pytest.raises(RegistrationError, match="already has a head"):
            registration_update(
                registration=delegate,
                data={"delegation_role": "head"},
                actor=None,
                by_secretariat=by_secretariat,
            )


def test_secretariat_edit_is_logged_and_emailed(event, city, submit):
    registration = submit(city)
    staff = UserFactory(is_staff=True)
    registration_update(
        registration=registration,
        data={"hotel_needed": True, "arrival_flight": "KE902"},
        actor=staff,
        by_secretariat=True,
    )
    entry = registration.log.last()
    assert entry.action == Action.EDITED and entry.actor == staff
    assert entry.changes["hotel_needed"] == [False, True]
    assert kinds(registration)[-1] == OutboxEmail.Kind.CHANGED


def test_delegate_cannot_edit_after_the_deadline(city, submit):
    event = EventFactory(edit_deadline=timezone.now() + timedelta(seconds=1))
    registration = submit(city, target_event=event)
    event.edit_deadline = timezone.now() - timedelta(seconds=1)
    event.save()
    with pytest.raises(RegistrationError, match="deadline"):
        registration_update(registration=registration, data={"hotel_needed": True}, actor=None)
    registration.refresh_from_db()
    assert not registration.hotel_needed


def test_every_state_change_email_is_written_with_the_change(event, city, submit):
    """The outbox row is part of the same transaction: a failed change leaves no email."""
    registration = submit(city)
    before = OutboxEmail.objects.count()
    with pytest.raises(RegistrationError):
        registration_confirm(registration=registration, actor=None)
    assert OutboxEmail.objects.count() == before


def test_reminders_go_once_to_confirmed_delegates_a_few_days_before(city, submit):
    from registration.services.reminders import event_reminders_queue

    soon = EventFactory(starts_on=timezone.localdate() + timedelta(days=2))
    confirmed = submit(city, target_event=soon)
    cancelled = submit(city, target_event=soon)
    registration_cancel(registration=cancelled, actor=None)
    assert event_reminders_queue(event=soon) == 1
    assert event_reminders_queue(event=soon) == 0
    assert confirmed.emails.filter(kind=OutboxEmail.Kind.REMINDER).count() == 1
    later = EventFactory(starts_on=timezone.localdate() + timedelta(days=20))
    submit(city, target_event=later)
    assert event_reminders_queue(event=later) == 0
