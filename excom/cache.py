"""The cache on Redis, which keeps working while Redis does not answer.

django-redis with IGNORE_EXCEPTIONS turns an outage into misses, and misses are not enough:
allauth's login limits take a lock with `cache.add()`, and an `add()` that never succeeds locks
everyone out with 429. This backend answers from a fallback instead:

- `FALLBACK: "memory"` (the default cache): this process's own memory. The login limits keep
  counting, per process, and the desk's short-lived entries keep being kept.
- `FALLBACK: "none"` (the sessions' cache): a miss, so that cached_db reads the database. A
  session kept in one process's memory could outlive a sign-out made in another.

Keys written or deleted while Redis was away are deleted from Redis when it answers again, so
that an entry from before the outage (Redis keeps its data on disk) is not read back as current.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from excom.circuit import redis_circuit

REDIS_ERRORS = (RedisError, ConnectionInterrupted, OSError)
# Enough for every session and login limit touched in a long outage; past it, the oldest are
# forgotten (and may be read back stale until they expire).
MAX_KEYS_TO_FORGET = 10_000


class _WrittenWhileAway:
    """The keys one cache wrote or deleted while Redis was away, deleted from Redis on its return.

    Django makes a cache object per thread; this list is the process's, one per Redis cache.
    """

    def __init__(self, redis: RedisCache, memory: LocMemCache | None) -> None:
        self.redis = redis
        self.memory = memory
        self._lock = threading.Lock()
        self._keys: dict[tuple[str, int | None], None] = {}
        redis_circuit.on_recovery(self.forget)

    def remember(self, keys: Iterable[str], version: int | None) -> None:
        keys = list(keys)
        if not keys:
            return
        with self._lock:
            for key in keys:
                self._keys[(key, version)] = None
            while len(self._keys) > MAX_KEYS_TO_FORGET:
                del self._keys[next(iter(self._keys))]

    def forget(self) -> None:
        """Delete from Redis what was written meanwhile; raises while Redis is still away."""
        with self._lock:
            pending = list(self._keys)
        by_version: dict[int | None, list[str]] = {}
        for key, version in pending:
            by_version.setdefault(version, []).append(key)
        if not by_version:
            self.redis.client.get_client().ping()
        for version, keys in by_version.items():
            self.redis.delete_many(keys, version=version)
        with self._lock:
            for key in pending:
                self._keys.pop(key, None)
        if self.memory is not None:
            # Redis is the one truth again; what this process counted alone is dropped.
            self.memory.clear()


_written_while_away: dict[str, _WrittenWhileAway] = {}
_registry_lock = threading.Lock()


class ResilientRedisCache(BaseCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        options = dict(params.get("OPTIONS", {}))
        fallback = options.pop("FALLBACK", "memory")
        if fallback not in {"memory", "none"}:
            raise ValueError(f"FALLBACK must be 'memory' or 'none', not {fallback!r}")
        options["IGNORE_EXCEPTIONS"] = False
        self._redis = RedisCache(server, {**params, "OPTIONS": options})
        self._memory: LocMemCache | None = None
        if fallback == "memory":
            local = {key: value for key, value in params.items() if key != "OPTIONS"}
            self._memory = LocMemCache(f"redis-fallback-{server}-{self.key_prefix}", local)
        name = f"{server}|{self.key_prefix}|{fallback}"
        with _registry_lock:
            if name not in _written_while_away:
                _written_while_away[name] = _WrittenWhileAway(self._redis, self._memory)
            self._away = _written_while_away[name]

    def _call(
        self,
        method: str,
        *args: Any,
        otherwise: Callable[[], Any],
        writes: Iterable[str] = (),
        version: int | None = None,
        **kwargs: Any,
    ) -> Any:
        if version is not None:
            kwargs["version"] = version
        probing = redis_circuit.is_open
        if redis_circuit.allow():
            try:
                if probing:
                    # Nothing is read back from Redis before what was written meanwhile is gone.
                    self._away.forget()
                    redis_circuit.success()
                result = getattr(self._redis, method)(*args, **kwargs)
            except REDIS_ERRORS as error:
                redis_circuit.failure(error)
            else:
                redis_circuit.success()
                return result
        self._away.remember(writes, version)
        if self._memory is not None:
            return getattr(self._memory, method)(*args, **kwargs)
        return otherwise()

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._call(
            "add", key, value, timeout, version=version, writes=[key], otherwise=lambda: False
        )

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", key, default, version=version, otherwise=lambda: default)

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._call(
            "set", key, value, timeout, version=version, writes=[key], otherwise=lambda: None
        )

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call("touch", key, timeout, version=version, otherwise=lambda: False)

    def delete(self, key: str, version: int | None = None) -> bool:
        return self._call("delete", key, version=version, writes=[key], otherwise=lambda: False)

    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        return self._call("get_many", list(keys), version=version, otherwise=dict)

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self._call("has_key", key, version=version, otherwise=lambda: False)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        def missing() -> int:
            raise ValueError(f"Key '{key}' not found")

        return self._call("incr", key, delta, version=version, writes=[key], otherwise=missing)

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        return self._call(
            "set_many",
            data,
            timeout,
            version=version,
            writes=list(data),
            otherwise=lambda: list(data),
        )

    def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        keys = list(keys)
        self._call("delete_many", keys, version=version, writes=keys, otherwise=lambda: None)

    def clear(self) -> None:
        if self._memory is not None:
            self._memory.clear()
        self._call("clear", otherwise=lambda: None)

    def close(self, **kwargs: Any) -> None:
        # Closing a connection to a server that is gone may fail too.
        with contextlib.suppress(*REDIS_ERRORS):
            self._redis.close(**kwargs)
