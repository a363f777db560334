"""Walk-ins at the desk: registered, confirmed and checked in at once, and logged in English."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from registration.errors import RegistrationError
from registration.models import Category, DeskLog, OutboxEmail, Registration, RegistrationLog, State
from registration.services.checkin import WALK_IN_REASON, badge_print, desk_log_reason_shown
from registration.services.walk_ins import walk_in_register
from tests.factories import UserFactory
from tests.registration.test_desk_services import desk_operator

Action = DeskLog.Action


@pytest.fixture
def operator(db):
    return desk_operator()


@pytest.fixture
def confirmed(submit, city):
    return submit(city)


def walk_in_data(**changes):
    return {
        "given_name": "Amara",
        "family_name": "Okafor",
        "native_name": "",
        "email": "Amara.Okafor@example.org",
        "city": None,
        "other_city": "Lagos",
        "other_country": "NG",
        "category": Category.PRESS,
        **changes,
    }


def test_walk_in_is_confirmed_checked_in_outside_the_quota_logged_and_emailed(
    event, city, submit, operator
):
    for _n in range(city.delegation_quota):
        submit(city)

    registration = walk_in_register(
        event=event, data=walk_in_data(city=city, other_city=""), desk="Desk 4", operator=operator
    )

    assert registration.state == State.CONFIRMED
    assert registration.holds_place is False
    assert registration.category == Category.PRESS
    assert registration.checked_in_desk == "Desk 4"
    assert registration.checked_in_by == operator
    assert registration.delegate.email == "amara.okafor@example.org"
    assert registration.delegate.search_text
    assert list(registration.log.values_list("action", flat=True)) == [
        RegistrationLog.Action.SUBMITTED,
        RegistrationLog.Action.CONFIRMED,
    ]
    assert set(registration.desk_log.values_list("action", flat=True)) == {
        Action.WALK_IN,
        Action.CHECKED_IN,
    }
    email = OutboxEmail.objects.get(registration=registration)
    assert email.kind == OutboxEmail.Kind.CONFIRMED
    assert email.recipient == "amara.okafor@example.org"


def test_walk_in_badge_prints_at_once(event, operator):
    registration = walk_in_register(
        event=event, data=walk_in_data(), desk="Desk 4", operator=operator
    )

    badge = badge_print(registration=registration, desk="Desk 4", operator=operator)

    assert badge.is_ready
    assert badge.print_count == 1
    with badge.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_walk_in_with_an_email_already_registered_is_refused(event, confirmed, operator):
    with pytest.raises(RegistrationError) as error:
        walk_in_register(
            event=event,
            data=walk_in_data(email=confirmed.delegate.email.upper()),
            desk="Desk 4",
            operator=operator,
        )

    assert error.value.field == "email"
    assert Registration.objects.filter(event=event).count() == 1


def test_walk_in_needs_a_city(event, operator):
    with pytest.raises(RegistrationError) as error:
        walk_in_register(
            event=event, data=walk_in_data(other_city=" "), desk="Desk 4", operator=operator
        )
    assert error.value.field == "city"


def test_a_walk_in_stores_its_reasons_in_english_and_the_desk_log_shows_them_translated(
    event, operator, client
):
    with translation.override("ko"):
        korean = walk_in_register(
            event=event, data=walk_in_data(email="ko@example.org"), desk="Desk 4", operator=operator
        )
    with translation.override("en"):
        english = walk_in_register(
            event=event, data=walk_in_data(email="en@example.org"), desk="Desk 4", operator=operator
        )

    stored = [
        registration.desk_log.get(action=Action.WALK_IN).reason
        for registration in (korean, english)
    ]
    assert stored == [WALK_IN_REASON, WALK_IN_REASON]
    trails = [
        list(registration.log.order_by("pk").values_list("reason", flat=True))
        for registration in (korean, english)
    ]
    assert trails[0] == trails[1]
    assert trails[0][0] == "Walk-in at the venue desk (Desk 4)."

    shown_in_korean = "도시 배정 인원과 별도로 등록 데스크에서 확정했습니다."
    client.force_login(UserFactory(email="root@wego.example", is_staff=True, is_superuser=True))
    # The override also takes back the language the Korean page activates.
    with translation.override("ko"):
        assert desk_log_reason_shown(action=Action.WALK_IN, reason=stored[0]) == shown_in_korean
        desk_log = reverse("admin:registration_desklog_changelist")
        page = client.get(desk_log).content.decode()
    assert desk_log.startswith("/ko/")
    assert page.count(shown_in_korean) == 2
