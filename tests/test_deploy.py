"""What the deployment runs, checked without Docker: the compose file, the production settings,
the health check."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from cryptography.fernet import Fernet
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_compose_file_follows_the_compose_specification():
    schema_file = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema = json.loads(schema_file.read_text())
    jsonschema.validate(compose(), schema)


def test_compose_has_every_service_with_health_checks_and_ordered_start():
    services = compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "mail", "migrate"} <= set(services)
    for name in ("web", "worker", "beat", "postgres", "redis", "mail"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert "migrate" not in services[name]["command"]
    assert "--appendonly yes" in services["redis"]["command"]
    assert "noeviction" in services["redis"]["command"]
    assert "postgres:/var/lib/postgresql/data" in services["postgres"]["volumes"]


KEEP_RUNNING = "python -m excom.keep_running "


def test_the_local_stack_runs_the_same_commands_as_compose():
    services = compose()["services"]
    commands = {name: command.removeprefix(KEEP_RUNNING) for name, command in procfile().items()}
    assert commands == {name: services[name]["command"] for name in ("web", "worker", "beat")}


def test_the_local_stack_starts_a_dead_worker_or_beat_again():
    # Compose has `restart: unless-stopped`; under honcho, one process that exits stops all.
    services = compose()["services"]
    for name in ("worker", "beat"):
        assert procfile()[name].startswith(KEEP_RUNNING), name
        assert services[name]["restart"] == "unless-stopped", name


def production_env(**extra: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "excom.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": "sqlite:////tmp/excom-deploy-check.sqlite3",
        **extra,
    }


def test_production_settings_pass_the_deploy_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_real_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=production_env(DJANGO_SECRET_KEY=""),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("", "No encryption key is set"),
        ("not-a-key", "Encryption key number 1 in FIELD_ENCRYPTION_KEYS is not a valid"),
    ],
)
def test_the_app_does_not_start_without_a_valid_encryption_key(keys, message):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=production_env(FIELD_ENCRYPTION_KEYS=keys),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.django_db
def test_healthz_answers_when_database_and_redis_answer(settings):
    settings.REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == response.json()["redis"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_redis_down_and_stays_up(settings):
    # The site works without Redis: a load balancer must not take it out of rotation.
    from tests.worker_support import free_port

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["redis"].startswith("error")


@pytest.mark.django_db
def test_healthz_fails_when_the_database_does_not_answer(monkeypatch):
    from django.db import OperationalError

    from excom import health

    def refused() -> str:
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_check_database", refused)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def settings_read_from_the_environment() -> set[str]:
    """Every variable the settings, gunicorn and compose read from the environment."""
    sources = [*(ROOT / "excom" / "settings").glob("*.py"), ROOT / "excom" / "gunicorn.conf.py"]
    names: set[str] = set()
    for source in sources:
        text = source.read_text()
        names |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
        names |= set(re.findall(r"environ\.get\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
    names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", (ROOT / "docker-compose.yml").read_text()))
    # Set by pytest-xdist for the test settings, never by an operator.
    return names - {"PYTEST_XDIST_WORKER", "PYTEST_XDIST_TESTRUNUID"}


def test_every_setting_is_listed_in_the_env_example():
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    missing = settings_read_from_the_environment() - listed
    assert not missing, f"not in .env.example: {sorted(missing)}"


def production_settings(**extra: str) -> dict:
    """The production settings module's values in a fresh process, as JSON."""
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "d = settings.DATABASES['default']; "
        "print(json.dumps({'max_age': d['CONN_MAX_AGE'], 'checks': d['CONN_HEALTH_CHECKS'], "
        "'hsts': settings.SECURE_HSTS_SECONDS, 'preload': settings.SECURE_HSTS_PRELOAD, "
        "'result_backend': settings.CELERY_RESULT_BACKEND, "
        "'ignore_result': settings.CELERY_TASK_IGNORE_RESULT, "
        "'loggers': settings.LOGGING['loggers']}))"
    )
    env = production_env()
    env.pop("DJANGO_SETTINGS_MODULE")  # the entry points' own default is what is checked
    env.pop("DATABASE_CONN_MAX_AGE", None)
    env.update(extra)
    result = subprocess.run(
        [sys.executable, "-c", f"import excom.wsgi; {script}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_is_the_default_of_the_web_entry_point_and_keeps_connections():
    shipped = production_settings()
    assert shipped["max_age"] == 60
    assert shipped["checks"] is True
    assert shipped["result_backend"] is None
    assert shipped["ignore_result"] is True


def test_a_connection_age_in_the_database_url_is_honoured():
    url = "sqlite:////tmp/excom-deploy-check.sqlite3?conn_max_age=5&conn_health_checks=false"
    shipped = production_settings(DATABASE_URL=url)
    assert (shipped["max_age"], shipped["checks"]) == (5, False)
    assert production_settings(DATABASE_URL=url, DATABASE_CONN_MAX_AGE="7")["max_age"] == 7


def test_hsts_starts_short_without_preload_and_grows_by_setting():
    assert production_settings()["hsts"] == 3600
    assert production_settings()["preload"] is False
    grown = production_settings(DJANGO_SECURE_HSTS_SECONDS="31536000")
    assert grown["hsts"] == 31536000


def test_production_logging_keeps_the_base_loggers():
    loggers = production_settings()["loggers"]
    assert loggers["weasyprint"]["level"] == "WARNING"
    assert loggers["weasyprint.progress"]["level"] == "WARNING"
    assert "django.security" in loggers


def test_the_celery_worker_logs_through_django_logging():
    from celery.signals import setup_logging

    from excom.celery import use_django_logging

    receivers = [ref() for _key, ref in setup_logging.receivers]
    assert use_django_logging in receivers
