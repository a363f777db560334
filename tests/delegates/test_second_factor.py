"""The rule of the second factor: who needs it in which staff area, and what a session has given."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.sessions.backends.db import SessionStore

from delegates.second_factor import (
    SecondFactor,
    StaffArea,
    second_factor_forget,
    second_factor_needed,
    second_factor_record,
    second_factor_status,
)
from tests.factories import UserFactory
from tests.mfa import totp_enrol

pytestmark = [pytest.mark.django_db, pytest.mark.second_factor]

ALL_AREAS = list(StaffArea)


def in_group(name: str, **fields):
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def secretariat():
    return in_group("Secretariat")


@pytest.fixture
def desk():
    return in_group("Desk")


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize("area", ALL_AREAS)
def test_the_secretariat_and_superusers_need_it_everywhere(secretariat, superuser, area, settings):
    for desk_exempt in (False, True):
        settings.MFA_DESK_EXEMPT = desk_exempt
        assert second_factor_needed(user=secretariat, area=area)
        assert second_factor_needed(user=superuser, area=area)


@pytest.mark.parametrize("area", ALL_AREAS)
def test_desk_operators_need_it_everywhere_by_default(desk, area):
    assert second_factor_needed(user=desk, area=area)


def test_the_desk_exemption_covers_the_desk_only(desk, settings):
    settings.MFA_DESK_EXEMPT = True
    assert not second_factor_needed(user=desk, area=StaffArea.DESK)
    assert second_factor_needed(user=desk, area=StaffArea.ADMIN)
    assert second_factor_needed(user=desk, area=StaffArea.SECRETARIAT)


@pytest.mark.parametrize("area", ALL_AREAS)
def test_delegates_and_visitors_are_never_asked(area, settings):
    settings.MFA_DESK_EXEMPT = False
    assert not second_factor_needed(user=UserFactory(), area=area)
    assert not second_factor_needed(user=AnonymousUser(), area=area)
    # A superuser flag without staff status opens no staff page either.
    assert not second_factor_needed(user=UserFactory(is_superuser=True), area=area)


def test_status_enrol_then_verify_then_passed(secretariat):
    session = SessionStore()
    area = StaffArea.ADMIN
    assert second_factor_status(user=secretariat, session=session, area=area) == "enrol"
    totp_enrol(secretariat)
    assert second_factor_status(user=secretariat, session=session, area=area) == "verify"
    second_factor_record(session=session, user=secretariat)
    assert second_factor_status(user=secretariat, session=session, area=area) == "passed"
    second_factor_forget(session=session)
    assert second_factor_status(user=secretariat, session=session, area=area) == "verify"


def test_a_session_passed_for_someone_else_does_not_count(secretariat, superuser):
    session = SessionStore()
    second_factor_record(session=session, user=superuser)
    status = second_factor_status(user=secretariat, session=session, area=StaffArea.ADMIN)
    assert status is SecondFactor.ENROL


def test_recovery_codes_alone_are_no_second_factor(secretariat):
    totp_enrol(secretariat)
    Authenticator.objects.filter(user=secretariat, type=Authenticator.Type.TOTP).delete()
    session = SessionStore()
    status = second_factor_status(user=secretariat, session=session, area=StaffArea.ADMIN)
    assert status is SecondFactor.ENROL


def test_deleting_the_app_takes_its_recovery_codes_along(secretariat):
    # What an administrator does in the admin for a lost phone.
    totp_enrol(secretariat)
    other = in_group("Secretariat")
    totp_enrol(other)
    Authenticator.objects.get(user=secretariat, type=Authenticator.Type.TOTP).delete()
    assert not Authenticator.objects.filter(user=secretariat).exists()
    assert Authenticator.objects.filter(user=other).count() == 2


def test_a_second_authenticator_keeps_the_recovery_codes(secretariat):
    totp_enrol(secretariat)
    Authenticator.objects.create(
        user=secretariat, type=Authenticator.Type.WEBAUTHN, data={"name": "key"}
    )
    Authenticator.objects.get(user=secretariat, type=Authenticator.Type.TOTP).delete()
    kinds = set(Authenticator.objects.filter(user=secretariat).values_list("type", flat=True))
    assert kinds == {Authenticator.Type.WEBAUTHN, Authenticator.Type.RECOVERY_CODES}
