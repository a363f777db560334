"""Staff sign-in in the browser: the password, then the authenticator app's code."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.mfa import totp_code


def sign_in_with_code(page: Page, *, email: str, password: str, secret: str) -> None:
    """On allauth's sign-in page (already open): the password, then the code of `secret`."""
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    page.fill("input[name=code]", totp_code(secret))
    with page.expect_navigation():
        page.press("input[name=code]", "Enter")
