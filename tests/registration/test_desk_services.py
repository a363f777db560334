"""The desk's services: scan, check-in, refusals, unknown codes and prints (walk-ins:
test_desk_walk_ins.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import translation

from registration.errors import RegistrationError
from registration.models import Badge, DeskLog, Registration, State
from registration.services.badges import badge_ensure
from registration.services.checkin import (
    Outcome,
    badge_print,
    desk_check_in,
    desk_log_reason_shown,
    desk_scan,
)
from registration.services.states import registration_cancel, registration_decline
from tests.factories import UserFactory

Action = DeskLog.Action


def desk_operator(email: str = "desk@wego.example", group: str = "Desk"):
    # The group comes from a data migration, which a transactional test's flush removes.
    desk_group, _created = Group.objects.get_or_create(name=group)
    desk_group.permissions.add(
        Permission.objects.get(content_type__app_label="registration", codename="use_desk")
    )
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(desk_group)
    return user


@pytest.fixture
def operator(db):
    return desk_operator()


@pytest.fixture
def confirmed(submit, city):
    registration = submit(city, given_name="Soo-mi", family_name="Eun", native_name="은수미")
    assert registration.state == State.CONFIRMED
    return registration


def test_scan_of_a_confirmed_delegate_finds_them_and_changes_nothing(event, confirmed, operator):
    result = desk_scan(event=event, token=confirmed.badge_token, desk="Desk 1", operator=operator)

    assert result.outcome == Outcome.READY
    assert result.registration == confirmed
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at is None
    assert not DeskLog.objects.exists()


def test_check_in_records_time_desk_and_operator_and_logs_it(event, confirmed, operator):
    result = desk_check_in(
        event=event, token=confirmed.badge_token, desk="  Desk   1 ", operator=operator
    )

    assert result.outcome == Outcome.CHECKED_IN
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at is not None
    assert confirmed.checked_in_desk == "Desk 1"
    assert confirmed.checked_in_by == operator
    log = DeskLog.objects.get(action=Action.CHECKED_IN)
    assert (log.registration, log.desk, log.operator) == (confirmed, "Desk 1", operator)


def test_second_check_in_says_already_with_when_and_where(event, confirmed, operator):
    desk_check_in(event=event, token=confirmed.badge_token, desk="Desk 1", operator=operator)
    other = desk_operator("other@wego.example")

    again = desk_check_in(event=event, token=confirmed.badge_token, desk="Desk 2", operator=other)
    scanned = desk_scan(event=event, token=confirmed.badge_token, desk="Desk 2", operator=other)

    assert again.outcome == scanned.outcome == Outcome.ALREADY
    assert again.registration.checked_in_desk == "Desk 1"
    confirmed.refresh_from_db()
    assert confirmed.checked_in_desk == "Desk 1"
    assert confirmed.checked_in_by == operator
    assert DeskLog.objects.filter(action=Action.ALREADY_CHECKED_IN, desk="Desk 2").count() == 2


@pytest.mark.parametrize("leave", ["cancel", "decline", "waitlist"])
def test_cancelled_declined_or_waitlisted_delegates_are_refused(
    event, city, submit, confirmed, operator, leave
):
    if leave == "cancel":
        registration = registration_cancel(registration=confirmed, actor=None)
    elif leave == "decline":
        registration = registration_decline(registration=confirmed, actor=None, reason="No visa")
    else:
        for _n in range(city.delegation_quota - 1):
            submit(city)
        registration = submit(city)
    assert registration.state == {"cancel": "cancelled", "decline": "declined"}.get(
        leave, "waitlisted"
    )

    result = desk_check_in(
        event=event, token=registration.badge_token, desk="Desk 1", operator=operator
    )

    assert result.outcome == Outcome.REFUSED
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    log = DeskLog.objects.get(action=Action.REFUSED)
    assert log.reason == registration.state


def test_pending_registration_is_refused(event, submit, operator):
    from tests.factories import MemberCityFactory

    pending = submit(MemberCityFactory(membership="partner"))
    assert pending.state == State.PENDING

    result = desk_scan(event=event, token=pending.badge_token, desk="Desk 1", operator=operator)

    assert result.outcome == Outcome.REFUSED


def test_unknown_code_changes_nothing_and_is_logged(event, confirmed, operator):
    result = desk_check_in(event=event, token="not-a-badge-0000", desk="Desk 3", operator=operator)

    assert result.outcome == Outcome.UNKNOWN
    assert result.registration is None
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()
    log = DeskLog.objects.get()
    assert (log.action, log.desk, log.registration) == (Action.UNKNOWN_CODE, "Desk 3", None)


def test_token_of_another_event_is_unknown_here(event, submit, city, operator):
    from tests.factories import EventFactory

    elsewhere = submit(city, target_event=EventFactory())

    result = desk_scan(event=event, token=elsewhere.badge_token, desk="Desk 1", operator=operator)

    assert result.outcome == Outcome.UNKNOWN


def test_a_desk_must_have_a_name(event, confirmed, operator):
    with pytest.raises(RegistrationError) as error:
        desk_check_in(event=event, token=confirmed.badge_token, desk="   ", operator=operator)
    assert error.value.field == "desk"
    assert not DeskLog.objects.exists()


def test_check_in_counts_the_first_print_of_a_ready_badge(event, confirmed, operator):
    badge_ensure(registration=confirmed)

    result = desk_check_in(
        event=event, token=confirmed.badge_token, desk="Desk 1", operator=operator
    )

    assert result.printed
    badge = Badge.objects.get(registration=confirmed)
    assert badge.print_count == 1
    assert badge.last_printed_at is not None
    assert DeskLog.objects.filter(action=Action.PRINTED, registration=confirmed).count() == 1


def test_check_in_never_renders_a_missing_badge(event, confirmed, operator, monkeypatch):
    def no_render(context):
        raise AssertionError("a check-in must not render")

    monkeypatch.setattr("registration.services.badges.render_badge_pdf", no_render)

    result = desk_check_in(
        event=event, token=confirmed.badge_token, desk="Desk 1", operator=operator
    )

    assert result.outcome == Outcome.CHECKED_IN
    assert not result.printed


def test_reprint_needs_a_reason_and_every_print_is_counted(event, confirmed, operator):
    desk_check_in(event=event, token=confirmed.badge_token, desk="Desk 1", operator=operator)
    first = badge_print(registration=confirmed, desk="Desk 1", operator=operator)
    assert first.print_count == 1

    with pytest.raises(RegistrationError) as error:
        badge_print(registration=confirmed, desk="Desk 1", operator=operator, reason="  ")
    assert error.value.field == "reason"

    again = badge_print(
        registration=confirmed, desk="Desk 2", operator=operator, reason="Badge lost"
    )

    assert again.print_count == 2
    assert again.last_printed_at >= first.last_printed_at
    assert list(
        DeskLog.objects.filter(action__in=[Action.PRINTED, Action.REPRINTED])
        .order_by("created_at", "pk")
        .values_list("action", "reason", "desk")
    ) == [(Action.PRINTED, "", "Desk 1"), (Action.REPRINTED, "Badge lost", "Desk 2")]


def test_a_cancelled_registration_has_no_badge_to_print(event, confirmed, operator):
    registration_cancel(registration=confirmed, actor=None)
    confirmed.refresh_from_db()

    with pytest.raises(RegistrationError):
        badge_print(registration=confirmed, desk="Desk 1", operator=operator)


def test_check_in_by_registration_id_returns_the_card_up_to_date(event, confirmed, operator):
    badge_ensure(registration=confirmed)

    result = desk_check_in(
        event=event, registration_id=confirmed.pk, desk="Desk 1", operator=operator
    )

    assert result.outcome == Outcome.CHECKED_IN
    stored = Registration.objects.select_related("badge").get(pk=confirmed.pk)
    assert result.registration.checked_in_at == stored.checked_in_at
    assert result.registration.checked_in_desk == "Desk 1"
    assert result.registration.delegate.given_name == "Soo-mi"
    assert result.registration.badge.print_count == stored.badge.print_count == 1
    assert result.registration.badge.last_printed_at == stored.badge.last_printed_at
    assert list(
        DeskLog.objects.order_by("pk").values_list("action", "desk", "operator", "created_at")
    ) == [
        (Action.CHECKED_IN, "Desk 1", operator.pk, stored.checked_in_at),
        (Action.PRINTED, "Desk 1", operator.pk, stored.checked_in_at),
    ]


def test_check_in_without_counting_the_print(event, confirmed, operator):
    badge_ensure(registration=confirmed)

    result = desk_check_in(
        event=event, token=confirmed.badge_token, desk="Desk 1", operator=None, count_print=False
    )

    assert result.outcome == Outcome.CHECKED_IN
    assert not result.printed
    assert Badge.objects.get(registration=confirmed).print_count == 0
    log = DeskLog.objects.get()
    assert (log.action, log.operator) == (Action.CHECKED_IN, None)


def test_a_reprinted_badge_is_not_counted_again_at_check_in(event, confirmed, operator):
    badge_ensure(registration=confirmed)
    badge_print(registration=confirmed, desk="Desk 1", operator=operator)

    result = desk_check_in(
        event=event, token=confirmed.badge_token, desk="Desk 1", operator=operator
    )

    assert result.outcome == Outcome.CHECKED_IN
    assert not result.printed
    assert Badge.objects.get(registration=confirmed).print_count == 1


@pytest.mark.parametrize("token", ["", "   ", "x" * 200])
def test_an_empty_or_overlong_code_is_unknown_and_logged(event, confirmed, operator, token):
    result = desk_check_in(event=event, token=token, desk="Desk 1", operator=operator)

    assert result.outcome == Outcome.UNKNOWN
    log = DeskLog.objects.get()
    assert (log.action, len(log.reason) <= 60) == (Action.UNKNOWN_CODE, True)


def test_a_morning_at_two_desks_gives_each_outcome_and_logs_it_in_order(
    event, confirmed, submit, city, operator
):
    badge_ensure(registration=confirmed)
    cancelled = registration_cancel(registration=submit(city), actor=None)

    outcomes = [
        desk_check_in(event=event, token=confirmed.badge_token, desk="Desk 1", operator=operator),
        desk_check_in(event=event, token=confirmed.badge_token, desk="Desk 2", operator=operator),
        desk_check_in(event=event, token=cancelled.badge_token, desk="Desk 1", operator=operator),
        desk_check_in(event=event, token="nonsense", desk="Desk 1", operator=operator),
    ]

    assert [result.outcome for result in outcomes] == [
        Outcome.CHECKED_IN,
        Outcome.ALREADY,
        Outcome.REFUSED,
        Outcome.UNKNOWN,
    ]
    assert outcomes[0].printed
    assert outcomes[1].registration.checked_in_desk == "Desk 1"
    assert Badge.objects.get(registration=confirmed).print_count == 1
    assert list(DeskLog.objects.order_by("pk").values_list("action", "desk")) == [
        (Action.CHECKED_IN, "Desk 1"),
        (Action.PRINTED, "Desk 1"),
        (Action.ALREADY_CHECKED_IN, "Desk 2"),
        (Action.REFUSED, "Desk 1"),
        (Action.UNKNOWN_CODE, "Desk 1"),
    ]


def test_scan_and_check_in_take_a_handful_of_queries(
    event, confirmed, operator, django_assert_max_num_queries
):
    badge_ensure(registration=confirmed)

    # The card, with its delegate, city and badge, in one query.
    with django_assert_max_num_queries(1):
        scanned = desk_scan(
            event=event, token=confirmed.badge_token, desk="Desk 1", operator=operator
        )
    # The card; then, in a transaction (a savepoint inside the test's), the conditional
    # UPDATE, the first print's count and both log rows in one INSERT.
    with django_assert_max_num_queries(6):
        checked = desk_check_in(
            event=event, token=confirmed.badge_token, desk="Desk 1", operator=operator
        )
    # The card and the "already" log row.
    with django_assert_max_num_queries(2):
        again = desk_scan(
            event=event, token=confirmed.badge_token, desk="Desk 1", operator=operator
        )

    assert (scanned.outcome, checked.outcome, again.outcome) == (
        Outcome.READY,
        Outcome.CHECKED_IN,
        Outcome.ALREADY,
    )
    assert checked.printed


def test_the_card_never_loads_passport_details(event, confirmed, operator):
    result = desk_scan(event=event, token=confirmed.badge_token, desk="Desk 1", operator=operator)

    deferred = result.registration.delegate.get_deferred_fields()
    assert {"passport_number", "phone"} <= deferred


def test_a_reprint_reason_picked_in_korean_is_stored_in_english(event, confirmed, operator):
    badge_print(registration=confirmed, desk="Desk 1", operator=operator)

    with translation.override("ko"):
        badge_print(registration=confirmed, desk="Desk 1", operator=operator, reason="명찰 분실")
        badge_print(registration=confirmed, desk="Desk 1", operator=operator, reason="비에 젖음")
        shown = [
            desk_log_reason_shown(action=log.action, reason=log.reason)
            for log in DeskLog.objects.filter(action=Action.REPRINTED).order_by("pk")
        ]

    stored = DeskLog.objects.filter(action=Action.REPRINTED).order_by("pk")
    assert list(stored.values_list("reason", flat=True)) == ["Badge lost", "비에 젖음"]
    assert shown == ["명찰 분실", "비에 젖음"]


def test_a_refusal_stores_the_state_and_shows_its_label(event, confirmed, operator):
    cancelled = registration_cancel(registration=confirmed, actor=None)
    desk_scan(event=event, token=cancelled.badge_token, desk="Desk 1", operator=operator)

    log = DeskLog.objects.get()
    assert log.reason == State.CANCELLED
    with translation.override("ko"):
        assert desk_log_reason_shown(action=log.action, reason=log.reason) == "취소"
