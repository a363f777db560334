"""A registration's life: submit, confirm, waitlist, decline, cancel, edit, and the quota.

The quota of a member city holds under concurrency because every change of who holds a place
locks that city's row first (SELECT ... FOR UPDATE) inside the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from delegates.models import Delegate, MemberCity, User
from delegates.selectors import acting_user
from delegates.services import DELEGATE_FIELDS, delegate_save
from registration.errors import RegistrationError
from registration.models import (
    LIVE_STATES,
    Category,
    DelegationRole,
    Event,
    OutboxEmail,
    PrivacyNotice,
    Registration,
    RegistrationLog,
    Session,
    State,
)
from registration.services.badges import badge_queue_render
from registration.services.mail import email_queue_for_registration

Action = RegistrationLog.Action
EmailKind = OutboxEmail.Kind

# Fields a delegate (or their head of delegation) sets on the registration itself.
REGISTRATION_FIELDS = (
    "delegation_role",
    "category",
    "visa_letter_wanted",
    "arrival_date",
    "arrival_time",
    "arrival_flight",
    "departure_date",
    "departure_time",
    "departure_flight",
    "hotel_needed",
)


def registration_log_write(
    registration: Registration,
    *,
    action: str,
    actor: User | None,
    from_state: str = "",
    reason: str | Promise = "",
    changes: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> RegistrationLog:
    """Write one row of a registration's audit trail, in the caller's transaction.

    The only writer of RegistrationLog. `to_state` is the registration's state as it is now.
    """
    if isinstance(reason, Promise):
        # A reason the system gives is stored in English and shown in each reader's language
        # ({% translate %} on the page); a reason a person typed is shown as it was typed.
        with translation.override("en"):
            reason = str(reason)
    return RegistrationLog.objects.create(
        registration=registration,
        action=action,
        from_state=from_state,
        to_state=registration.state,
        actor=acting_user(actor),
        reason=reason,
        changes=changes or {},
        created_at=at or timezone.now(),
    )


def _lock_city(city_id: int | None) -> MemberCity | None:
    if city_id is None:
        return None
    return MemberCity.objects.select_for_update().get(pk=city_id)


def _places_taken(event: Event, city: MemberCity) -> int:
    return Registration.objects.filter(event=event, city=city, holds_place=True).count()


def _state_inside_quota(event: Event, city: MemberCity) -> str:
    if event.confirm_within_quota and city.confirms_within_quota:
        return State.CONFIRMED
    return State.PENDING


def _email_for_state(registration: Registration, *, promoted: bool = False) -> None:
    if promoted:
        kind = EmailKind.PROMOTED
    else:
        kind = {
            State.PENDING: EmailKind.RECEIVED,
            State.CONFIRMED: EmailKind.CONFIRMED,
            State.WAITLISTED: EmailKind.WAITLISTED,
        }[registration.state]
    email_queue_for_registration(registration=registration, kind=kind)


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
            city = _lock_city(delegate.city_id)
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
            elif _places_taken(event, city) < city.delegation_quota:
                registration.holds_place = True
                registration.state = _state_inside_quota(event, city)
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
            _email_for_state(registration)
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


def _city_has_head(event: Event, city: MemberCity) -> bool:
    return Registration.objects.filter(
        event=event,
        city=city,
        delegation_role=DelegationRole.HEAD,
        state__in=LIVE_STATES,
    ).exists()


def _head_taken_error(city: MemberCity) -> RegistrationError:
    return RegistrationError(
        _("%(city)s already has a head of delegation. Please choose another role.")
        % {"city": city.name_en},
        field="delegation_role",
    )


def _change_state(
    registration: Registration,
    *,
    to_state: str,
    action: str,
    actor: User | None,
    reason: str | Promise = "",
    holds_place: bool | None = None,
) -> None:
    from_state = registration.state
    registration.state = to_state
    registration.state_changed_at = timezone.now()
    if holds_place is not None:
        registration.holds_place = holds_place
    fields = ["state", "state_changed_at", "holds_place", "updated_at"]
    if action == Action.DECLINED:
        registration.decline_reason = reason
        fields.append("decline_reason")
    registration.save(update_fields=fields)
    registration_log_write(
        registration, action=action, actor=actor, from_state=from_state, reason=reason
    )


def _reload_locked(registration: Registration) -> tuple[Registration, MemberCity | None]:
    """Lock the city first, then the registration: the same order everywhere, so no deadlock."""
    city = _lock_city(registration.city_id)
    locked = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "delegate")
        .get(pk=registration.pk)
    )
    return locked, city


def _require_state(registration: Registration, allowed: tuple[str, ...], verb: str) -> None:
    if registration.state not in allowed:
        raise RegistrationError(
            _("A %(state)s registration cannot be %(verb)s.")
            % {"state": registration.get_state_display().lower(), "verb": verb}
        )


def _promote_next(event: Event, city: MemberCity | None, actor: User | None) -> None:
    """Give a freed place to the registration that has waited longest on the city's waitlist."""
    if city is None or _places_taken(event, city) >= city.delegation_quota:
        return
    waiting = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "delegate")
        .filter(event=event, city=city, state=State.WAITLISTED)
        .order_by("state_changed_at", "pk")
        .first()
    )
    if waiting is None:
        return
    _change_state(
        waiting,
        to_state=_state_inside_quota(event, city),
        action=Action.PROMOTED,
        actor=actor,
        reason=gettext_lazy("A place in the delegation quota became free."),
        holds_place=True,
    )
    _email_for_state(waiting, promoted=True)


