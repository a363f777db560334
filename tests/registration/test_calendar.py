"""The calendar file of the confirmation email, read back as a calendar program would."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar

from registration.models import Event
from registration.rendering.calendar import event_ics

NAME = (
    "WeGO Executive Committee, 2019; 세계스마트지속가능도시기구 집행위원회 — Seongnam \\ Gyeonggi"
)


def excom(**fields) -> Event:
    values = {
        "slug": "excom-2019",
        "name": NAME,
        "theme": "Smart cities for all:\nthe people, the data; the places",
        "starts_on": date(2019, 10, 14),
        "ends_on": date(2019, 10, 16),
        "venue": "Seongnam City Hall",
        "venue_address": "997 Seongnam-daero, Jungwon-gu",
        "host_city": "Seongnam",
    }
    return Event(**{**values, **fields})


def read(ics: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(ics)
    (entry,) = calendar.walk("VEVENT")
    return calendar, entry


def test_the_event_reads_back_with_every_field_as_typed():
    calendar, entry = read(event_ics(event=excom()))

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//WeGO//EXCOM Registration//EN"
    assert str(entry["UID"]) == "excom-2019@excom.wego"
    assert str(entry["SUMMARY"]) == NAME
    assert str(entry["LOCATION"]) == "Seongnam City Hall, 997 Seongnam-daero, Jungwon-gu"
    assert str(entry["DESCRIPTION"]) == "Smart cities for all:\nthe people, the data; the places"
    stamp = entry.decoded("DTSTAMP")
    assert stamp.tzinfo is not None and abs(datetime.now(UTC) - stamp).total_seconds() < 60


def test_the_event_is_all_day_over_its_days():
    _calendar, entry = read(event_ics(event=excom()))
    start, end = entry.decoded("DTSTART"), entry.decoded("DTEND")
    # Dates, not date-times: the same days in every time zone; the end is exclusive.
    assert type(start) is date and type(end) is date
    assert (start, end) == (date(2019, 10, 14), date(2019, 10, 17))


def test_a_one_day_event_without_theme_or_address():
    one_day = excom(ends_on=date(2019, 10, 14), theme="", venue_address="")
    _calendar, entry = read(event_ics(event=one_day, uid_suffix="-promoted"))
    assert (entry.decoded("DTSTART"), entry.decoded("DTEND")) == (
        date(2019, 10, 14),
        date(2019, 10, 15),
    )
    assert str(entry["LOCATION"]) == "Seongnam City Hall"
    assert "DESCRIPTION" not in entry
    assert str(entry["UID"]) == "excom-2019-promoted@excom.wego"


def test_long_lines_are_folded_for_mail_and_read_back_whole():
    long_name = "Executive Committee of the World Smart Sustainable Cities Organization " * 4
    long_name += "세계스마트지속가능도시기구 " * 8
    ics = event_ics(event=excom(name=long_name.strip()))

    assert ics.endswith(b"\r\n")
    lines = ics.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines)  # every line ends in CRLF
    assert max(len(line) for line in lines) <= 75  # octets, as RFC 5545 counts them
    assert any(line.startswith(b" ") for line in lines)  # folded, not cut
    for line in lines:
        line.decode("utf-8")  # never split inside a character
    _calendar, entry = read(ics)
    assert str(entry["SUMMARY"]) == long_name.strip()
