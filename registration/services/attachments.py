"""What an outbox email carries besides its text: the badge and the calendar entry."""

from __future__ import annotations

from registration.models import OutboxEmail, State
from registration.rendering.calendar import event_ics

Attachment = tuple[str, bytes, str]


def attachments_for(email: OutboxEmail) -> list[Attachment]:
    registration = email.registration
    carries_badge = email.kind == OutboxEmail.Kind.CONFIRMED or (
        email.kind == OutboxEmail.Kind.PROMOTED
        and registration is not None
        and registration.state == State.CONFIRMED
    )
    if registration is None or not carries_badge:
        return []
    from registration.services.badges import badge_pdf_bytes

    event = registration.event
    return [
        ("badge.pdf", badge_pdf_bytes(registration=registration), "application/pdf"),
        (f"{event.slug}.ics", event_ics(event=event), "text/calendar"),
    ]