def registration_confirm(*, registration: Registration, actor: User | None) -> Registration:
    with transaction.atomic():
        registration, city = _reload_locked(registration)
        _require_state(registration, (State.PENDING, State.WAITLISTED), _("confirmed"))
        city_is_full = (
            city is not None
            and not registration.holds_place
            and _places_taken(registration.event, city) >= city.delegation_quota
        )
        if city_is_full:
            raise RegistrationError(
                _(
                    "%(city)s has no free place (quota %(quota)s). Raise the quota or free "
                    "a place first."
                )
                % {"city": city.name_en, "quota": city.delegation_quota}
            )
        _change_state(
            registration,
            to_state=State.CONFIRMED,
            action=Action.CONFIRMED,
            actor=actor,
            holds_place=city is not None,
        )
        email_queue_for_registration(registration=registration, kind=EmailKind.CONFIRMED)
        return registration


def _leave_place(
    registration: Registration,
    *,
    allowed: tuple[str, ...],
    verb: str,
    to_state: str,
    action: str,
    actor: User | None,
    reason: str,
    email_kind: str | None,
    extra_context: dict[str, Any] | None = None,
) -> Registration:
    """Move a registration out of its city's quota; the place goes to the longest waiting."""
    with transaction.atomic():
        registration, city = _reload_locked(registration)
        _require_state(registration, allowed, verb)
        freed = registration.holds_place
        _change_state(
            registration,
            to_state=to_state,
            action=action,
            actor=actor,
            reason=reason,
            holds_place=False,
        )
        if email_kind is not None:
            email_queue_for_registration(
                registration=registration, kind=email_kind, extra_context=extra_context
            )
        if freed:
            _promote_next(registration.event, city, actor)
        return registration


def registration_waitlist(
    *, registration: Registration, actor: User | None, reason: str = ""
) -> Registration:
    # Waitlisted just now, it queues behind those who waited longer for the freed place.
    return _leave_place(
        registration,
        allowed=(State.PENDING, State.CONFIRMED),
        verb=_("waitlisted"),
        to_state=State.WAITLISTED,
        action=Action.WAITLISTED,
        actor=actor,
        reason=reason,
        email_kind=EmailKind.WAITLISTED,
    )


def registration_decline(
    *, registration: Registration, actor: User | None, reason: str
) -> Registration:
    reason = (reason or "").strip()
    if not reason:
        raise RegistrationError(_("Please give the reason for declining."), field="reason")
    return _leave_place(
        registration,
        allowed=(State.PENDING, State.WAITLISTED, State.CONFIRMED),
        verb=_("declined"),
        to_state=State.DECLINED,
        action=Action.DECLINED,
        actor=actor,
        reason=reason,
        email_kind=EmailKind.DECLINED,
        extra_context={"reason": reason},
    )


