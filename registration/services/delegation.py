"""A head of delegation registers the colleagues of their city, or invites those who manage their
own registration."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from delegates.models import Delegate, Language, User
from delegates.services import delegate_save
from registration.errors import RegistrationError
from registration.models import (
    ColleagueInvitation,
    DelegationRole,
    OutboxEmail,
    PrivacyNotice,
    Registration,
    Session,
)
from registration.services.outbox import email_queue_rendered
from registration.services.registrations import registration_submit
from registration.services.submissions import person_data_from, registration_data_from


def _has_a_login(email: str) -> bool:
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
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
) -> Registration | ColleagueInvitation:
    """A head of delegation registers a colleague of the same city, who has no login yet.

    Someone with a login, or a person record the head did not make, is theirs to manage: they
    are emailed an invitation to register themselves instead (the invitation is returned).
    """
    if not (head.is_granted_head and head.is_live and head.delegate.user_id == actor.pk):
        raise RegistrationError(
            _("Only a head of delegation confirmed by the secretariat can register colleagues.")
        )
    if data.get("delegation_role") == DelegationRole.HEAD:
        raise RegistrationError(
            _("A delegation has one head. Please choose another role."), field="delegation_role"
        )
    email = email.strip().lower()
    with transaction.atomic():
        existing = Delegate.objects.filter(email__iexact=email).first()
        if _has_a_login(email) or (
            existing is not None
            and (
                existing.user_id is not None
                or existing.registered_by_id != actor.pk
                or existing.city_id != head.city_id
            )
        ):
            language = existing.language if existing is not None else data.get("language")
            return colleague_invite(
                head=head,
                email=email,
                name=f"{data.get('given_name', '')} {data.get('family_name', '')}".strip(),
                language=language or Language.EN,
                actor=actor,
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


def colleague_invite(
    *, head: Registration, email: str, name: str, language: str, actor: User
) -> ColleagueInvitation:
    """Email someone an invitation to register themselves with the head's delegation, once."""
    with transaction.atomic():
        invitation, created = ColleagueInvitation.objects.get_or_create(
            event=head.event, invited_by=actor, email=email, defaults={"city": head.city}
        )
        if not created:
            return invitation
        with translation.override(language):
            register_url = reverse("register")
        register_url = f"{settings.SITE_URL}{register_url}?{urlencode({'city': head.city.code})}"
        email_queue_rendered(
            kind=OutboxEmail.Kind.COLLEAGUE_INVITATION,
            recipient=email,
            language=language,
            context={
                "event": head.event,
                "name": name,
                "head": head.delegate,
                "city": head.city,
                "register_url": register_url,
            },
        )
        return invitation
