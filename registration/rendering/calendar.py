"""The event as an iCalendar (.ics) file, attached to the confirmation email."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from registration.models import Event


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    # RFC 5545: lines longer than 75 octets are folded with CRLF and a space.
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > 74:
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def event_ics(*, event: Event, uid_suffix: str = "") -> bytes:
    """An all-day VEVENT over the event's days, in the event's own calendar days."""
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    location = ", ".join(part for part in (event.venue, event.venue_address) if part)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//WeGO//EXCOM Registration//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{event.slug}{uid_suffix}@excom.wego",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{event.starts_on:%Y%m%d}",
        f"DTEND;VALUE=DATE:{event.ends_on + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{_escape(event.name)}",
        f"LOCATION:{_escape(location)}",
        f"DESCRIPTION:{_escape(event.theme)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")
