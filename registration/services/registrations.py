"""A registration is submitted (inside the quota, or waitlisted beyond it) and changed.

The quota of a member city holds under concurrency because every change of who holds a place
locks that city's row first (SELECT ... FOR UPDATE) inside the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from delegates.models import Delegate, MemberCity, User
from delegates.selectors import acting_user
from delegates.services import change_as_text
from registration.errors import RegistrationError
from registration.models import (
    LIVE_STATES,
    TRAVEL_FIELDS,
    DelegationRole,
    Event,
    OutboxEmail,
    PrivacyNotice,
    Registration,
    RegistrationLog,
    Session,
    State,
)
from registration.selectors.registrations import city_places_taken
from registration.services.badges import badge_queue_render
from registration.services.outbox import email_queue_for_registration
from registration.services.quota import city_lock, state_inside_quota
from registration.services.registration_log import registration_log_write
from registration.services.states import registration_email_for_state

Action = RegistrationLog.Action
EmailKind = OutboxEmail.Kind

# Fields a delegate (or their head of delegation) sets on the registration itself.
REGISTRATION_FIELDS = (
    "delegation_role",
    "category",
    "visa_letter_wanted",
    *TRAVEL_FIELDS,
    "hotel_needed",
)


def _set_sessions(registration: Registration, sessions: list[Session] | None) -> None:
    if sessions is None:
        return
    foreign = [s for s in sessions if s.event_id != registration.event_id]
    if foreign:
        raise RegistrationError(_("Please choose sessions of this event only."), field="sessions")
    registration.sessions.set(sessions)


def registration_submit(
    *,
    delegate: Delegate,
    event: Event,
    data: dict[str, Any],
    actor: User | None,
    sessions: list[Session] | None = None,
    now: datetime | None = None,
    privacy_notice: PrivacyNotice | None = None,
    within_registration_period: bool = True,
) -> Registration:
    """Register `delegate` for `event`: inside the city's quota, waitlisted beyond it.

    `privacy_notice` is the version the person was shown and accepted (default: the newest).
    Without `within_registration_period` (the secretariat) the period's dates do not apply.
    """
    now = now or timezone.now()
    if delegate.erased_at is not None:
        raise RegistrationError(_("This person's data has been erased; they cannot be registered."))
    if within_registration_period and not event.is_open_for_registration(now):
        if now < event.registration_opens_at:
            raise RegistrationError(_("Registration for this event has not opened yet."))
        raise RegistrationError(_("Registration for this event is closed."))
    try:
        with transaction.atomic():
            city = city_lock(delegate.city_id)
            if (
                data.get("delegation_role") == DelegationRole.HEAD
                and city is not None
                and _city_has_head(event, city)
            ):
                raise _head_taken_error(city)
            if Registration.objects.filter(event=event, delegate=delegate).exists():
                raise RegistrationError(
                    _("%(email)s is already registered for this event.")
                    % {"email": delegate.email},
                    field="email",
                )
            registration = Registration(
                event=event,
                delegate=delegate,
                city=city,
                language=delegate.language,
                consent_given_at=now,
                privacy_notice=privacy_notice or PrivacyNotice.objects.order_by("-version").first(),
                submitted_by=acting_user(actor),
                submitted_at=now,
                state_changed_at=now,
                **{field: data[field] for field in REGISTRATION_FIELDS if field in data},
            )
            if city is None:
                registration.state = State.PENDING
            elif city_places_taken(event=event, city=city) < city.delegation_quota:
                registration.holds_place = True
                registration.state = state_inside_quota(event, city)
            else:
                registration.state = State.WAITLISTED
            registration.save()
            _set_sessions(registration, sessions)
            registration_log_write(registration, action=Action.SUBMITTED, actor=actor, at=now)
            if registration.state == State.CONFIRMED:
                registration_log_write(
                    registration,
                    action=Action.CONFIRMED,
                    actor=None,
                    from_state=State.PENDING,
                    reason=gettext_lazy("Inside the city's delegation quota."),
                    at=now,
                )
            registration_email_for_state(registration)
            return registration
    except IntegrityError as error:
        # Two submissions of the same person at once: the database constraint decides.
        if "one_registration_per_delegate_per_event" in str(error):
            raise RegistrationError(
                _("%(email)s is already registered for this event.") % {"email": delegate.email},
                field="email",
            ) from error
        if "one_head_per_city_delegation" in str(error) and delegate.city is not None:
            raise _head_taken_error(delegate.city) from error
        raise


def _city_has_head(event: Event, city: MemberCity, *, besides: Registration | None = None) -> bool:
    """Whether the city's delegation has a granted head; claims do not count."""
    heads = Registration.objects.filter(
        event=event,
        city=city,
        delegation_role=DelegationRole.HEAD,
        head_granted_at__isnull=False,
        state__in=LIVE_STATES,
    )
    if besides is not None:
        heads = heads.exclude(pk=besides.pk)
    return heads.exists()


