"""Head of a city's delegation: a claim the secretariat grants or refuses.

A person who registers as head only claims it; the head's powers (the delegation page,
registering colleagues) come with the grant: the secretariat's action, the secretariat
registering them as head, or their invitation (services/head_invitations.py). Each grant takes
the city's lock first, so two grants for one city never both succeed; the database's
`one_head_per_city_delegation` holds it as well.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from delegates.models import MemberCity, User
from registration.errors import RegistrationError
from registration.models import (
    LIVE_STATES,
    Category,
    DelegationRole,
    OutboxEmail,
    Registration,
    RegistrationLog,
    State,
)
from registration.services.badges import badge_queue_render
from registration.services.outbox import email_queue_for_registration
from registration.services.quota import city_lock
from registration.services.registration_log import registration_log_write

Action = RegistrationLog.Action
EmailKind = OutboxEmail.Kind


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


def claimed_category_for(*, role: str, city: MemberCity | None) -> str:
    """The category of a role as a person claims it: a head's badge waits for the grant."""
    if role == DelegationRole.HEAD:
        role = DelegationRole.DELEGATE
    return category_for(role=role, city=city)


def granted_head_of(*, registration: Registration) -> Registration | None:
    """The granted head of the registration's city delegation, other than the registration."""
    return (
        Registration.objects.select_related("delegate")
        .filter(
            event_id=registration.event_id,
            city_id=registration.city_id,
            delegation_role=DelegationRole.HEAD,
            head_granted_at__isnull=False,
            state__in=LIVE_STATES,
        )
        .exclude(pk=registration.pk)
        .first()
    )


def delegation_url(language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse("delegation")


def head_grant_locked(
    registration: Registration,
    *,
    city: MemberCity,
    actor: User | None,
    reason: str | Promise = "",
    notify: bool = True,
) -> Registration:
    """Make a live registration of `city` its granted head, in the caller's transaction, which
    holds the city's lock and the registration's."""
    if not registration.is_live:
        raise RegistrationError(
            _("A %(state)s registration cannot lead a delegation.")
            % {"state": registration.get_state_display().lower()}
        )
    if registration.city_id != city.pk:
        raise RegistrationError(_("Only a delegate of a member city can lead its delegation."))
    other = granted_head_of(registration=registration)
    if other is not None:
        raise RegistrationError(
            _(
                "%(city)s already has a head of delegation, %(name)s. Change that registration's "
                "role first."
            )
            % {"city": city.name_en, "name": other.delegate.full_name}
        )
    changes = {}
    if registration.delegation_role != DelegationRole.HEAD:
        changes["delegation_role"] = [registration.delegation_role, DelegationRole.HEAD]
    if registration.category == claimed_category_for(role=registration.delegation_role, city=city):
        # Still the category the person's own choice gave it: the head's badge now.
        category = category_for(role=DelegationRole.HEAD, city=city)
        if category != registration.category:
            changes["category"] = [registration.category, category]
            registration.category = category
    registration.delegation_role = DelegationRole.HEAD
    registration.head_granted_at = timezone.now()
    registration.save(
        update_fields=["delegation_role", "category", "head_granted_at", "updated_at"]
    )
    registration_log_write(
        registration, action=Action.HEAD_GRANTED, actor=actor, reason=reason, changes=changes
    )
    if "category" in changes and registration.state == State.CONFIRMED:
        badge_queue_render(registration=registration)
    if notify:
        email_queue_for_registration(
            registration=registration,
            kind=EmailKind.HEAD_GRANTED,
            extra_context={"delegation_url": delegation_url(registration.language)},
        )
    return registration


def _claim_locked(registration: Registration) -> tuple[Registration, MemberCity]:
    """The city's lock, then the registration's; it must be a live claim to lead a delegation."""
    city = city_lock(registration.city_id)
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "delegate")
        .get(pk=registration.pk)
    )
    if registration.is_granted_head:
        raise RegistrationError(_("Already granted head of delegation."))
    if not registration.claims_head or city is None:
        raise RegistrationError(_("This registration does not claim to lead a delegation."))
    if not registration.is_live:
        raise RegistrationError(
            _("A %(state)s registration cannot lead a delegation.")
            % {"state": registration.get_state_display().lower()}
        )
    return registration, city


def head_claim_grant(*, registration: Registration, actor: User | None) -> Registration:
    """The secretariat grants a head claim: the person gets the head's powers and an email."""
    with transaction.atomic():
        registration, city = _claim_locked(registration)
        return head_grant_locked(registration, city=city, actor=actor)


def head_claim_refuse(
    *, registration: Registration, actor: User | None, reason: str
) -> Registration:
    """The secretariat refuses a head claim: the registration stays, as a delegate's, and the
    person is emailed the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise RegistrationError(_("Please give the reason for refusing."), field="reason")
    with transaction.atomic():
        registration, city = _claim_locked(registration)
        changes = {"delegation_role": [DelegationRole.HEAD, DelegationRole.DELEGATE]}
        if registration.category == category_for(role=DelegationRole.HEAD, city=city):
            category = category_for(role=DelegationRole.DELEGATE, city=city)
            if category != registration.category:
                changes["category"] = [registration.category, category]
                registration.category = category
        registration.delegation_role = DelegationRole.DELEGATE
        registration.save(update_fields=["delegation_role", "category", "updated_at"])
        registration_log_write(
            registration, action=Action.HEAD_REFUSED, actor=actor, reason=reason, changes=changes
        )
        if "category" in changes and registration.state == State.CONFIRMED:
            badge_queue_render(registration=registration)
        email_queue_for_registration(
            registration=registration,
            kind=EmailKind.HEAD_REFUSED,
            extra_context={"reason": reason, "city": city},
        )
        return registration
