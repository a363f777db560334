"""Reads for a city's delegation: who leads it, and who is in it."""

from __future__ import annotations

from django.db.models import Case, Exists, OuterRef, QuerySet, Value, When

from delegates.models import Delegate, MemberCity, User
from registration.models import (
    LIVE_STATES,
    DelegationRole,
    Event,
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


def delegation_member(*, head: Registration, registration_id: int) -> Registration | None:
    """A colleague the head may change: same event and city, and no login of their own."""
    return (
        Registration.objects.select_related("event", "city", "delegate")
        .prefetch_related("sessions")
        .filter(
            pk=registration_id,
            event=head.event,
            city=head.city,
            delegate__user__isnull=True,
        )
        .exclude(pk=head.pk)
        .first()
    )


def head_sees_photo(*, user: User, delegate: Delegate) -> bool:
    """A granted head sees the photos of their city's delegation."""
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
    return Registration.objects.filter(delegate=delegate).filter(Exists(led)).exists()
