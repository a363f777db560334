"""Real processes for the worker's tests: an SMTP sink, a Redis server and a Celery worker.

Each helper stops only what it started, by its own PID.
"""

from __future__ import annotations

import asyncio
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller

from tests.services import answers, free_port, redis_server_command

ROOT = Path(__file__).resolve().parents[1]


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class SmtpSink:
    """A real SMTP server on localhost that keeps what it receives.

    `temporary_failures`: the first N messages are answered 451 (try again later).
    `stall_first_recipient`: seconds to hang on the first RCPT TO, before any message data.
    `reply_delay`: seconds between keeping a message and saying so (250), the window in which a
    sender that dies has sent a message it does not know was accepted.
    `port`: a port chosen beforehand (a server that is down, then up); else a free one.
    """

    temporary_failures: int = 0
    stall_first_recipient: float = 0.0
    reply_delay: float = 0.0
    messages: list[Message] = field(default_factory=list)
    port: int = 0
    _controller: Controller | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _recipients_seen: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            self._recipients_seen += 1
            stall = self.stall_first_recipient if self._recipients_seen == 1 else 0
        if stall:
            await asyncio.sleep(stall)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self.temporary_failures > 0:
                self.temporary_failures -= 1
                return "451 4.3.0 Mail server busy, try again later"
            self.messages.append(email.message_from_bytes(envelope.content))
        if self.reply_delay:
            await asyncio.sleep(self.reply_delay)
        return "250 Message accepted"

    def start(self) -> SmtpSink:
        self.port = self.port or free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["To"]]


class RedisServer:
    """A redis-server of our own on a free port, which a test may stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(redis_server_command(self.port), stdout=subprocess.DEVNULL)
        wait_until(self.answers, 10, "redis-server to answer")
        return self

    def answers(self) -> bool:
        return answers(self.url, self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None
        wait_until(lambda: not self.answers(), 10, "redis-server to stop")


class CeleryWorker:
    """`celery worker` in its own process group, as the compose file runs it."""

    def __init__(self, *, env: dict[str, str], name: str = "test", concurrency: int = 1) -> None:
        self.env = env
        self.name = f"{name}-{os.getpid()}-{time.monotonic_ns()}"
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="excom-worker-", suffix=".log")[1])

    def start(self) -> CeleryWorker:
        celery = shutil.which("celery", path=os.path.dirname(sys.executable)) or "celery"
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                celery,
                "-A",
                "excom",
                "worker",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{self.name}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(
            lambda: b" ready." in self.log_path.read_bytes() or self._died(),
            60,
            "the Celery worker to be ready",
        )
        if self._died():
            raise AssertionError(f"the worker died:\n{self.output()}")
        return self

    @property
    def node_name(self) -> str:
        """What `celery inspect ping -d` calls this worker."""
        return f"{self.name}@{socket.gethostname()}"

    def _died(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes, as a crash or an out-of-memory kill would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """A warm shutdown: the main process lets the pool finish the task in hand, then exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        if hasattr(self, "log"):
            self.log.close()
