"""A registration as it is submitted: the person record and the registration together, from the
delegate's own form, or by the secretariat on a person's behalf."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from delegates.models import Delegate, MemberCity, User
from delegates.services import DELEGATE_FIELDS, delegate_save
from registration.errors import RegistrationError
from registration.models import (
    DelegationRole,
    Event,
    PrivacyNotice,
    Registration,
    Session,
)
from registration.services.heads import category_for, claimed_category_for, head_grant_locked
from registration.services.registrations import (
    REGISTRATION_FIELDS,
    registration_submit,
    registration_update,
)


def person_data_from(data: dict[str, Any]) -> dict[str, Any]:
    """What of a registration form's data belongs to the person record."""
    return {field: data[field] for field in DELEGATE_FIELDS if field in data} | {
        "visa_letter_wanted": data.get("visa_letter_wanted", False)
    }


def registration_data_from(data: dict[str, Any], city: MemberCity | None) -> dict[str, Any]:
    """What of a registration form's data belongs to the registration, with its category."""
    values = {field: data[field] for field in REGISTRATION_FIELDS if field in data}
    values.setdefault(
        "category", claimed_category_for(role=values.get("delegation_role", ""), city=city)
    )
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
    """A delegate registers themselves: their person record and the registration, together.

    The same person's submissions run one after the other (their login's row is locked first):
    a double-click or a retried request then finds the first one's registration, never a
    half-made person record.
    """
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        delegate = (
            Delegate.objects.filter(user=user).first()
            or Delegate.objects.filter(email__iexact=user.email, user__isnull=True).first()
        )
        delegate, _changes = delegate_save(
            delegate=delegate,
            email=user.email,
            data=person_data_from(data),
            photo=photo,
            user=user,
        )
        return registration_submit(
            delegate=delegate,
            event=event,
            data=registration_data_from(data, delegate.city),
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
        person = {k: v for k, v in person_data_from(data).items() if k != "city"}
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
    current privacy notice. A head of delegation registered by the secretariat is granted.
    """
    if delegation_role not in DelegationRole.values:
        raise RegistrationError(_("Please choose a role."), field="delegation_role")
    data = {
        "delegation_role": delegation_role,
        "category": category_for(role=delegation_role, city=delegate.city),
    }
    with transaction.atomic():
        registration = registration_submit(
            delegate=delegate, event=event, data=data, actor=actor, within_registration_period=False
        )
        if registration.claims_head and registration.city is not None:
            # registration_submit holds the city's lock until this transaction ends.
            head_grant_locked(registration, city=registration.city, actor=actor)
        return registration
