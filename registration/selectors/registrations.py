"""Reads about registrations: the current event, a person's registration, quota places, the
privacy notice, visa letters and who may see a photo."""

from __future__ import annotations

from django.utils import timezone

from delegates.models import Delegate, MemberCity, User
from delegates.selectors import user_is_secretariat
from registration.models import (
    Event,
    PrivacyNotice,
    Registration,
    VisaLetter,
)
from registration.selectors.delegation import head_sees_photo


def event_current() -> Event | None:
    """The active event that is next or under way; else the latest active one."""
    today = timezone.localdate()
    active = Event.objects.filter(is_active=True)
    upcoming = active.filter(ends_on__gte=today).order_by("starts_on").first()
    return upcoming or active.order_by("-starts_on").first()


def registration_for_user(*, user: User, event: Event) -> Registration | None:
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.select_related("event", "city", "delegate__city__region")
        .prefetch_related("sessions")
        .filter(delegate__user=user, event=event)
        .first()
    )


def city_places_taken(*, event: Event, city: MemberCity) -> int:
    return Registration.objects.filter(event=event, city=city, holds_place=True).count()


def privacy_notice_current() -> PrivacyNotice | None:
    return PrivacyNotice.objects.order_by("-version").first()


def photo_visible_to(*, user: User, delegate: Delegate) -> bool:
    """Photos are personal data: the person, their head of delegation, the desk, the secretariat."""
    if not user.is_authenticated:
        return False
    if delegate.user_id == user.pk:
        return True
    if user.is_staff and (user.has_perm("registration.use_desk") or user_is_secretariat(user=user)):
        return True
    return head_sees_photo(user=user, delegate=delegate)


def visa_letter_for(*, registration: Registration) -> VisaLetter | None:
    """The issued visa letter of a registration, if there is one."""
    return VisaLetter.objects.filter(registration=registration).exclude(pdf="").first()
