"""Writes behind the secretariat's admin actions that no delegate-facing service covers."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from delegates.models import User
from registration.errors import RegistrationError
from registration.models import Badge, OutboxEmail, Registration, RegistrationLog, State
from registration.services.badges import badge_queue_render
from registration.services.outbox import email_queue_for_registration, email_resend
from registration.services.registration_log import registration_log_write

# Fields only the secretariat sets (registration_update leaves them alone).
STAFF_FIELDS = ("hotel_name", "staff_notes")


def registration_set_staff_fields(
    *, registration: Registration, data: dict[str, Any], actor: User | None
) -> Registration:
    """Set the hotel and the desk note; the change is logged like any other edit."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
        changes: dict[str, list[Any]] = {}
        for field in STAFF_FIELDS:
            if field in data:
                value = (data[field] or "").strip()
                if getattr(registration, field) != value:
                    changes[field] = [getattr(registration, field), value]
                    setattr(registration, field, value)
        if changes:
            registration.save(update_fields=[*changes, "updated_at"])
            registration_log_write(
                registration,
                action=RegistrationLog.Action.EDITED,
                from_state=registration.state,
                actor=actor,
                changes=changes,
            )
        return registration


def registration_resend_confirmation(
    *, registration: Registration, actor: User | None
) -> OutboxEmail:
    """Send the confirmation again: the last one sent as it was, or a fresh one if there is none."""
    if registration.state != State.CONFIRMED:
        raise RegistrationError(
            _("%(name)s is %(state)s: only confirmed delegates get a confirmation.")
            % {
                "name": registration.delegate.full_name,
                "state": registration.get_state_display().lower(),
            }
        )
    with transaction.atomic():
        last = (
            OutboxEmail.objects.filter(registration=registration, kind=OutboxEmail.Kind.CONFIRMED)
            .order_by("-created_at", "-pk")
            .first()
        )
        if last is not None:
            return email_resend(email=last)
        registration = Registration.objects.select_related("delegate", "event").get(
            pk=registration.pk
        )
        return email_queue_for_registration(
            registration=registration, kind=OutboxEmail.Kind.CONFIRMED
        )


def badges_render_again(*, registrations: list[Registration]) -> int:
    """Render the badges of the confirmed ones again in the worker, even if they look current.

    The stored hash is cleared (and a badge that failed too often gets a new round of attempts),
    so the next render cannot skip them. Returns how many were queued.
    """
    confirmed = [r for r in registrations if r.state == State.CONFIRMED]
    with transaction.atomic():
        Badge.objects.filter(registration__in=confirmed).update(
            content_hash="", render_attempts=0, last_error=""
        )
        for registration in confirmed:
            badge_queue_render(registration=registration)
    return len(confirmed)
