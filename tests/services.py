"""Run a command with PostgreSQL and Redis for the tests.

Uses the servers at DATABASE_URL and REDIS_URL when they answer. Where nothing answers (a fresh
Debian machine), installs PostgreSQL and Redis with apt if they are missing and starts throwaway
servers in a temporary folder, on free ports, for the length of the command; it stops only what
it started and never touches a database it did not create.

    python tests/services.py -- pytest -x
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from urllib.parse import urlparse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/excom"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def apt_install(*packages: str) -> None:
    print(f"installing {' '.join(packages)} with apt", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env)


def postgres_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return os.path.dirname(found[-1]) if found else None


def start_postgres(stack: ExitStack) -> str:
    if postgres_bin() is None:
        apt_install("postgresql")
    bindir = postgres_bin()
    assert bindir is not None
    folder = tempfile.mkdtemp(prefix="excom-pg-")
    data = os.path.join(folder, "data")
    port = free_port()
    # initdb refuses to run as root: run the throwaway server as the postgres user.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(folder, "postgres", "postgres")
    subprocess.run(
        [*as_user, f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [
            *as_user,
            f"{bindir}/pg_ctl",
            "-D",
            data,
            "-w",
            "-l",
            os.path.join(folder, "log"),
            "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )

    def stop() -> None:
        subprocess.run(
            [*as_user, f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "stop"],
            stdout=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)

    stack.callback(stop)
    return f"postgres://postgres@127.0.0.1:{port}/excom"


def redis_server_command(port: int) -> list[str]:
    """A throwaway redis-server on 127.0.0.1:`port` that keeps nothing on disk."""
    return [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]


def start_redis(stack: ExitStack) -> str:
    if shutil.which("redis-server") is None:
        apt_install("redis-server")
    port = free_port()
    process = subprocess.Popen(redis_server_command(port), stdout=subprocess.DEVNULL)
    stack.callback(lambda: (process.terminate(), process.wait(10)))
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(50):
        if answers(url, 6379):
            break
        time.sleep(0.1)
    return url


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    with ExitStack() as stack:
        if not answers(database_url, 5432):
            database_url = start_postgres(stack)
            print(
                f"nothing answers at DATABASE_URL: using a throwaway PostgreSQL at {database_url}"
            )
        if not answers(redis_url, 6379):
            redis_url = start_redis(stack)
            print(f"nothing answers at REDIS_URL: using a throwaway Redis at {redis_url}")
        env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
        return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
