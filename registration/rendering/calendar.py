"""The event as an iCalendar (.ics) file, attached to the confirmation email.

icalendar escapes the text and folds long lines as RFC 5545 asks, so names with commas,
semicolons or any script arrive in the delegate's calendar as they were typed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import icalendar
from django.utils import timezone

if TYPE_CHECKING:
    from registration.models import Event

PRODID = "-//WeGO//EXCOM Registration//EN"
UID_DOMAIN = "excom.wego"


def event_ics(*, event: Event, uid_suffix: str = "") -> bytes:
    """An all-day VEVENT over the event's days, in the event's own calendar days."""
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")

    entry = icalendar.Event()
    # The same UID in every email, so that a second copy updates the entry instead of adding one.
    entry.add("uid", f"{event.slug}{uid_suffix}@{UID_DOMAIN}")
    entry.add("dtstamp", timezone.now())
    # Dates, not times: the meeting's days wherever the reader's calendar is; DTEND is exclusive.
    entry.add("dtstart", event.starts_on)
    entry.add("dtend", event.ends_on + timedelta(days=1))
    entry.add("summary", event.name)
    location = ", ".join(part for part in (event.venue, event.venue_address) if part)
    if location:
        entry.add("location", location)
    if event.theme:
        entry.add("description", event.theme)
    calendar.add_component(entry)
    return calendar.to_ical()
