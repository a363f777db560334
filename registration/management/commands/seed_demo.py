"""Fill an empty database with the demo event, 133 demo cities, delegates and an admin login."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from delegates.models import Delegate, MemberCity, Membership, Region, User
from delegates.services import delegate_save
from registration.demo_data import DEMO_CITIES, DEMO_DELEGATES
from registration.errors import RegistrationError
from registration.models import Category, DelegationRole, Event, Session
from registration.services.registrations import registration_submit

SEOUL = ZoneInfo("Asia/Seoul")
DEMO_SLUG = "wego-excom-2019"
ADMIN_EMAIL = "admin@wego.example"


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
        regions = {region.code: region for region in Region.objects.all()}
        cities: dict[str, MemberCity] = {}
        memberships = [Membership.FULL] * 6 + [
            Membership.ASSOCIATE,
            Membership.NON_MEMBER,
            Membership.SISTER_CITY,
            Membership.PARTNER,
        ]
        number = 0
        for country, region_code, names in DEMO_CITIES:
            for name_en, name_local in names:
                code = f"{country.lower()}-{slugify(name_en)}"
                city, _created = MemberCity.objects.update_or_create(
                    code=code,
                    defaults={
                        "name_en": name_en,
                        "name_local": name_local,
                        "country": country,
                        "region": regions[region_code],
                        "membership": memberships[number % len(memberships)]
                        if code != "kr-seongnam"
                        else Membership.FULL,
                        "is_executive_committee": number % 7 == 0 or code == "kr-seongnam",
                        "delegation_quota": 5 if country == "KR" else 3,
                        "focal_point_name": "Demo focal point",
                        "focal_point_email": f"focal.{code}@demo.example",
                        "is_demo": True,
                    },
                )
                cities[code] = city
                number += 1
        return cities

    def _delegates(self, event: Event, cities: dict[str, MemberCity]) -> int:
        heads: set[int] = set()
        count = 0
        for (
            given,
            family,
            native,
            honorific,
            title,
            organisation,
            city_code,
            language,
        ) in DEMO_DELEGATES:
            city = cities[city_code]
            email = f"{slugify(given)}.{slugify(family)}@demo.example".replace("-", "")
            if Delegate.objects.filter(email__iexact=email).exists():
                continue
            delegate, _changes = delegate_save(
                delegate=None,
                email=email,
                data={
                    "honorific": honorific,
                    "given_name": given,
                    "family_name": family,
                    "native_name": native if native != f"{given} {family}" else "",
                    "job_title": title,
                    "organisation": organisation,
                    "city": city,
                    "language": language,
                },
            )
            role = DelegationRole.DELEGATE
            category = Category.DELEGATE
            if city.pk not in heads:
                role = DelegationRole.HEAD
                heads.add(city.pk)
                category = Category.EXCOM if city.is_executive_committee else Category.DELEGATE
            if "Mayor" in title or "Secretary General" in title:
                category = Category.VIP
            if organisation == "Yonhap News Agency":
                role, category = DelegationRole.PRESS, Category.PRESS
            try:
                registration_submit(
                    delegate=delegate,
                    event=event,
                    data={
                        "delegation_role": role,
                        "category": category,
                        "hotel_needed": count % 3 != 0,
                    },
                    actor=None,
                    sessions=list(event.sessions.all()),
                )
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
