"""A circuit breaker for Redis: after a failure, stop asking for a few seconds, and say so once.

Redis makes the site faster (the cache, sessions, the task queue), but nothing needs it to answer
a person. While it is down, every cache read and every task published would otherwise wait for a
connection attempt and log its own traceback; with the circuit open, callers take their fallback
at once, one caller per interval checks whether Redis is back, and the log gets one warning when
the outage starts and one line when it ends (per process).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger("excom.redis")


class Circuit:
    """Closed while the service answers; open, for `retry_after` seconds at a time, after a failure."""

    def __init__(self, name: str, *, retry_after: float = 5.0) -> None:
        self.name = name
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._open_since: float | None = None
        self._next_try = 0.0
        self._failed_tries = 0
        self._on_recovery: list[Callable[[], None]] = []

    @property
    def is_open(self) -> bool:
        return self._open_since is not None

    def allow(self) -> bool:
        """Whether to try the service now: always while closed; while open, once per interval."""
        if self._open_since is None:
            return True
        with self._lock:
            if self._open_since is None:
                return True
            now = time.monotonic()
            if now < self._next_try:
                return False
            # This caller checks; the others keep their fallback until it has an answer.
            self._next_try = now + self.retry_after
            return True

    def failure(self, error: BaseException) -> None:
        with self._lock:
            now = time.monotonic()
            self._next_try = now + self.retry_after
            self._failed_tries += 1
            if self._open_since is not None:
                return
            self._open_since = now
            self._failed_tries = 1
        logger.warning(
            "%s does not answer (%s: %s); working without it, checking again every %.0f s",
            self.name,
            type(error).__name__,
            str(error)[:200],
            self.retry_after,
        )

    def success(self) -> None:
        if self._open_since is None:
            return
        with self._lock:
            if self._open_since is None:
                return
            lasted = time.monotonic() - self._open_since
            tries, self._open_since = self._failed_tries, None
        logger.info("%s answers again after %.0f s (%d failed tries)", self.name, lasted, tries)
        for callback in self._on_recovery:
            try:
                callback()
            except Exception:  # tidying up after an outage must not fail the request at hand
                logger.debug("after-outage callback failed", exc_info=True)

    def on_recovery(self, callback: Callable[[], None]) -> None:
        """Call `callback` (in the caller that found the service back) when an outage ends."""
        self._on_recovery.append(callback)

    def reset(self) -> None:
        with self._lock:
            self._open_since = None
            self._next_try = 0.0
            self._failed_tries = 0


# One per process: the cache, the sessions and Celery's publishing all talk to the same Redis.
redis_circuit = Circuit("Redis")
