"""Shared fixtures for the browser tests: headless Chromium on a phone, the event, a delegate's steps.

Playwright drives Debian's Chromium against pytest-django's live server. Tests that use these
fixtures need `@pytest.mark.django_db(transaction=True)`: the server runs in another thread and
sees only committed data.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.browser.chromium import CHROMIUM_ARGS, CHROMIUM_PATH

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
PHONE = {"width": 390, "height": 844}
LOCALES = {"en": "en-GB", "ko": "ko-KR"}
PASSWORD = "Seongnam-excom-2025-passphrase"
CONFIRM_LINK = re.compile(r"(?:/[a-z]{2})?/accounts/confirm-email/[^/\s\"'<>]+/")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module: only one sync Playwright may run in a process at a time, and other browser
    # test modules may start their own.
    # Playwright's sync API keeps an event loop in this thread; Django's ORM refuses to run
    # beside a running loop unless told that this test thread is safe to use it.
    # Only while the browser runs: a subprocess started by another test must not inherit it.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def phone(browser: Browser) -> Iterator[Callable[[str], Page]]:
    """A new phone-sized page (390×844, touch) whose browser speaks the given language."""
    contexts: list[BrowserContext] = []

    def open_page(language: str) -> Page:
        context = browser.new_context(
            viewport=PHONE,
            device_scale_factor=1,
            is_mobile=True,
            has_touch=True,
            locale=LOCALES[language],
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def site(transactional_db: None) -> dict[str, Any]:
    """The meeting as delegates find it: open for registration, sessions, a privacy notice."""
    from registration.models import PrivacyNotice
    from tests.factories import EventFactory, MemberCityFactory, SessionFactory

    event = EventFactory(name="2025 WeGO Executive Committee Meeting", venue_address="Seongnam")
    sessions = [
        SessionFactory(event=event, code="opening", name="Opening ceremony"),
        SessionFactory(event=event, code="forum", name="Smart City Forum"),
        SessionFactory(event=event, code="gala", name="Gala dinner"),
    ]
    city = MemberCityFactory(name_en="Seongnam", name_local="성남시", code="kr-seongnam")
    # A migration publishes the first notice; a transactional test before this one may have
    # emptied the table.
    PrivacyNotice.objects.get_or_create(
        version=1,
        defaults={
            "text_en": "We keep your details only to organise the meeting.",
            "text_ko": "회의 준비를 위해서만 개인정보를 보관합니다.",
        },
    )
    return {"event": event, "sessions": sessions, "city": city}


def url(base: str, language: str, path: str) -> str:
    """The page's address in a language: English has no prefix, Korean lives under /ko/."""
    prefix = "" if language == "en" else f"/{language}"
    return f"{base}{prefix}{path}"


def text_in(language: str, message: str) -> str:
    """What the page says for `message` in `language`, from the same catalogue as the server."""
    with translation.override(language):
        return translation.gettext(message)


def confirmation_path(email: str, timeout: float = 5.0) -> str:
    """The verification link from the last email to `email` (sent in-process by the outbox)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(mail.outbox):
            if email in message.to:
                found = CONFIRM_LINK.search(message.body)
                assert found, message.body
                return found.group(0)
        time.sleep(0.05)
    raise AssertionError(f"no email to {email}; outbox: {[m.to for m in mail.outbox]}")


@dataclass
class Delegate:
    """One person going through the pages in one language."""

    page: Page
    base: str
    language: str
    email: str

    def t(self, message: str) -> str:
        return text_in(self.language, message)

    def url(self, path: str) -> str:
        return url(self.base, self.language, path)

    def go(self, path: str) -> None:
        self.page.goto(self.url(path))

    def submit(self) -> None:
        with self.page.expect_navigation():
            self.page.locator("main form button[type=submit]").last.click()

    def sign_up(self) -> None:
        self.go("/accounts/signup/")
        self.page.fill("input[name=email]", self.email)
        self.page.fill("input[name=password1]", PASSWORD)
        self.page.fill("input[name=password2]", PASSWORD)
        self.submit()

    def open_confirmation(self) -> None:
        path = confirmation_path(self.email)
        # The link carries the language of the email; open it in ours.
        path = re.sub(r"^/[a-z]{2}/", "/", path)
        self.go(path)

    def confirm(self) -> None:
        self.submit()
        expect(self.page.locator("header")).to_contain_text(text_in(self.language, "Sign out"))

    def fill_person(self, *, photo: Path | None, role: str = "delegate") -> None:
        page = self.page
        page.select_option("#id_honorific", "ms")
        page.fill("#id_given_name", "Seo-yeon")
        page.fill("#id_family_name", "Choi")
        page.fill("#id_native_name", "최서연")
        page.fill("#id_job_title", "Director General, Smart City and International Cooperation")
        page.fill("#id_organisation", "Seongnam City Hall")
        page.select_option("#id_city", "kr-seongnam")
        page.fill("#id_phone", "+82 10 1234 5678")
        page.select_option("#id_language", self.language)
        if photo is not None:
            page.set_input_files("#id_photo", str(photo))
        page.select_option("#id_delegation_role", role)
        page.check("#field-sessions input[value]:not([value=''])  >> nth=0")
        page.fill("#id_arrival_flight", "KE 902")
        page.select_option("#id_diet", "vegetarian")


def make_photo(folder: Path) -> Path:
    """A small portrait JPEG, the kind a phone would upload."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 400), (200, 215, 230))
    draw = ImageDraw.Draw(image)
    draw.ellipse((90, 70, 210, 190), fill=(120, 140, 165))
    draw.rectangle((60, 220, 240, 400), fill=(11, 58, 110))
    path = folder / "portrait.jpg"
    image.save(path, format="JPEG", quality=85)
    return path


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    return make_photo(tmp_path)


@pytest.fixture
def person(live_server: Any, phone: Callable[[str], Page]) -> Callable[..., Delegate]:
    """A delegate with their own phone, in a language: `person("ko", email="...")`."""

    def make(language: str, *, email: str) -> Delegate:
        return Delegate(page=phone(language), base=live_server.url, language=language, email=email)

    return make


@pytest.fixture
def shots() -> Callable[[Page, str, str], Path]:
    """Save a full-page screenshot as test-artifacts/<language>/<name>.png (git-ignored)."""

    def shoot(page: Page, language: str, name: str) -> Path:
        folder = ARTIFACTS / language
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot
