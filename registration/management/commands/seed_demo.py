"""Fill an empty database with the demo event, 133 demo cities, delegates and an admin login."""

from __future__ import annotations

import csv
import secrets
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from delegates.city_files import city_dataset
from delegates.models import Delegate, MemberCity, User
from delegates.services import cities_import, delegate_save
from registration.errors import RegistrationError
from registration.models import Event, Session
from registration.services.heads import head_claim_grant
from registration.services.registrations import registration_submit

SEOUL = ZoneInfo("Asia/Seoul")
DEMO_SLUG = "wego-excom-2019"
ADMIN_EMAIL = "admin@wego.example"
# The demo's content is data: cities.csv in the columns of docs/city-import.md, loaded like
# `import_cities` loads a file, and delegates.csv, one registration per row. The cities are real
# places, but every record made from these files is marked as demo data.
DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DELEGATE_COLUMNS = (
    "honorific",
    "given_name",
    "family_name",
    "native_name",
    "job_title",
    "organisation",
    "language",
)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SEOUL)


class Command(BaseCommand):
    help = "Create the demo event (WeGO EXCOM 2019), 133 demo cities, demo delegates and an admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-published",
            action="store_true",
            help="Use the historic registration window of 2019 (registration then is closed).",
        )
        parser.add_argument("--no-admin", action="store_true", help="Do not create the admin.")

    def handle(self, *args, as_published: bool, no_admin: bool, **options) -> None:
        if Event.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write("The demo event exists already; nothing to do.")
        else:
            with transaction.atomic():
                event = self._event(as_published)
                cities = self._cities()
                count = self._delegates(event, cities)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data: event '{event.name}', {len(cities)} cities in "
                    f"{len({c.country.code for c in cities.values()})} countries, "
                    f"{count} registrations. Every record is marked as demo data."
                )
            )
        if not no_admin:
            self._admin()

    def _event(self, as_published: bool) -> Event:
        starts = date(2019, 10, 14)
        if as_published:
            opens, closes = _at(date(2019, 7, 1), 9), _at(date(2019, 9, 30), 18)
            retention_until = None
        else:
            # The published dates stay; the window is kept open so the demo can be tried, and
            # the demo's data is not purged as if the event had just ended.
            now = timezone.now()
            opens, closes = now - timedelta(days=30), now + timedelta(days=60)
            retention_until = timezone.localdate() + timedelta(days=365)
        event = Event.objects.create(
            name="WeGO EXCOM 2019",
            slug=DEMO_SLUG,
            theme="Realizing Human-Centered Smart Cities",
            starts_on=starts,
            ends_on=date(2019, 10, 16),
            venue="Gyeonggi Creative Economy Innovation Center, International Conference Hall",
            venue_address="Pangyo, Bundang-gu, Seongnam, Gyeonggi-do, Republic of Korea",
            host_city="Seongnam",
            registration_opens_at=opens,
            registration_closes_at=closes,
            edit_deadline=closes,
            confirm_within_quota=True,
            retention_until=retention_until,
            is_demo=True,
        )
        programme = [
            ("opening", "Opening ceremony", "개막식", _at(starts, 10)),
            ("excom", "Executive Committee meeting", "집행위원회 회의", _at(starts, 14)),
            (
                "thematic",
                "Thematic sessions",
                "주제별 세션",
                _at(starts + timedelta(days=1), 9, 30),
            ),
            (
                "visit",
                "Technical visit: Pangyo Techno Valley",
                "기술 시찰: 판교테크노밸리",
                _at(starts + timedelta(days=1), 14),
            ),
            ("gala", "Gala dinner", "환영 만찬", _at(starts + timedelta(days=1), 19)),
        ]
        for order, (code, name, name_ko, starts_at) in enumerate(programme):
            Session.objects.create(
                event=event,
                code=code,
                name=name,
                name_ko=name_ko,
                starts_at=starts_at,
                sort_order=order,
            )
        return event

    def _cities(self) -> dict[str, MemberCity]:
        report = cities_import(city_dataset(DEMO_DIR / "cities.csv"), demo=True)
        if not report.applied:
            problems = "; ".join(
                f"line {row.line}: {', '.join(row.errors)}" for row in report.rejected
            )
            raise CommandError(f"{DEMO_DIR / 'cities.csv'}: {problems}")
        return {city.code: city for city in MemberCity.objects.filter(is_demo=True)}

    def _delegates(self, event: Event, cities: dict[str, MemberCity]) -> int:
        with (DEMO_DIR / "delegates.csv").open(encoding="utf-8", newline="") as file:
            rows = list(csv.DictReader(file))
        sessions = list(event.sessions.all())
        count = 0
        for row in rows:
            email = row["email"]
            if Delegate.objects.filter(email__iexact=email).exists():
                continue
            delegate, _changes = delegate_save(
                delegate=None,
                email=email,
                data={name: row[name] for name in DELEGATE_COLUMNS} | {"city": cities[row["city"]]},
            )
            try:
                registration = registration_submit(
                    delegate=delegate,
                    event=event,
                    data={
                        "delegation_role": row["delegation_role"],
                        "category": row["category"],
                        "hotel_needed": row["hotel_needed"] == "yes",
                    },
                    actor=None,
                    sessions=sessions,
                )
                if registration.claims_head:
                    # The demo's heads of delegation, as the secretariat would have granted them.
                    head_claim_grant(registration=registration, actor=None)
            except RegistrationError as error:
                self.stderr.write(f"{email}: {error.message}")
                continue
            count += 1
        return count

    def _admin(self) -> None:
        if User.objects.filter(email=ADMIN_EMAIL).exists():
            self.stdout.write(
                f"Admin login: {ADMIN_EMAIL} (exists already; its password was shown when it "
                "was created)."
            )
            return
        password = secrets.token_urlsafe(12)
        admin = User.objects.create_superuser(email=ADMIN_EMAIL, password=password)
        # So that the same login also works on the site, where allauth wants a verified address.
        EmailAddress.objects.create(user=admin, email=ADMIN_EMAIL, verified=True, primary=True)
        self.stdout.write(self.style.WARNING(f"Admin login: {ADMIN_EMAIL}  password: {password}"))
        self.stdout.write("This password is shown only now.")
