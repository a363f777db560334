"""The worker under faults: Redis restarted under load, the worker SIGKILLed in the middle of a
send, a mail server that is slow, or down and then back, a worker that hangs.

A real `celery worker` with the compose file's options, its own redis-server and an SMTP sink,
all started here and stopped by PID. Every email must arrive, and none twice where that could
be prevented; the one repeat SMTP cannot prevent carries the same Message-ID.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from django.db import connections, transaction

from registration.models import OutboxEmail
from registration.services.outbox import email_queue
from registration.tasks import requeue_stale_emails
from tests.registration.test_worker import celery_publishing_to, worker_env
from tests.worker_support import CeleryWorker, RedisServer, SmtpSink, free_port, wait_until

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("worker"),
]

LEASE_SECONDS = 3  # the workers' (tests/registration/test_worker.py)


@pytest.fixture(autouse=True)
def _sweep_like_the_workers(settings):
    # The sweep runs in this process: the same lease as the workers, and no wait before a row
    # that was never queued (Redis was down at its commit) is queued again.
    settings.OUTBOX_SENDING_LEASE_SECONDS = LEASE_SECONDS
    settings.OUTBOX_STALE_AFTER_SECONDS = 0
    from excom.circuit import redis_circuit

    redis_circuit.reset()
    yield
    redis_circuit.reset()


@pytest.fixture
def own_redis():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def sink():
    server = SmtpSink().start()
    yield server
    server.stop()


def queue(recipient: str) -> int:
    with transaction.atomic():
        return email_queue(
            kind=OutboxEmail.Kind.ACCOUNT,
            recipient=recipient,
            language="en",
            subject=f"For {recipient}",
            body_text="Hello",
        ).pk


def all_sent(ids: list[int]) -> bool:
    return OutboxEmail.objects.filter(pk__in=ids, status="sent").count() == len(ids)


def sweep_until_sent(ids: list[int], timeout: float, worker: CeleryWorker) -> None:
    """Beat's sweep, every second here instead of every minute."""

    def swept() -> bool:
        assert worker.process.poll() is None, f"the worker died:\n{worker.output()[-5000:]}"
        requeue_stale_emails()
        return all_sent(ids)

    deadline = time.monotonic() + timeout
    while not swept():
        assert time.monotonic() < deadline, list(
            OutboxEmail.objects.filter(pk__in=ids).exclude(status="sent").values()
        )
        time.sleep(1)


def received_once_each(sink: SmtpSink, ids: list[int]) -> None:
    recipients = Counter(m["To"] for m in sink.messages)
    expected = {OutboxEmail.objects.get(pk=pk).recipient for pk in ids}
    assert set(recipients) == expected
    assert [r for r, n in recipients.items() if n > 1] == []


