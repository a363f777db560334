"""A registration changes state: confirmed, waitlisted, declined, cancelled or erased; a freed
place goes to the registration that has waited longest.

Every change locks the city first, then the registration (the same order everywhere, so no
deadlock), writes its log row and queues its email in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from delegates.models import MemberCity, User
from registration.errors import RegistrationError
from registration.models import (
    Event,
    OutboxEmail,
    Registration,
    RegistrationLog,
    State,
)
from registration.selectors.registrations import city_places_taken
from registration.services.outbox import email_queue_for_registration
from registration.services.quota import city_lock, state_inside_quota
from registration.services.registration_log import registration_log_write

Action = RegistrationLog.Action
EmailKind = OutboxEmail.Kind


def registration_email_for_state(registration: Registration, *, promoted: bool = False) -> None:
    if promoted:
        kind = EmailKind.PROMOTED
    else:
        kind = {
            State.PENDING: EmailKind.RECEIVED,
            State.CONFIRMED: EmailKind.CONFIRMED,
            State.WAITLISTED: EmailKind.WAITLISTED,
        }[registration.state]
    email_queue_for_registration(registration=registration, kind=kind)


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
    city = city_lock(registration.city_id)
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
    if city is None or city_places_taken(event=event, city=city) >= city.delegation_quota:
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
        to_state=state_inside_quota(event, city),
        action=Action.PROMOTED,
        actor=actor,
        reason=gettext_lazy("A place in the delegation quota became free."),
        holds_place=True,
    )
    registration_email_for_state(waiting, promoted=True)


def registration_confirm(*, registration: Registration, actor: User | None) -> Registration:
    with transaction.atomic():
        registration, city = _reload_locked(registration)
        _require_state(registration, (State.PENDING, State.WAITLISTED), _("confirmed"))
        city_is_full = (
            city is not None
            and not registration.holds_place
            and city_places_taken(event=registration.event, city=city) >= city.delegation_quota
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
