"""1,000 confirmation emails, each with its badge PDF and calendar file, through a real Celery
worker and Redis into a real SMTP sink. Prints a table; not a test.

    .venv/bin/python benchmarks/bench_emails.py [--count 1000] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.support import (  # noqa: E402
    bench_database_create,
    bench_database_url,
)

BENCH_DB = "excom_bench"


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/9"


def prepare_environment(smtp_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "excom.settings.test",
        "DATABASE_URL": bench_database_url(BENCH_DB),
        "REDIS_URL": redis_url(),
        "EMAIL_URL": smtp_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_MEDIA_ROOT": "/tmp/excom-bench/media",
        "DJANGO_PRIVATE_ROOT": "/tmp/excom-bench/private",
        "PYTEST_XDIST_WORKER": "bench",
    }
    os.environ.update(env)
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()

    import logging

    from tests.worker_support import CeleryWorker, SmtpSink, wait_until

    # The SMTP server's own log of every command would cost more than the mail itself.
    logging.getLogger("mail.log").setLevel(logging.WARNING)

    sink = SmtpSink().start()
    env = prepare_environment(sink.url)
    bench_database_create(BENCH_DB)

    import django

    django.setup()
    import redis
    from django.utils import timezone

    from delegates.models import Delegate
    from registration.models import OutboxEmail, Registration, State
    from registration.services.states import registration_confirm
    from tests.factories import EventFactory, MemberCityFactory

    redis.Redis.from_url(redis_url()).flushdb()
    event = EventFactory(confirm_within_quota=False)
    city = MemberCityFactory(delegation_quota=args.count, name_en="Seongnam", name_local="성남시")
    scripts = ["은수미", "张伟", "Алексей Смирнов", "محمد المنصوري", "José Ñúñez", "สมชาย ใจดี"]
    delegates = Delegate.objects.bulk_create(
        Delegate(
            email=f"bench{n}@example.org",
            given_name="Delegate",
            family_name=f"Number {n}",
            native_name=scripts[n % len(scripts)],
            job_title="Director of Smart City Policy",
            organisation="City Hall",
            city=city,
        )
        for n in range(args.count)
    )
    registrations = Registration.objects.bulk_create(
        Registration(
            event=event,
            delegate=d,
            city=city,
            state=State.PENDING,
            holds_place=True,
            consent_given_at=timezone.now(),
        )
        for d in delegates
    )

    worker = CeleryWorker(env=env, name="bench", concurrency=args.concurrency).start()
    try:
        started = time.monotonic()
        for registration in registrations:
            registration_confirm(registration=registration, actor=None)
        queued_in = time.monotonic() - started
        wait_until(lambda: len(sink.messages) >= args.count, 600, "all emails")
        elapsed = time.monotonic() - started
        time.sleep(2)
    finally:
        worker.stop()
        sink.stop()

    recipients = Counter(m["To"] for m in sink.messages)
    statuses = Counter(OutboxEmail.objects.values_list("status", flat=True))
    with_badge = sum(
        1 for m in sink.messages if any(p.get_filename() == "badge.pdf" for p in m.walk())
    )
    rows = [
        ("emails confirmed", f"{args.count}"),
        ("queued by the web side in", f"{queued_in:.1f} s"),
        ("all received by the SMTP sink in", f"{elapsed:.1f} s (target ≤ 40 s)"),
        ("throughput", f"{args.count / elapsed:.0f} emails/s"),
        ("received", f"{len(sink.messages)}"),
        ("with badge.pdf attached", f"{with_badge}"),
        ("lost", f"{args.count - len(recipients)}"),
        ("sent twice", f"{sum(1 for c in recipients.values() if c > 1)}"),
        ("outbox rows", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))),
    ]
    width = max(len(name) for name, _ in rows)
    print(
        f"\n{args.count:,} confirmation emails through Celery + Redis + SMTP (worker concurrency "
        f"{args.concurrency})"
    )
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


if __name__ == "__main__":
    main()
