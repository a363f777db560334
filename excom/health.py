"""`/healthz`: 200 when the database answers, with a short JSON body on each part.

Redis down is reported ("degraded") but is no reason to take the site out of a load balancer:
the site works without it (excom/cache.py), and a 503 would close the door it keeps open.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.monotonic()
    checks: dict[str, str] = {}
    failed: set[str] = set()
    for name, check in (("database", _check_database), ("redis", _check_redis)):
        try:
            checks[name] = check()
        except Exception as error:
            checks[name] = f"error: {type(error).__name__}"
            failed.add(name)
    status = "error" if "database" in failed else "degraded" if failed else "ok"
    body = {"status": status, **checks, "ms": round((time.monotonic() - started) * 1000, 1)}
    return JsonResponse(body, status=503 if status == "error" else 200)