def registration_cancel(
    *, registration: Registration, actor: User | None, reason: str = ""
) -> Registration:
    """The delegate (or their head of delegation) withdraws. Frees the place for the waitlist."""
    return _leave_place(
        registration,
        allowed=(State.PENDING, State.WAITLISTED, State.CONFIRMED),
        verb=_("cancelled"),
        to_state=State.CANCELLED,
        action=Action.CANCELLED,
        actor=actor,
        reason=reason,
        email_kind=EmailKind.CANCELLED,
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
    """Change what was submitted. Delegates may until the edit deadline; the secretariat always."""
    with transaction.atomic():
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
        for field in REGISTRATION_FIELDS:
            if field in data and getattr(registration, field) != data[field]:
                changes[field] = [_as_text(getattr(registration, field)), _as_text(data[field])]
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


def _as_text(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def category_for(*, role: str, city: MemberCity | None) -> str:
    """The badge category a role gets when nobody in the secretariat chose another."""
    if role == DelegationRole.HEAD and city is not None and city.is_executive_committee:
        return Category.EXCOM
    return {
        DelegationRole.PRESS: Category.PRESS,
        DelegationRole.PARTNER: Category.PARTNER,
        DelegationRole.OBSERVER: Category.OBSERVER,
        DelegationRole.ACCOMPANYING: Category.OBSERVER,
        DelegationRole.STAFF: Category.STAFF,
    }.get(role, Category.DELEGATE)


def _split_person_data(data: dict[str, Any]) -> dict[str, Any]:
    return {field: data[field] for field in DELEGATE_FIELDS if field in data} | {
        "visa_letter_wanted": data.get("visa_letter_wanted", False)
    }


def _registration_data(data: dict[str, Any], city: MemberCity | None) -> dict[str, Any]:
    values = {field: data[field] for field in REGISTRATION_FIELDS if field in data}
    values.setdefault("category", category_for(role=values.get("delegation_role", ""), city=city))
    return values


def registration_submit_own(
    *,
    user: User,
    event: Event,
    data: dict[str, Any],
    sessions: list[Session] | None = None,
    photo: ContentFile | None = None,
    privacy_notice: PrivacyNotice | None = None,
) -> Registration:
    """A delegate registers themselves: their person record and the registration, together."""
    with transaction.atomic():
        delegate = (
            Delegate.objects.filter(user=user).first()
            or Delegate.objects.filter(email__iexact=user.email, user__isnull=True).first()
        )
        delegate, _changes = delegate_save(
            delegate=delegate,
            email=user.email,
            data=_split_person_data(data),
            photo=photo,
            user=user,
        )
        return registration_submit(
            delegate=delegate,
            event=event,
            data=_registration_data(data, delegate.city),
            actor=user,
            sessions=sessions,
            privacy_notice=privacy_notice,
        )


def registration_edit(
    *,
    registration: Registration,
    data: dict[str, Any],
    actor: User,
    sessions: list[Session] | None = None,
    photo: ContentFile | None = None,
) -> Registration:
    """The delegate, or their head of delegation, changes what was submitted."""
    with transaction.atomic():
        person = {k: v for k, v in _split_person_data(data).items() if k != "city"}
        _delegate, changes = delegate_save(
            delegate=registration.delegate,
            email=registration.delegate.email,
            data=person,
            photo=photo,
        )
        values = {
            field: data[field]
            for field in REGISTRATION_FIELDS
            if field in data and field != "category"
        }
        return registration_update(
            registration=registration,
            data=values,
            actor=actor,
            sessions=sessions,
            delegate_changes=changes,
        )


def registration_submit_by_secretariat(
    *, delegate: Delegate, event: Event, delegation_role: str, actor: User
) -> Registration:
    """The secretariat registers a person at their request (by email or letter, say).

    The same quota, waitlist and emails as the person's own registration, also before or after
    the online registration period; the secretariat has confirmed that the person accepted the
    current privacy notice.
    """
    if delegation_role not in DelegationRole.values:
        raise RegistrationError(_("Please choose a role."), field="delegation_role")
    data = {
        "delegation_role": delegation_role,
        "category": category_for(role=delegation_role, city=delegate.city),
    }
    return registration_submit(
        delegate=delegate, event=event, data=data, actor=actor, within_registration_period=False
    )


def delegation_register_colleague(
    *,
    head: Registration,
    email: str,
    data: dict[str, Any],
    actor: User,
    sessions: list[Session] | None = None,
    photo: ContentFile | None = None,
    privacy_notice: PrivacyNotice | None = None,
) -> Registration:
    """A head of delegation registers a colleague of the same city, who may have no login yet."""
    if data.get("delegation_role") == DelegationRole.HEAD:
        raise RegistrationError(
            _("A delegation has one head. Please choose another role."), field="delegation_role"
        )
    with transaction.atomic():
        existing = Delegate.objects.filter(email__iexact=email.strip()).first()
        if existing is not None and (
            existing.user_id is not None or existing.city_id != head.city_id
        ):
            raise RegistrationError(
                _(
                    "This email address belongs to someone who manages their own registration. "
                    "Please ask them to register themselves."
                ),
                field="email",
            )
        person = _split_person_data(data) | {"city": head.city}
        delegate, _changes = delegate_save(
            delegate=existing, email=email, data=person, photo=photo, registered_by=actor
        )
        return registration_submit(
            delegate=delegate,
            event=head.event,
            data=_registration_data(data, head.city),
            actor=actor,
            sessions=sessions,
            privacy_notice=privacy_notice,
        )


def event_reminders_queue(*, event: Event, days_before: int = 3) -> int:
    """Queue the reminder for every confirmed delegate once, a few days before the event."""
    today = timezone.localdate()
    if not (0 <= (event.starts_on - today).days <= days_before):
        return 0
    queued = 0
    with transaction.atomic():
        waiting = (
            Registration.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("event", "delegate")
            .filter(event=event, state=State.CONFIRMED)
            .exclude(emails__kind=EmailKind.REMINDER)
        )
        for registration in waiting:
            email_queue_for_registration(registration=registration, kind=EmailKind.REMINDER)
            queued += 1
    return queued


def registration_free_place(*, registration: Registration, actor: User | None, reason: str) -> None:
    """Take the registration out of its city's quota (its person is erased), promoting the next."""
    _leave_place(
        registration,
        allowed=tuple(State.values),
        verb=_("erased"),
        to_state=State.ERASED,
        action=Action.ERASED,
        actor=actor,
        reason=reason,
        email_kind=None,
    )
