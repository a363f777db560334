"""Reminders before the event."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from registration.models import (
    Event,
    OutboxEmail,
    Registration,
    State,
)
from registration.services.outbox import email_queue_for_registration

EmailKind = OutboxEmail.Kind


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
