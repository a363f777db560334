"""The worker for real: Celery on Redis, sending through a real SMTP server, and its faults.

Each test starts its own worker process (and, for the fault tests, its own redis-server) and
stops only those, by PID.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from kombu import pools as kombu_pools

from excom.celery import app as celery_app
from registration.models import OutboxEmail
from registration.services.registrations import registration_submit
from registration.services.states import registration_confirm
from registration.tasks import requeue_stale_emails
from tests.factories import DelegateFactory, EventFactory, MemberCityFactory
from tests.worker_support import CeleryWorker, RedisServer, SmtpSink, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("worker")]

LEASE_SECONDS = 3


def worker_env(*, redis_url: str, smtp_url: str) -> dict[str, str]:
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "excom.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "EMAIL_URL": smtp_url,
        "EMAIL_TIMEOUT": "5",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "OUTBOX_RETRY_BASE_SECONDS": "1",
        "OUTBOX_SENDING_LEASE_SECONDS": str(LEASE_SECONDS),
        # The same folders as this test process, whose own names depend on its process id.
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_PRIVATE_ROOT": str(settings.PRIVATE_ROOT),
    }


@contextmanager
def celery_publishing_to(redis_url: str):
    """Make this test process queue tasks on `redis_url` instead of running them in-process."""
    conf = celery_app.conf
    saved = dict(conf.changes)
    for key, value in {"task_always_eager": False, "broker_url": redis_url}.items():
        # Both spellings: Celery 5.6 looks up the CELERY_ name first, and finds Django's
        # setting there before a change made under the plain name.
        conf[key] = conf[f"CELERY_{key.upper()}"] = value
    forget_broker_connections()
    try:
        yield
    finally:
        conf.changes.clear()
        conf.changes.update(saved)
        forget_broker_connections()


def forget_broker_connections() -> None:
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def redis_db_url() -> str:
    # A database of the machine's Redis of its own, so that parallel runs do not share a queue.
    base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
    return f"{base}/{10 + int(worker) % 5}"


@pytest.fixture
def sink():
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def own_redis():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def flush_queue():
    import redis

    url = redis_db_url()
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


@contextmanager
def running_worker(env):
    worker = CeleryWorker(env=env).start()
    try:
        yield worker
    finally:
        worker.stop()


def submit_pending(email_address: str):
    event = EventFactory(confirm_within_quota=False)
    delegate = DelegateFactory(email=email_address, city=MemberCityFactory())
    return registration_submit(delegate=delegate, event=event, data={}, actor=None)


def test_confirmation_email_is_sent_exactly_once_with_badge_and_calendar(sink, flush_queue):
    env = worker_env(redis_url=flush_queue, smtp_url=sink.url)
    with celery_publishing_to(flush_queue), running_worker(env) as worker:
        registration = submit_pending("once@example.org")
        registration_confirm(registration=registration, actor=None)
        wait_until(lambda: len(sink.to("once@example.org")) >= 2, 60, "two emails")
        # A second send of the same row (a redelivered task) must not send again.
        confirmed = OutboxEmail.objects.get(registration=registration, kind="confirmed")
        from registration.tasks import send_outbox_email

        send_outbox_email.delay(confirmed.pk)
        time.sleep(2)
        assert worker.process.poll() is None, worker.output()
    messages = sink.to("once@example.org")
    subjects = sorted(m["Subject"] for m in messages)
    assert len(messages) == 2, subjects
    assert any("confirmed" in s for s in subjects) and any("received" in s for s in subjects)
    confirmation = next(m for m in messages if "confirmed" in m["Subject"])
    attachments = {part.get_filename(): part for part in confirmation.walk() if part.get_filename()}
    assert set(attachments) == {"badge.pdf", f"{registration.event.slug}.ics"}
    assert attachments["badge.pdf"].get_payload(decode=True).startswith(b"%PDF")
    assert b"BEGIN:VEVENT" in attachments[f"{registration.event.slug}.ics"].get_payload(decode=True)
    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.attempts) == ("sent", 1)
    assert confirmed.sent_at is not None


def _status(email: OutboxEmail) -> str:
    email.refresh_from_db(fields=["status"])
    return email.status


def test_email_survives_redis_being_down_at_submit(sink, own_redis):
    env = worker_env(redis_url=own_redis.url, smtp_url=sink.url)
    with celery_publishing_to(own_redis.url), running_worker(env):
        own_redis.stop()
        started = time.monotonic()
        registration = submit_pending("patient@example.org")  # Redis is down: no error
        assert time.monotonic() - started < 15
        email = registration.emails.get()
        assert email.status == "queued"
        own_redis.start()
        with override_settings(OUTBOX_STALE_AFTER_SECONDS=0):
            assert requeue_stale_emails() == 1
        wait_until(lambda: sink.to("patient@example.org"), 60, "the email after Redis is back")
        # The SMTP server has the message; the worker records the send right after.
        wait_until(lambda: _status(email) == "sent", 30, "the outbox row marked sent")
    assert len(sink.to("patient@example.org")) == 1


def test_temporary_smtp_failure_is_retried_then_sent(flush_queue):
    sink = SmtpSink(temporary_failures=1).start()
    try:
        env = worker_env(redis_url=flush_queue, smtp_url=sink.url)
        with celery_publishing_to(flush_queue), running_worker(env):
            registration = submit_pending("retry@example.org")
            wait_until(lambda: sink.to("retry@example.org"), 60, "the retried email")
            email = registration.emails.get()
            wait_until(lambda: _status(email) == "sent", 30, "the outbox row marked sent")
        email.refresh_from_db()
        assert (email.status, email.attempts) == ("sent", 2)
        assert len(sink.to("retry@example.org")) == 1
    finally:
        sink.stop()


def test_worker_killed_while_sending_sends_once_after_restart(flush_queue):
    sink = SmtpSink(stall_first_recipient=30).start()
    try:
        env = worker_env(redis_url=flush_queue, smtp_url=sink.url)
        with celery_publishing_to(flush_queue):
            worker = CeleryWorker(env=env).start()
            try:
                registration = submit_pending("killed@example.org")
                email = registration.emails.get()
                wait_until(
                    lambda: OutboxEmail.objects.get(pk=email.pk).status == "sending",
                    30,
                    "the worker to start sending",
                )
                time.sleep(0.5)
                worker.kill()
            finally:
                worker.stop()
            assert sink.to("killed@example.org") == []
            # Beat's sweep finds the row whose worker died and queues it again.
            time.sleep(LEASE_SECONDS + 0.5)
            with override_settings(OUTBOX_SENDING_LEASE_SECONDS=LEASE_SECONDS):
                assert requeue_stale_emails() == 1
            with running_worker(env):
                wait_until(lambda: sink.to("killed@example.org"), 60, "the email after restart")
                wait_until(lambda: _status(email) == "sent", 30, "the outbox row marked sent")
        assert len(sink.to("killed@example.org")) == 1
    finally:
        sink.stop()
