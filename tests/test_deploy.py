"""What the deployment runs, checked without Docker: the compose file, the production settings,
the health check."""

from __future__ import annotations

import json
import os
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


def test_the_local_stack_runs_the_same_commands_as_compose():
    services = compose()["services"]
    assert procfile() == {name: services[name]["command"] for name in ("web", "worker", "beat")}


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
def test_healthz_fails_when_redis_does_not_answer(settings):
    from tests.worker_support import free_port

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["redis"].startswith("error")
