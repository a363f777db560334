"""Reads for a city's delegation: who leads it, and what its head may see and change.

A head sees every colleague's name, role and state; an email address, and the right to change
or cancel, only for the registrations they made themselves for people without a login of their
own. What the person or the secretariat made stays theirs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Case, Exists, OuterRef, QuerySet, Value, When

from delegates.models import Delegate, MemberCity, User
from registration.models import (
    LIVE_STATES,
    ColleagueInvitation,
    DelegationRole,
    Event,
    HeadInvitation,
    Registration,
)


def delegation_members(*, event: Event, city: MemberCity) -> QuerySet[Registration]:
    """A city's registrations for an event, its granted head first."""
    return (
        Registration.objects.filter(event=event, city=city)
        .select_related("delegate", "city")
        .annotate(
            head_first=Case(
                When(
                    delegation_role=DelegationRole.HEAD,
                    head_granted_at__isnull=False,
                    then=Value(0),
                ),
                default=Value(1),
            )
        )
        .order_by("head_first", "submitted_at")
    )


def head_registration_of(*, user: User, event: Event) -> Registration | None:
    """The user's live registration as head of a city's delegation, claimed or granted."""
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.select_related("event", "city", "delegate")
        .filter(
            event=event,
            delegate__user=user,
            delegation_role=DelegationRole.HEAD,
            city__isnull=False,
            state__in=LIVE_STATES,
        )
        .first()
    )


def delegation_head_of(*, user: User, event: Event) -> Registration | None:
    """The user's own registration when it makes them head of a city's delegation: granted."""
    registration = head_registration_of(user=user, event=event)
    return registration if registration is not None and registration.is_granted_head else None


def _made_by(head: Registration) -> dict[str, object]:
    """What a head may change: what they registered, for someone without a login of their own."""
    return {"submitted_by_id": head.delegate.user_id, "delegate__user__isnull": True}


def delegation_member(*, head: Registration, registration_id: int) -> Registration | None:
    """A colleague the head may change: same event and city, registered by the head, and no
    login of their own."""
    if head.delegate.user_id is None:
        return None
    return (
        Registration.objects.select_related("event", "city", "delegate")
        .prefetch_related("sessions")
        .filter(pk=registration_id, event=head.event, city=head.city, **_made_by(head))
        .exclude(pk=head.pk)
        .first()
    )


@dataclass(frozen=True)
class MemberRow:
    """One line of the head's page: what the head may see of a colleague, and do."""

    registration: Registration
    email: str
    is_head: bool
    may_change: bool
    managed_by: str  # "you", "themselves" or "secretariat"


def delegation_rows(*, head: Registration) -> list[MemberRow]:
    """The delegation as its head sees it."""
    rows = []
    for member in delegation_members(event=head.event, city=head.city):
        is_head = member.pk == head.pk
        made_by_head = member.submitted_by_id is not None and (
            member.submitted_by_id == head.delegate.user_id
        )
        if is_head or (made_by_head and member.delegate.user_id is None):
            managed_by = "you"
        elif member.delegate.user_id is not None:
            managed_by = "themselves"
        else:
            managed_by = "secretariat"
        rows.append(
            MemberRow(
                registration=member,
                email=member.delegate.email if is_head or made_by_head else "",
                is_head=is_head,
                may_change=not is_head and managed_by == "you" and member.is_live,
                managed_by=managed_by,
            )
        )
    return rows


def colleague_invitations_waiting(*, head: Registration) -> QuerySet[ColleagueInvitation]:
    """The head's invitations to people who have not registered with the delegation yet."""
    joined = Registration.objects.filter(
        event=head.event,
        city=head.city,
        state__in=LIVE_STATES,
        delegate__email__iexact=OuterRef("email"),
    )
    return (
        ColleagueInvitation.objects.filter(
            event=head.event, city=head.city, invited_by_id=head.delegate.user_id
        )
        .exclude(Exists(joined))
        .order_by("-created_at")
    )


def head_sees_photo(*, user: User, delegate: Delegate) -> bool:
    """A granted head sees the photos of the colleagues they registered themselves."""
    if delegate.city_id is None:
        return False
    led = Registration.objects.filter(
        event=OuterRef("event"),
        city_id=delegate.city_id,
        delegate__user=user,
        delegation_role=DelegationRole.HEAD,
        head_granted_at__isnull=False,
        state__in=LIVE_STATES,
    )
    return (
        Registration.objects.filter(delegate=delegate, submitted_by=user)
        .filter(Exists(led))
        .exists()
    )


def city_head(*, event: Event, city: MemberCity) -> Registration | None:
    """The city delegation's granted head."""
    return (
        Registration.objects.select_related("delegate")
        .filter(
            event=event,
            city=city,
            delegation_role=DelegationRole.HEAD,
            head_granted_at__isnull=False,
            state__in=LIVE_STATES,
        )
        .first()
    )


def head_invitation_latest(*, event: Event, city: MemberCity) -> HeadInvitation | None:
    return (
        HeadInvitation.objects.filter(event=event, city=city)
        .select_related("invited_by")
        .order_by("-created_at")
        .first()
    )


INVITATION_TOKEN_MAX_LENGTH = 100


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def head_invitation_for_token(token: str) -> HeadInvitation | None:
    """The invitation a link's token belongs to, whatever its state."""
    if not token or len(token) > INVITATION_TOKEN_MAX_LENGTH:
        return None
    return (
        HeadInvitation.objects.select_related("event", "city", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )
