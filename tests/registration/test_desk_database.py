"""The desk's database driver: psycopg 3 binds parameters on the server and prepares the
statements a connection runs again and again, in production as in these tests."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.db import connection

from excom.settings.base import POSTGRESQL_OPTIONS
from registration.services.checkin import Outcome, desk_scan

ROOT = Path(__file__).resolve().parents[2]


def production_database(url: str) -> dict:
    """The production settings' database in a fresh process, as JSON."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "excom.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": url,
    }
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "from django.db.backends.postgresql.psycopg_any import is_psycopg3; "
        "d = settings.DATABASES['default']; "
        "print(json.dumps({'options': d.get('OPTIONS', {}), 'psycopg3': is_psycopg3}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_binds_on_the_server_and_prepares_with_psycopg_3():
    shipped = production_database("postgres://excom@db.example:5432/excom")
    assert shipped["psycopg3"] is True
    assert shipped["options"] == POSTGRESQL_OPTIONS
    # SQLite (the demo) takes neither option.
    assert production_database("sqlite:////tmp/excom-driver-check.sqlite3")["options"] == {}


def test_the_tests_run_with_the_production_driver_options():
    options = connection.settings_dict["OPTIONS"]
    assert {key: options.get(key) for key in POSTGRESQL_OPTIONS} == POSTGRESQL_OPTIONS


def test_the_desk_look_up_is_prepared_on_its_connection(event, submit, city):
    registration = submit(city)
    for _n in range(POSTGRESQL_OPTIONS["prepare_threshold"] + 1):
        result = desk_scan(
            event=event, token=registration.badge_token, desk="Desk 1", operator=None
        )
        assert result.outcome == Outcome.READY

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements "
            "WHERE statement LIKE %s AND statement LIKE %s",
            ["%registration_badge%", "%badge_token%"],
        )
        assert cursor.fetchone()[0] == 1
