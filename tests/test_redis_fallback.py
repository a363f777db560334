"""Redis makes the site faster and never closes the door: the cache, sessions and login limits
with nothing listening at REDIS_URL, and what happens when Redis comes back."""

from __future__ import annotations

import logging
import time

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from excom.circuit import redis_circuit
from tests.factories import UserFactory
from tests.worker_support import RedisServer, free_port

RATE_LIMITED = "Too many failed login attempts"


def redis_caches(url: str) -> dict:
    def alias(fallback: str, prefix: str) -> dict:
        return {
            "BACKEND": "excom.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 1, "FALLBACK": fallback},
        }

    return {"default": alias("memory", f"t{free_port()}"), "sessions": alias("none", "session")}


@pytest.fixture
def circuit():
    redis_circuit.reset()
    saved = redis_circuit.retry_after
    yield redis_circuit
    redis_circuit.retry_after = saved
    redis_circuit.reset()


@pytest.fixture
def redis_away(settings, circuit):
    settings.CACHES = redis_caches(f"redis://127.0.0.1:{free_port()}/0")
    return circuit


def test_the_cache_answers_from_memory_and_the_log_says_so_once(redis_away, caplog):
    cache = caches["default"]
    with caplog.at_level(logging.WARNING, logger="excom.redis"):
        started = time.monotonic()
        for n in range(50):
            assert cache.add(f"lock-{n}", True, 10) is True
            assert cache.add(f"lock-{n}", True, 10) is False  # a lock held is held
            cache.set(f"count-{n}", n)
            assert cache.get(f"count-{n}") == n
        elapsed = time.monotonic() - started
    assert redis_away.is_open
    assert [r.getMessage() for r in caplog.records if "does not answer" in r.getMessage()] != []
    assert len(caplog.records) == 1, [r.getMessage() for r in caplog.records]
    assert elapsed < 1.5


def test_the_sessions_cache_misses_so_sessions_come_from_the_database(redis_away):
    sessions = caches["sessions"]
    sessions.set("key", "value")
    assert sessions.get("key") is None
    assert sessions.add("key", "value") is False
    assert "key" not in sessions


@pytest.mark.django_db
def test_sign_in_works_and_is_still_rate_limited_while_redis_is_away(redis_away):
    user = UserFactory(email="kim@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    browser = Client()
    response = browser.post(
        reverse("account_login"), {"login": user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    # The session, from the database: a page for signed-in people only.
    assert browser.get(reverse("account_email")).status_code == 200

    guesser = Client()
    answers = [
        guesser.post(
            reverse("account_login"), {"login": f"nobody{n}@example.org", "password": "wrong"}
        )
        for n in range(12)
    ]
    assert answers[0].status_code == 200 and RATE_LIMITED not in answers[0].content.decode()
    assert RATE_LIMITED in answers[-1].content.decode()


def test_what_was_written_while_redis_was_away_is_not_read_back_stale(settings, circuit):
    server = RedisServer().start()
    try:
        settings.CACHES = redis_caches(server.url)
        circuit.retry_after = 0.2
        sessions = caches["sessions"]
        sessions.set("signed-in", "yes")
        assert sessions.get("signed-in") == "yes"
        server.stop()
        sessions.delete("signed-in")  # a sign-out while Redis is away reaches only the database
        assert circuit.is_open
        server.start()
        time.sleep(0.3)
        assert sessions.get("signed-in") is None
        assert not circuit.is_open
    finally:
        server.stop()
