"""Real processes for the fault tests: gunicorn, and a PostgreSQL server of the test's own.

Each helper stops only what it started, by its own PID (or, for PostgreSQL, its own data folder);
never the machine's PostgreSQL on 5432 or Redis on 6379.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from tests.services import free_port, postgres_bin
from tests.worker_support import wait_until

ROOT = Path(__file__).resolve().parents[2]
# A throwaway cluster: nothing to keep, so nothing waits for the disk.
INITDB_OPTIONS = ["-U", "postgres", "-A", "trust", "--no-sync"]


def web_env(*, database_url: str, redis_url: str, smtp_url: str, port: int) -> dict[str, str]:
    """The environment of the local stack (make run-stack), with persistent database
    connections checked before reuse, as production keeps them."""
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "DJANGO_SETTINGS_MODULE": "excom.settings.local",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "DATABASE_CONN_HEALTH_CHECKS": "true",
        "REDIS_URL": redis_url,
        "EMAIL_URL": smtp_url,
        "EMAIL_TIMEOUT": "5",
        "PORT": str(port),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DJANGO_MEDIA_ROOT": tempfile.mkdtemp(prefix="excom-faults-media-"),
        "DJANGO_PRIVATE_ROOT": tempfile.mkdtemp(prefix="excom-faults-private-"),
    }


class Gunicorn:
    """The web service's own command, in its own process group, logging to a file."""

    def __init__(self, env: dict[str, str], *, workers: int = 1, threads: int = 4) -> None:
        self.env = {**env, "GUNICORN_WORKERS": str(workers), "GUNICORN_THREADS": str(threads)}
        self.base = f"http://127.0.0.1:{env['PORT']}"
        self.log_path = Path(tempfile.mkstemp(prefix="excom-faults-web-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    def start(self) -> Gunicorn:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ["gunicorn", "excom.wsgi:application", "--config", "excom/gunicorn.conf.py"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self.answers, 60, "gunicorn to answer")
        return self

    def answers(self) -> bool:
        try:
            return requests.get(f"{self.base}/healthz", timeout=5).status_code < 500
        except requests.RequestException:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


class PostgresServer:
    """A throwaway PostgreSQL in a temporary folder, on a free port, which a test may restart."""

    def __init__(self) -> None:
        bindir = postgres_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL's server programs are not installed")
        self.bindir = bindir
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="excom-faults-pg-")
        self.data = os.path.join(self.folder, "data")
        # initdb refuses to run as root: the server runs as the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/excom"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, f"{self.bindir}/pg_ctl", "-D", self.data, *args],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> PostgresServer:
        if not os.path.exists(self.data):
            subprocess.run(
                [*self.as_user, f"{self.bindir}/initdb", "-D", self.data, *INITDB_OPTIONS],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-w", "-l", os.path.join(self.folder, "log"), "-o", options, "start")
        return self

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop")

    def remove(self) -> None:
        subprocess.run(
            [*self.as_user, f"{self.bindir}/pg_ctl", "-D", self.data, "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)

    def createdb(self) -> None:
        address = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        subprocess.run([f"{self.bindir}/createdb", *address, "excom"], check=True)


def csrf_post(
    session: requests.Session, url: str, data: dict, *, timeout: float = 30
) -> requests.Response:
    """Post a form as a browser does: fetch the page for its CSRF token, then send."""
    page = session.get(url, timeout=timeout)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        url, data={**data, "csrfmiddlewaretoken": token}, timeout=timeout, headers={"Referer": url}
    )


def password_hash(password: str) -> str:
    """A hash the site's own settings can check (the tests' settings hash with MD5 for speed)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    return PBKDF2PasswordHasher().encode(password, secrets.token_hex(8), iterations=1000)
