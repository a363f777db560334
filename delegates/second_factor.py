"""The second factor of staff sign-ins (allauth.mfa): who needs it, where, and whether this session
has given it.

The secretariat and superusers need it before every staff page. Desk operators need it too,
unless `MFA_DESK_EXEMPT` (shared desk laptops) waives it at the desk, and only there: the admin
and the secretariat's pages still ask, so a shared desk account that never enrolled reaches the
desk and nothing else. Delegates are never asked. Which paths are staff pages, and what a request
without the second factor gets, is `registration.access.SecondFactorMiddleware`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import HttpRequest

from delegates.models import User
from delegates.selectors import user_is_secretariat

# An app code or a security key; recovery codes only stand in for them when the phone is gone.
PRIMARY_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# Who gave the second factor in this session. allauth keeps its own record of sign-in steps, but
# not of an enrolment, which proves the same thing: the person holds the new authenticator.
SESSION_KEY = "staff_second_factor_user"


class StaffArea(StrEnum):
    ADMIN = "admin"
    SECRETARIAT = "secretariat"
    DESK = "desk"


class SecondFactor(StrEnum):
    NOT_NEEDED = "not_needed"
    PASSED = "passed"
    # No app or key yet: set one up first.
    ENROL = "enrol"
    # Has one, but this session was opened without it (before enrolling, on another path).
    VERIFY = "verify"


def second_factor_needed(*, user: User | AnonymousUser, area: StaffArea) -> bool:
    """Staff need it in every staff area, except desk operators at the desk when exempted."""
    if not (user.is_authenticated and user.is_staff):
        # Signed out or a delegate: the page's own check turns them away; never ask them.
        return False
    if area is StaffArea.DESK and settings.MFA_DESK_EXEMPT:
        return user.is_superuser or user_is_secretariat(user=user)
    return True


def primary_authenticator_types(*, user: User) -> list[str]:
    return list(
        Authenticator.objects.filter(user_id=user.pk, type__in=PRIMARY_TYPES)
        .order_by("type")
        .values_list("type", flat=True)
        .distinct()
    )


def second_factor_passed(*, session: SessionBase, user: User) -> bool:
    return session.get(SESSION_KEY) == str(user.pk)


def second_factor_status(
    *, user: User | AnonymousUser, session: SessionBase, area: StaffArea
) -> SecondFactor:
    # The session is read first: every desk scan asks, and this costs no query.
    if user.is_authenticated and second_factor_passed(session=session, user=user):
        return SecondFactor.PASSED
    if not second_factor_needed(user=user, area=area):
        return SecondFactor.NOT_NEEDED
    if primary_authenticator_types(user=user):
        return SecondFactor.VERIFY
    return SecondFactor.ENROL


def second_factor_record(*, session: SessionBase, user: User) -> None:
    session[SESSION_KEY] = str(user.pk)


def second_factor_forget(*, session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


@receiver(mfa_signals.authenticator_used)
def _used(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    # A code (or recovery code, or key) at sign-in or to confirm access. The session may still
    # be anonymous here; Django's login keeps its data.
    second_factor_record(session=request.session, user=user)


@receiver(mfa_signals.authenticator_added)
def _added(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type in PRIMARY_TYPES:
        second_factor_record(session=request.session, user=user)


@receiver(mfa_signals.authenticator_removed)
def _removed(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    # The person turned off their last app or key: the staff pages ask them to enrol again.
    if not primary_authenticator_types(user=user):
        second_factor_forget(session=request.session)


@receiver(post_delete, sender=Authenticator)
def _recovery_codes_follow(sender: Any, instance: Authenticator, **kwargs: Any) -> None:
    # An administrator deleting a lost phone's app in the admin: its recovery codes go too, as
    # when the person deactivates it themselves. Otherwise the next enrolment would keep the old
    # codes and never show new ones.
    if instance.type not in PRIMARY_TYPES:
        return
    left = Authenticator.objects.filter(user_id=instance.user_id)
    if not left.filter(type__in=PRIMARY_TYPES).exists():
        left.filter(type=Authenticator.Type.RECOVERY_CODES).delete()
