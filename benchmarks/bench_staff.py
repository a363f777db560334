"""The secretariat's admin at 10,000 registrations: p50/p95 time of the delegate list (with and
without a search), the city list and the dashboard. Prints a table; not a test.

    .venv/bin/python benchmarks/bench_staff.py [--registrations 10000] [--runs 40]

It creates its own database (excom_bench_staff) on the PostgreSQL at DATABASE_URL, migrates it
with the test settings, writes the registrations in bulk over 133 cities and times full requests
through Django's test client in this process (middleware, admin view, template, every query).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.support import (  # noqa: E402
    bench_database_create,
    bench_database_drop,
    bench_database_url,
    bench_event,
)

BENCH_DB = "excom_bench_staff"
SCRATCH = Path(tempfile.gettempdir()) / "excom-bench-staff"
TARGET_P95_MS = 300


def prepare_environment() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "excom.settings.test",
            "DATABASE_URL": bench_database_url(BENCH_DB),
            "DJANGO_MEDIA_ROOT": str(SCRATCH / "media"),
            "DJANGO_PRIVATE_ROOT": str(SCRATCH / "private"),
            "PYTEST_XDIST_WORKER": "bench-staff",
            "DJANGO_LOG_LEVEL": "WARNING",
            "CELERY_TASK_ALWAYS_EAGER": "true",
        }
    )


def seed(count: int) -> None:
    from django.utils import timezone

    from delegates.models import Delegate, MemberCity, Region
    from registration.models import Category, DelegationRole, Registration, State

    now = timezone.now()
    event = bench_event("bench-staff")
    regions = [Region.objects.create(code=f"r{n}", name=f"Region {n}") for n in range(6)]
    countries = ["KR", "GH", "MX", "FR", "JP", "MN", "AE", "BR", "KE", "ID"]
    cities = MemberCity.objects.bulk_create(
        MemberCity(
            code=f"city-{n}",
            name_en=f"City {n}",
            name_local=f"도시{n}",
            country=countries[n % len(countries)],
            region=regions[n % len(regions)],
            delegation_quota=100,
        )
        for n in range(133)
    )
    natives = ["은수미", "Ñúñez", "محمد", "Łukasz", ""]
    delegates = []
    for n in range(count):
        delegate = Delegate(
            email=f"delegate{n}@example.org",
            given_name=f"Given{n}",
            family_name=f"Family{n}",
            native_name=natives[n % len(natives)],
            organisation="City Hall",
            city=cities[n % len(cities)],
            diet=["", "", "vegetarian", "halal"][n % 4],
        )
        delegate.search_text = delegate.folded_search_text()
        delegates.append(delegate)
    Delegate.objects.bulk_create(delegates, batch_size=2000)
    states = [State.CONFIRMED, State.CONFIRMED, State.PENDING, State.WAITLISTED, State.DECLINED]
    Registration.objects.bulk_create(
        (
            Registration(
                event=event,
                delegate=delegate,
                city=delegate.city,
                state=states[n % len(states)],
                holds_place=states[n % len(states)] in (State.CONFIRMED, State.PENDING),
                category=Category.DELEGATE,
                delegation_role=DelegationRole.DELEGATE,
                consent_given_at=now,
                submitted_at=now,
                visa_letter_wanted=n % 9 == 0,
                hotel_needed=n % 2 == 0,
                hotel_name="Courtyard Pangyo" if n % 6 == 0 else "",
            )
            for n, delegate in enumerate(delegates)
        ),
        batch_size=2000,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(client, url: str, runs: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    return statistics.median(times), p95, len(captured), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    prepare_environment()
    bench_database_create(BENCH_DB)
    import django

    django.setup()
    from django.test import Client

    from delegates.models import User
    from delegates.second_factor import second_factor_record

    try:
        started = time.perf_counter()
        seed(args.registrations)
        seeded = time.perf_counter() - started
        user = User.objects.create_superuser(email="bench@wego.example", password=None)
        # No test environment: templates render as they do in production (not instrumented).
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        # Signed in with the authenticator app's code, as the secretariat is.
        session = client.session
        second_factor_record(session=session, user=user)
        session.save()

        delegates = "/admin/registration/registration/"
        cases = [
            ("delegate list, first page (100 rows)", delegates),
            ("delegate list, search 'family1234'", f"{delegates}?q=family1234"),
            ("delegate list, search '은수' (Hangul)", f"{delegates}?q=%EC%9D%80%EC%88%98"),
            ("delegate list, search 'nunez' (folded)", f"{delegates}?q=nunez"),
            (
                "delegate list, state + diet filter",
                f"{delegates}?state__exact=confirmed&diet=halal",
            ),
            ("member city list (133, counts)", "/admin/delegates/membercity/"),
            ("staff dashboard", "/staff/"),
        ]
        print(
            f"\nSecretariat admin at {args.registrations:,} registrations, 133 cities "
            f"(seeded in {seeded:.1f} s); {args.runs} requests each, Django test client, "
            "PostgreSQL\n"
        )
        header = f"{'page':<42} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KB':>6}  target"
        print(header)
        print("-" * len(header))
        for label, url in cases:
            p50, p95, queries, size = measure(client, url, args.runs)
            target = "" if "dashboard" in label or "city" in label else f"p95 < {TARGET_P95_MS}"
            verdict = ""
            if target:
                verdict = "ok" if p95 < TARGET_P95_MS else "SLOW"
            print(
                f"{label:<42} {p50:>8.1f} {p95:>8.1f} {queries:>8} {size / 1024:>6.0f}  "
                f"{target} {verdict}".rstrip()
            )
    finally:
        bench_database_drop(BENCH_DB)


if __name__ == "__main__":
    main()
