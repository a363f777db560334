"""Driving Debian's Chromium: where it is, its flags, and waiting for a condition in the page.

Waiting under the site's content security policy: Playwright's `wait_for_function` polls by evaluating a string, which needs 'unsafe-eval'; the
CSP refuses it (and the check only fails once the condition is not true at the first look).
`page.evaluate` of a function does not, so the polling happens from the test instead.
"""

from __future__ import annotations

from playwright.sync_api import Page

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def wait_for_true(
    page: Page, predicate: str, *, timeout_ms: int = 10_000, arg: object = None
) -> None:
    """Poll the JavaScript function `predicate` until it returns a truthy value; fail otherwise."""
    step_ms = 50
    for _ in range(timeout_ms // step_ms):
        if page.evaluate(predicate, arg):
            return
        page.wait_for_timeout(step_ms)
    assert page.evaluate(predicate, arg), f"still false after {timeout_ms} ms: {predicate}"
