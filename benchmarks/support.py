"""What the benchmarks share: a database of their own beside the one in DATABASE_URL, and an
event in it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench_database_url(name: str) -> str:
    """DATABASE_URL's server with the database `name` (never the configured database itself)."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/excom")
    return base.rsplit("/", 1)[0] + f"/{name}"


def _server_connection(name: str):
    import psycopg

    return psycopg.connect(
        bench_database_url(name).rsplit("/", 1)[0] + "/postgres", autocommit=True
    )


def bench_database_create(name: str) -> None:
    """An empty database `name`, migrated; DATABASE_URL must already point at it."""
    connection = _server_connection(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    connection.close()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=os.environ
    )


def bench_database_drop(name: str) -> None:
    from django.db import connections

    connections.close_all()
    connection = _server_connection(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
    connection.close()


def bench_event(slug: str):
    """An event held today, for the benchmarks to register delegates to (Django must be set up)."""
    from django.utils import timezone

    from registration.models import Event

    now = timezone.now()
    return Event.objects.create(
        name="WeGO EXCOM",
        slug=slug,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        venue="Seongnam",
        host_city="Seongnam",
        registration_opens_at=now,
        registration_closes_at=now,
        edit_deadline=now,
    )
