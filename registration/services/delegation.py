"""A head of delegation registers the colleagues of their city."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from delegates.models import Delegate, User
from delegates.services import delegate_save
from registration.errors import RegistrationError
from registration.models import (
    DelegationRole,
    PrivacyNotice,
    Registration,
    Session,
)
from registration.services.registrations import registration_submit
from registration.services.submissions import person_data_from, registration_data_from


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
    if not (head.is_granted_head and head.is_live and head.delegate.user_id == actor.pk):
        raise RegistrationError(
            _("Only a head of delegation confirmed by the secretariat can register colleagues.")
        )
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
        person = person_data_from(data) | {"city": head.city}
        delegate, _changes = delegate_save(
            delegate=existing, email=email, data=person, photo=photo, registered_by=actor
        )
        return registration_submit(
            delegate=delegate,
            event=head.event,
            data=registration_data_from(data, head.city),
            actor=actor,
            sessions=sessions,
            privacy_notice=privacy_notice,
        )
