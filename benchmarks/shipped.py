"""A benchmark's server as shipped: production settings with only what an operator must set,
static files collected, and gunicorn started as the Procfile and docker compose start it."""

from __future__ import annotations

import os
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def operator_environment(*, database_url: str, port: int, scratch: Path) -> dict[str, str]:
    """What an operator sets for the production settings, in an otherwise empty environment:
    nothing from the caller's shell (a DATABASE_CONN_MAX_AGE, a GUNICORN_WORKERS) changes what
    is measured."""
    from cryptography.fernet import Fernet

    kept = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {
        **kept,
        "DJANGO_SETTINGS_MODULE": "excom.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        # No TLS proxy in front of gunicorn here: plain HTTP must not be redirected.
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_MEDIA_ROOT": str(scratch / "media"),
        "DJANGO_PRIVATE_ROOT": str(scratch / "private"),
        # Production keeps static files in whitenoise's manifest storage: pages need them.
        "DJANGO_STATIC_ROOT": str(scratch / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }


def collect_static(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        check=True,
        env=env,
    )


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """gunicorn as the Procfile starts it; its access log goes to `log`, as it would go to
    the container's log collector."""
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [gunicorn, "excom.wsgi:application", "--config", "excom/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return process
        except OSError:
            time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError(f"gunicorn did not start; see {log}")


def shipped_configuration() -> str:
    """What the server runs with, read from the settings and gunicorn's configuration."""
    from django.conf import settings
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    database = settings.DATABASES["default"]
    gunicorn = runpy.run_path(str(ROOT / "excom" / "gunicorn.conf.py"))
    driver = "psycopg 3" if is_psycopg3 else "psycopg2"
    options = ", ".join(f"{key}={value}" for key, value in database.get("OPTIONS", {}).items())
    note = "; NOTE: .env is read too" if (ROOT / ".env").exists() else ""
    return (
        f"{settings.SETTINGS_MODULE}; gunicorn {gunicorn['workers']} workers x "
        f"{gunicorn['threads']} threads (excom/gunicorn.conf.py); PostgreSQL via {driver}"
        f"{f' ({options})' if options else ''}, CONN_MAX_AGE={database['CONN_MAX_AGE']}, "
        f"CONN_HEALTH_CHECKS={database['CONN_HEALTH_CHECKS']}; sessions "
        f"{settings.SESSION_ENGINE.rsplit('.', 1)[-1]}; {os.cpu_count()} CPUs{note}"
    )


def stop_gunicorn(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(20)
