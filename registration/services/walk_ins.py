"""Walk-ins at the venue desk: a person who arrives without a registration is registered,
confirmed and checked in at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from delegates.models import Delegate, User
from delegates.services import delegate_save
from registration.errors import RegistrationError
from registration.models import (
    Category,
    DelegationRole,
    DeskLog,
    Event,
    OutboxEmail,
    Registration,
    RegistrationLog,
    State,
)
from registration.selectors import registrations as registration_selectors
from registration.services.checkin import (
    WALK_IN_REASON,
    desk_log_write,
    desk_name_clean,
    desk_operator,
)
from registration.services.outbox import email_queue_for_registration
from registration.services.registration_log import registration_log_write

# The delegation role a walk-in gets from the category the desk chose.
_ROLE_FOR_CATEGORY = {
    Category.PRESS: DelegationRole.PRESS,
    Category.PARTNER: DelegationRole.PARTNER,
    Category.OBSERVER: DelegationRole.OBSERVER,
    Category.STAFF: DelegationRole.STAFF,
}


def _existing_registration(event: Event, email: str) -> Registration | None:
    return (
        Registration.objects.filter(event=event, delegate__email__iexact=email)
        .select_related("delegate")
        .first()
    )


def _already_registered(email: str) -> RegistrationError:
    return RegistrationError(
        _("%(email)s is already registered for this event. Please search for the name instead.")
        % {"email": email},
        field="email",
    )


def _walk_in_registration_log(
    registration: Registration, *, desk: str, operator: User | None, at: datetime
) -> None:
    """The registration's audit trail of a walk-in: submitted and confirmed at once. Its
    reasons are stored in English, like the desk log's."""
    registration_log_write(
        registration,
        action=RegistrationLog.Action.SUBMITTED,
        actor=operator,
        reason=gettext_noop("Walk-in at the venue desk (%(desk)s).") % {"desk": desk},
        at=at,
    )
    registration_log_write(
        registration,
        action=RegistrationLog.Action.CONFIRMED,
        actor=operator,
        from_state=State.PENDING,
        reason=WALK_IN_REASON,
        at=at,
    )


def walk_in_register(
    *, event: Event, data: dict[str, Any], desk: str, operator: User | None
) -> Registration:
    """Register and check in a person who arrives without a registration.

    Confirmed at once and outside the city's quota (the secretariat decides at the desk), but
    never a second registration for the same email. `data`: given_name, family_name, email,
    category and either city (a MemberCity) or other_city; native_name and other_country
    are optional.
    """
    desk = desk_name_clean(desk)
    operator = desk_operator(operator)
    email = (data.get("email") or "").strip().lower()
    if not email:
        raise RegistrationError(_("Please give an email address."), field="email")
    category = data.get("category") or Category.DELEGATE
    if category not in Category.values:
        raise RegistrationError(_("Please choose a category."), field="category")
    person = {
        field: data[field]
        for field in (
            "given_name",
            "family_name",
            "native_name",
            "city",
            "other_city",
            "other_country",
        )
        if field in data
    }
    if not person.get("city") and not (person.get("other_city") or "").strip():
        raise RegistrationError(_("Please choose the city or write its name."), field="city")
    try:
        with transaction.atomic():
            if _existing_registration(event, email) is not None:
                raise _already_registered(email)
            existing = Delegate.objects.filter(email__iexact=email).first()
            if existing is not None:
                # A person known from an earlier event: keep what they wrote themselves.
                person = {k: v for k, v in person.items() if not getattr(existing, k, None)}
            delegate, _changes = delegate_save(
                delegate=existing,
                email=email,
                data=person,
                registered_by=operator if existing is None else None,
            )
            now = timezone.now()
            registration = Registration.objects.create(
                event=event,
                delegate=delegate,
                city=delegate.city,
                delegation_role=_ROLE_FOR_CATEGORY.get(category, DelegationRole.DELEGATE),
                category=category,
                state=State.CONFIRMED,
                holds_place=False,
                consent_given_at=now,
                privacy_notice=registration_selectors.privacy_notice_current(),
                language=delegate.language,
                submitted_by=operator,
                submitted_at=now,
                state_changed_at=now,
                staff_notes=_("Walk-in at %(desk)s") % {"desk": desk},
                checked_in_at=now,
                checked_in_desk=desk,
                checked_in_by=operator,
            )
            _walk_in_registration_log(registration, desk=desk, operator=operator, at=now)
            desk_log_write(
                DeskLog.Action.WALK_IN,
                registration=registration,
                desk=desk,
                operator=operator,
                reason=WALK_IN_REASON,
                at=now,
            )
            desk_log_write(
                DeskLog.Action.CHECKED_IN,
                registration=registration,
                desk=desk,
                operator=operator,
                at=now,
            )
            email_queue_for_registration(registration=registration, kind=OutboxEmail.Kind.CONFIRMED)
            return registration
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise RegistrationError(" ".join(messages), field=field) from error
    except IntegrityError as error:
        # The same person registered at two desks at once: the database constraint decides.
        if "one_registration_per_delegate_per_event" in str(error) or "email" in str(error):
            raise _already_registered(email) from error
        raise
