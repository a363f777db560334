import unicodedata
from io import StringIO

import pytest
from django.core.management import call_command

from delegates.models import Delegate, MemberCity, User
from registration.models import Event, Registration

pytestmark = pytest.mark.django_db


def scripts_of(text):
    return {unicodedata.name(ch).split()[0] for ch in text if ch.isalpha()}


def test_seed_demo_creates_the_demo_event_cities_delegates_and_admin():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    event = Event.objects.get(slug="wego-excom-2019")
    assert (event.starts_on.isoformat(), event.ends_on.isoformat()) == ("2019-10-14", "2019-10-16")
    assert "Pangyo" in event.venue_address and event.is_demo
    assert MemberCity.objects.count() == 133
    assert MemberCity.objects.values("country").distinct().count() == 52
    assert not MemberCity.objects.filter(is_demo=False).exists()
    assert Registration.objects.filter(event=event).count() >= 30
    names = "".join(Delegate.objects.values_list("native_name", flat=True))
    assert {"HANGUL", "ARABIC", "CYRILLIC", "CJK"} <= scripts_of(names)
    assert any(ch in names for ch in "ñüéçã") or any(
        ch in "".join(Delegate.objects.values_list("given_name", flat=True)) for ch in "éñü"
    )
    printed = out.getvalue()
    assert "admin@wego.example" in printed and "password:" in printed
    assert User.objects.get(email="admin@wego.example").is_superuser

    # Run again: nothing new, and the password is not shown a second time.
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert MemberCity.objects.count() == 133
    assert "password:" not in again.getvalue()