def ping(worker: CeleryWorker) -> bool:
    """The compose health check, as Docker runs it."""
    celery = shutil.which("celery", path=os.path.dirname(sys.executable)) or "celery"
    result = subprocess.run(
        [celery, "-A", "excom", "inspect", "ping", "-d", worker.node_name, "--timeout", "5"],
        env=worker.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode == 0 and "pong" in result.stdout


def test_every_email_arrives_once_through_five_redis_restarts(own_redis):
    # Each send takes a moment, so that Redis goes away with tasks in the worker's hands.
    sink = SmtpSink(reply_delay=0.3).start()
    env = worker_env(redis_url=own_redis.url, smtp_url=sink.url)
    ids: list[int] = []
    stop = threading.Event()

    def submit_throughout() -> None:
        n = 0
        try:
            while not stop.is_set():
                ids.append(queue(f"person{n}@example.org"))
                n += 1
                time.sleep(0.2)
        finally:
            connections.close_all()

    def sweep_throughout() -> None:
        try:
            while not stop.wait(0.5):
                requeue_stale_emails()
        finally:
            connections.close_all()

    with celery_publishing_to(own_redis.url):
        worker = CeleryWorker(env=env, concurrency=2).start()
        try:
            threads = [threading.Thread(target=f) for f in (submit_throughout, sweep_throughout)]
            for thread in threads:
                thread.start()
            try:
                for _ in range(5):
                    # Long enough for the worker to reconnect and take tasks again, which are
                    # in its hands when Redis goes.
                    time.sleep(3)
                    own_redis.stop()
                    time.sleep(0.3)
                    own_redis.start()
                time.sleep(2)
            finally:
                stop.set()
                for thread in threads:
                    thread.join(30)
            sweep_until_sent(ids, 60, worker)
            assert worker.process.poll() is None, worker.output()
            assert ping(worker), "the worker does not answer its health check"
        finally:
            worker.stop()
            sink.stop()
    assert "Unrecoverable" not in worker.output()
    assert len(ids) > 40
    received_once_each(sink, ids)


def test_a_slow_mail_server_keeps_the_email_with_the_worker_talking_to_it(own_redis):
    sink = SmtpSink(reply_delay=3 * LEASE_SECONDS).start()
    try:
        env = {**worker_env(redis_url=own_redis.url, smtp_url=sink.url), "EMAIL_TIMEOUT": "30"}
        with celery_publishing_to(own_redis.url):
            worker = CeleryWorker(env=env, concurrency=2).start()
            try:
                email_id = queue("patient@example.org")
                wait_until(lambda: sink.messages, 30, "the mail server to have the message")
                # Three leases long the server says nothing; the lease is renewed meanwhile.
                while not all_sent([email_id]):
                    assert requeue_stale_emails() == 0
                    time.sleep(0.5)
            finally:
                worker.stop()
    finally:
        sink.stop()
    assert len(sink.messages) == 1
    assert OutboxEmail.objects.get(pk=email_id).attempts == 1


def test_a_worker_killed_mid_send_repeats_with_the_same_message_id(own_redis):
    # The server keeps the message, then takes five seconds to say so: the worker is killed in
    # between, the one window SMTP leaves open.
    sink = SmtpSink(reply_delay=5).start()
    try:
        env = {**worker_env(redis_url=own_redis.url, smtp_url=sink.url), "EMAIL_TIMEOUT": "30"}
        with celery_publishing_to(own_redis.url):
            worker = CeleryWorker(env=env).start()
            try:
                email_id = queue("twice@example.org")
                wait_until(lambda: sink.messages, 30, "the mail server to have the message")
                worker.kill()
            finally:
                worker.stop()
            assert OutboxEmail.objects.get(pk=email_id).status == "sending"
            assert requeue_stale_emails() == 0  # not before the dead worker's lease runs out
            time.sleep(LEASE_SECONDS + 0.5)
            worker = CeleryWorker(env=env).start()
            try:
                sweep_until_sent([email_id], 60, worker)
            finally:
                worker.stop()
    finally:
        sink.stop()
    email = OutboxEmail.objects.get(pk=email_id)
    assert (email.status, email.attempts) == ("sent", 2)
    assert len(sink.messages) == 2
    assert {m["Message-ID"] for m in sink.messages} == {email.message_id}


def test_every_email_arrives_once_when_the_mail_server_comes_back(own_redis):
    port = free_port()
    env = {
        **worker_env(redis_url=own_redis.url, smtp_url=f"smtp://127.0.0.1:{port}"),
        "OUTBOX_RETRY_BASE_SECONDS": "1",
    }
    sink = SmtpSink(port=port)
    with celery_publishing_to(own_redis.url):
        worker = CeleryWorker(env=env, concurrency=2).start()
        try:
            ids = [queue(f"later{n}@example.org") for n in range(5)]
            wait_until(
                lambda: (
                    OutboxEmail.objects.filter(pk__in=ids, last_error__contains="refused").count()
                    == len(ids)
                ),
                30,
                "every email to find the mail server down",
            )
            sink.start()
            try:
                wait_until(lambda: all_sent(ids), 60, "every email once the server is back")
            finally:
                sink.stop()
        finally:
            worker.stop()
    received_once_each(sink, ids)


def test_the_health_check_fails_while_the_worker_hangs(own_redis, sink):
    env = worker_env(redis_url=own_redis.url, smtp_url=sink.url)
    worker = CeleryWorker(env=env).start()
    try:
        assert ping(worker)
        os.kill(worker.process.pid, signal.SIGSTOP)
        try:
            assert not ping(worker)
        finally:
            os.kill(worker.process.pid, signal.SIGCONT)
        wait_until(lambda: ping(worker), 30, "the worker to answer again")
    finally:
        worker.stop()
