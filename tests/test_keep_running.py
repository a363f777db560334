"""`python -m excom.keep_running`: the local stack's restart policy (the Procfile's worker and beat)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.worker_support import wait_until

ROOT = Path(__file__).resolve().parents[1]


def test_a_command_that_exits_is_started_again_and_stops_when_told(tmp_path):
    starts = tmp_path / "starts"
    # Each run notes that it started and dies at once, as a crashing worker would.
    script = f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)"
    process = subprocess.Popen(
        [sys.executable, "-m", "excom.keep_running", sys.executable, "-c", script],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_until(lambda: starts.exists() and len(starts.read_text()) >= 2, 15, "a second start")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)
    assert "exited with 3" in process.stderr.read()


def test_stopping_it_stops_the_command_too(tmp_path):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "excom.keep_running",
            sys.executable,
            "-c",
            "import time; time.sleep(60)",
        ],
        cwd=ROOT,
        start_new_session=True,
    )
    time.sleep(1)
    process.send_signal(signal.SIGTERM)  # to the supervisor alone, not its process group
    process.wait(10)
    children = subprocess.run(
        ["pgrep", "-g", str(process.pid)], capture_output=True, text=True, check=False
    )
    assert children.stdout.strip() == ""
