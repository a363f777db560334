"""Run a command and start it again whenever it exits, until told to stop.

`make run-stack` runs web, worker and beat under honcho, which stops all three as soon as one
exits: a worker that died would take the site down with it, or (run alone) send nothing until
someone noticed. In docker compose, `restart: unless-stopped` does this job; here this does:

    python -m excom.keep_running celery -A excom worker --loglevel=INFO

A command that keeps dying is started again after 1, 2, 4 ... up to 30 seconds; one that ran
for a minute starts again after a second.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType

FIRST_DELAY = 1.0
LONGEST_DELAY = 30.0
# A run this long counts as healthy: the next restart waits the shortest delay again.
HEALTHY_RUN_SECONDS = 60.0


def _say(text: str) -> None:
    print(f"keep_running: {text}", file=sys.stderr, flush=True)


def keep_running(command: list[str]) -> int:
    """Run `command` again and again; on SIGTERM or SIGINT stop it and return its exit code."""
    stopping = False
    child: subprocess.Popen | None = None

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            # Always SIGTERM (a warm shutdown): the child may get the signal twice, from us and
            # from a signal to the whole process group, and a second SIGINT would make Celery
            # abandon the tasks in hand.
            child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    delay = FIRST_DELAY
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)  # noqa: S603 - the Procfile's own command
        if stopping:  # told to stop while it was being started
            child.send_signal(signal.SIGTERM)
        code = child.wait()
        if stopping:
            return code
        ran = time.monotonic() - started
        if ran >= HEALTHY_RUN_SECONDS:
            delay = FIRST_DELAY
        _say(
            f"{command[0]} exited with {code} after {ran:.0f} s; starting it again in {delay:.0f} s"
        )
        waited_until = time.monotonic() + delay
        while not stopping and time.monotonic() < waited_until:
            time.sleep(0.2)
        if stopping:
            return code
        delay = min(delay * 2, LONGEST_DELAY)


def main(argv: list[str]) -> int:
    if not argv:
        _say("usage: python -m excom.keep_running COMMAND [ARGUMENT ...]")
        return 2
    return keep_running(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
