"""The compose services' own commands (the Procfile) run together here: gunicorn, a Celery worker
and beat on the local PostgreSQL and Redis. A delegate signs up and registers over HTTP, and the
emails leave through a real SMTP server."""

from __future__ import annotations

import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
from email.header import decode_header, make_header
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.factories import EventFactory, MemberCityFactory
from tests.registration.test_journey import form_data
from tests.test_deploy import procfile
from tests.worker_support import SmtpSink, free_port, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("worker")]

ROOT = Path(__file__).resolve().parents[1]


def stack_env(port: int, smtp_url: str) -> dict[str, str]:
    db = connection.settings_dict
    redis_base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "DJANGO_SETTINGS_MODULE": "excom.settings.local",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": f"{redis_base}/8",
        "EMAIL_URL": smtp_url,
        "PORT": str(port),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DJANGO_MEDIA_ROOT": tempfile.mkdtemp(prefix="excom-stack-media-"),
        "DJANGO_PRIVATE_ROOT": tempfile.mkdtemp(prefix="excom-stack-private-"),
    }


@pytest.fixture
def stack():
    import redis

    sink = SmtpSink().start()
    port = free_port()
    env = stack_env(port, sink.url)
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    processes = []
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - the processes write to it until the end
        prefix="excom-stack-", suffix=".log", delete=False
    )
    for command in procfile().values():
        processes.append(
            subprocess.Popen(
                shlex.split(command),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return requests.get(f"{base}/healthz", timeout=10).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_until(healthy, 60, "gunicorn to answer /healthz")
        wait_until(lambda: b" ready." in Path(log.name).read_bytes(), 60, "the worker")
        yield base, sink
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        sink.stop()
        redis.Redis.from_url(env["REDIS_URL"]).flushdb()


def csrf_post(session: requests.Session, url: str, data: dict) -> requests.Response:
    page = session.get(url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        url, data={**data, "csrfmiddlewaretoken": token}, timeout=30, headers={"Referer": url}
    )


def test_register_over_http_and_the_emails_leave(stack):
    base, sink = stack
    EventFactory()
    city = MemberCityFactory(code="kr-seongnam", name_en="Seongnam")
    email = "stack@seongnam.example"
    password = "a-long-and-private-passphrase"
    browser = requests.Session()

    response = csrf_post(
        browser,
        f"{base}/accounts/signup/",
        {"email": email, "password1": password, "password2": password},
    )
    assert response.status_code == 200 and "/accounts/confirm-email/" in response.url
    wait_until(lambda: sink.to(email), 60, "the verification email")
    body = sink.to(email)[0].get_payload(decode=True) or b""
    if not body:
        body = next(p for p in sink.to(email)[0].walk() if p.get_content_type() == "text/plain")
        body = body.get_payload(decode=True)
    link = re.search(r"http://127\.0\.0\.1:\d+/accounts/confirm-email/[^/\s]+/", body.decode())
    assert link, body
    response = csrf_post(browser, link.group(0), {})
    assert response.status_code == 200

    response = csrf_post(browser, f"{base}/me/register/", form_data(city))
    assert response.status_code == 200 and response.url.endswith("/me/"), response.text[:2000]
    assert "Confirmed" in response.text

    wait_until(lambda: len(sink.to(email)) >= 2, 60, "the confirmation email")
    confirmation = sink.to(email)[1]
    # The delegate chose Korean on the form, so the confirmation comes in Korean.
    subject = str(make_header(decode_header(confirmation["Subject"])))
    assert "등록이 확정되었습니다" in subject, subject
    assert any(part.get_filename() == "badge.pdf" for part in confirmation.walk())
