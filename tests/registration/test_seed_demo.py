import csv
import fnmatch
import tomllib
import unicodedata
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from delegates.models import Delegate, MemberCity, User
from registration.models import Category, DelegationRole, Event, Registration

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "registration" / "demo"


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


def test_the_demo_cities_are_an_import_file_like_any_other():
    out = StringIO()
    call_command("import_cities", str(DEMO / "cities.csv"), stdout=out)
    assert "created 133, updated 0, unchanged 0, rejected 0" in out.getvalue()
    assert not MemberCity.objects.filter(is_demo=True).exists()  # only seed_demo marks them


def test_demo_delegates_have_registrations_as_the_file_says():
    call_command("seed_demo", "--no-admin", stdout=StringIO())
    with (DEMO / "delegates.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    registrations = {
        r.delegate.email: r for r in Registration.objects.select_related("delegate__city")
    }
    assert len(registrations) == len(rows) == 36
    for row in rows:
        registration = registrations[row["email"]]
        assert registration.delegate.city.code == row["city"]
        assert (registration.delegation_role, registration.category) == (
            row["delegation_role"],
            row["category"],
        )
        assert registration.hotel_needed == (row["hotel_needed"] == "yes")
    kinds = {(r.delegation_role, r.category) for r in registrations.values()}
    assert {(DelegationRole.HEAD, Category.VIP), (DelegationRole.PRESS, Category.PRESS)} <= kinds


def test_the_demo_files_are_installed_with_the_package():
    with (ROOT / "pyproject.toml").open("rb") as file:
        patterns = tomllib.load(file)["tool"]["setuptools"]["package-data"]["registration"]
    files = [p.relative_to(ROOT / "registration").as_posix() for p in DEMO.iterdir()]
    assert files and all(any(fnmatch.fnmatch(f, p) for p in patterns) for f in files)