def _head_taken_error(city: MemberCity) -> RegistrationError:
    return RegistrationError(
        _("%(city)s already has a head of delegation. Please choose another role.")
        % {"city": city.name_en},
        field="delegation_role",
    )


def registration_update(
    *,
    registration: Registration,
    data: dict[str, Any],
    actor: User | None,
    sessions: list[Session] | None = None,
    by_secretariat: bool = False,
    delegate_changes: dict[str, Any] | None = None,
) -> Registration:
    """Change what was submitted. Delegates may until the edit deadline; the secretariat always.

    A person who makes themselves head of delegation claims it; the secretariat grants it.
    """
    with transaction.atomic():
        becomes_head = data.get("delegation_role") == DelegationRole.HEAD
        if becomes_head:
            # Granting takes the city's lock first, like every grant (services/heads.py).
            city_lock(registration.city_id)
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event", "delegate")
            .get(pk=registration.pk)
        )
        if not by_secretariat:
            if not registration.is_live:
                raise RegistrationError(
                    _("A %(state)s registration can no longer be changed.")
                    % {"state": registration.get_state_display().lower()}
                )
            if not registration.event.is_editable():
                raise RegistrationError(
                    _("The deadline for changes has passed. Please write to the secretariat.")
                )
        changes: dict[str, Any] = dict(delegate_changes or {})
        granted = _change_head_role(
            registration, data.get("delegation_role"), by_secretariat=by_secretariat
        )
        for field in REGISTRATION_FIELDS:
            if field in data and getattr(registration, field) != data[field]:
                changes[field] = [
                    change_as_text(getattr(registration, field)),
                    change_as_text(data[field]),
                ]
                setattr(registration, field, data[field])
        if sessions is not None:
            before = sorted(registration.sessions.values_list("code", flat=True))
            after = sorted(s.code for s in sessions)
            if before != after:
                changes["sessions"] = [before, after]
            _set_sessions(registration, sessions)
        registration.language = registration.delegate.language
        registration.save()
        if changes:
            registration_log_write(registration, action=Action.EDITED, actor=actor, changes=changes)
            if granted:
                registration_log_write(registration, action=Action.HEAD_GRANTED, actor=actor)
            if registration.state == State.CONFIRMED:
                # Rendered again only if something printed on it changed (its content hash).
                badge_queue_render(registration=registration)
            if by_secretariat:
                email_queue_for_registration(
                    registration=registration,
                    kind=EmailKind.CHANGED,
                    extra_context={"changed_fields": sorted(changes)},
                )
        return registration


def _change_head_role(
    registration: Registration, role: str | None, *, by_secretariat: bool
) -> bool:
    """Follow a change of role: leaving the head's role ends the grant; the secretariat making
    someone head grants it, anyone else only claims it. Whether it was granted just now."""
    if role is None or role == registration.delegation_role:
        return False
    if role != DelegationRole.HEAD:
        registration.head_granted_at = None
        return False
    city = registration.city
    if city is not None and _city_has_head(registration.event, city, besides=registration):
        raise _head_taken_error(city)
    if by_secretariat:
        registration.head_granted_at = timezone.now()
        return True
    return False
