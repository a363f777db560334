"""The secretariat invites a city's focal point to lead its delegation.

The invitation is a personal link: a random token (only its SHA-256 is stored) for one city and
event, working once, until it expires or a newer invitation replaces it. The person signs in or
signs up with the address it was sent to and registers through it (or accepts it, if they are
registered already): they become head of delegation, granted.

An invitation is not sent while the city has a granted head. Claims of other people do not stop
it: the accepted invitation is the secretariat's choice, and their claims wait for the
secretariat to refuse them (a granted head blocks granting any other).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from delegates.models import Delegate, Language, MemberCity, User
from registration.errors import RegistrationError
from registration.models import (
    LIVE_STATES,
    DelegationRole,
    Event,
    HeadInvitation,
    OutboxEmail,
    PrivacyNotice,
    Registration,
    Session,
)
from registration.selectors.delegation import head_invitation_for_token, invitation_token_hash
from registration.services.heads import head_grant_locked
from registration.services.outbox import email_queue_rendered
from registration.services.quota import city_lock
from registration.services.submissions import registration_submit_own

INVITATION_VALID_FOR = timedelta(days=14)
ACCEPTED_REASON = gettext_lazy("Invited by the secretariat as the city's focal point.")


def _language_for(email: str, city: MemberCity) -> str:
    # The person's own choice when they are known; else Korean for a city in Korea.
    known = Delegate.objects.filter(email__iexact=email).values_list("language", flat=True).first()
    if known:
        return known
    return Language.KO if city.country == "KR" else Language.EN


def head_invitation_send(
    *, city: MemberCity, event: Event, actor: User, now: datetime | None = None
) -> HeadInvitation:
    """Email the city's focal point a personal link to lead its delegation; an open invitation
    sent before stops working."""
    now = now or timezone.now()
    email = city.focal_point_email.strip().lower()
    if not email:
        raise RegistrationError(
            _("%(city)s has no focal point email. Add it on the city's page first.")
            % {"city": city.name_en}
        )
    with transaction.atomic():
        city = city_lock(city.pk)
        head = (
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
        if head is not None:
            raise RegistrationError(
                _(
                    "%(city)s already has a head of delegation, %(name)s. Change that "
                    "registration's role first to invite someone else."
                )
                % {"city": city.name_en, "name": head.delegate.full_name}
            )
        HeadInvitation.objects.filter(
            event=event, city=city, accepted_at__isnull=True, replaced_at__isnull=True
        ).update(replaced_at=now)
        token = secrets.token_urlsafe(32)
        language = _language_for(email, city)
        invitation = HeadInvitation.objects.create(
            event=event,
            city=city,
            email=email,
            name=city.focal_point_name,
            language=language,
            token_hash=invitation_token_hash(token),
            invited_by=actor,
            created_at=now,
            expires_at=now + INVITATION_VALID_FOR,
        )
        with translation.override(language):
            url = settings.SITE_URL + reverse("head_invitation", args=[token])
        email_queue_rendered(
            kind=OutboxEmail.Kind.HEAD_INVITATION,
            recipient=email,
            language=language,
            context={"invitation": invitation, "event": event, "city": city, "url": url},
            secrets=[token],
        )
        return invitation


def head_invitation_problem(
    *, invitation: HeadInvitation | None, user: User | None, now: datetime | None = None
) -> str | None:
    """Why this invitation cannot be used by `user` (None: anyone yet), as a message for them."""
    if invitation is None:
        return _(
            "This invitation link is not valid. Please check that you opened the whole link from "
            "the email."
        )
    status = invitation.status(now)
    if status == HeadInvitation.Status.ACCEPTED:
        return _("This invitation has already been used.")
    if status == HeadInvitation.Status.REPLACED:
        return _(
            "The secretariat has sent a newer invitation. Please use the link in the latest email."
        )
    if status == HeadInvitation.Status.EXPIRED:
        return _(
            "This invitation expired on %(date)s. Please ask the secretariat for a new one."
        ) % {"date": formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")}
    if user is not None and user.is_authenticated and user.email.lower() != invitation.email:
        return _(
            "This invitation was sent to %(email)s, but you are signed in as %(you)s. Please "
            "sign out, then sign in or sign up with %(email)s."
        ) % {"email": invitation.email, "you": user.email}
    return None


def _take(token: str, user: User) -> HeadInvitation:
    """The invitation, for `user` to use now: the city's lock first, then the invitation's."""
    found = head_invitation_for_token(token)
    if found is not None:
        city_lock(found.city_id)
        found = (
            HeadInvitation.objects.select_for_update(of=("self",))
            .select_related("event", "city", "invited_by")
            .get(pk=found.pk)
        )
    problem = head_invitation_problem(invitation=found, user=user)
    if problem is not None:
        raise RegistrationError(problem)
    assert found is not None
    return found


def _accepted(invitation: HeadInvitation, registration: Registration) -> None:
    head_grant_locked(
        registration,
        city=invitation.city,
        actor=invitation.invited_by,
        reason=ACCEPTED_REASON,
        notify=False,
    )
    invitation.accepted_at = timezone.now()
    invitation.registration = registration
    invitation.save(update_fields=["accepted_at", "registration"])


def head_invitation_register(
    *,
    token: str,
    user: User,
    data: dict[str, Any],
    sessions: list[Session] | None = None,
    photo: ContentFile | None = None,
    privacy_notice: PrivacyNotice | None = None,
) -> Registration:
    """The invited person registers through the link: head of the city's delegation, granted."""
    with transaction.atomic():
        invitation = _take(token, user)
        registration = registration_submit_own(
            user=user,
            event=invitation.event,
            data={**data, "city": invitation.city, "delegation_role": DelegationRole.HEAD},
            sessions=sessions,
            photo=photo,
            privacy_notice=privacy_notice,
        )
        _accepted(invitation, registration)
        return registration


def head_invitation_accept(*, token: str, user: User) -> Registration:
    """The invited person, registered already with the city's delegation, becomes its head."""
    with transaction.atomic():
        invitation = _take(token, user)
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event", "delegate")
            .filter(event=invitation.event, delegate__user=user)
            .first()
        )
        if registration is None:
            raise RegistrationError(_("Please fill in the registration form first."))
        if registration.city_id != invitation.city_id:
            raise RegistrationError(
                _(
                    "You are registered with the delegation of %(city)s. Please write to the "
                    "secretariat to change your city."
                )
                % {"city": registration.city.name_en if registration.city else "—"}
            )
        _accepted(invitation, registration)
        return registration
