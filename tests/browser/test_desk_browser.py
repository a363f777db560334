"""The venue desk in a real browser: Debian's Chromium driven by Playwright against a live server.

A Desk operator signs in, names the desk, scans a badge (types the code and Enter, as a USB
scanner does), checks the delegate in with Enter, gets the badge PDF, scans it again, finds a
Korean name by two of its syllables and registers a walk-in. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import Page, expect

from delegates.services import delegate_save
from registration.models import DeskLog, Registration, State
from registration.services.badges import badge_ensure
from registration.services.registrations import registration_submit
from tests.browser.chromium import wait_for_true
from tests.browser.staff import sign_in_with_code
from tests.factories import EventFactory, MemberCityFactory, UserFactory
from tests.mfa import totp_enrol

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TABLET = {"width": 1024, "height": 768}
PASSWORD = "desk-operator-passphrase"


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are plain
    # synchronous calls all the same. Set for this test only, so it never leaks into others.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _photo() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (240, 300), (11, 58, 110)).save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def _register(event, city, *, email, photo=None, **names) -> Registration:
    delegate, _changes = delegate_save(
        delegate=None,
        email=email,
        data={"city": city, "job_title": "Director", **names},
        photo=photo,
    )
    return registration_submit(delegate=delegate, event=event, data={}, actor=None)


def _desk_operator():
    from allauth.account.models import EmailAddress

    group, _created = Group.objects.get_or_create(name="Desk")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="registration", codename="use_desk")
    )
    user = UserFactory(email="desk1@wego.example", is_staff=True, password=PASSWORD)
    user.groups.add(group)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user, totp_enrol(user)


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"desk-{name}.png"))


def _scan(page: Page, code: str) -> None:
    page.locator("#scan").press_sequentially(code, delay=5)
    page.keyboard.press("Enter")


def test_desk_operator_checks_in_prints_finds_and_registers_a_walk_in(live_server, browser):
    event = EventFactory(name="WeGO EXCOM Seongnam")
    seongnam = MemberCityFactory(name_en="Seongnam", name_local="성남시", code="kr-seongnam")
    arriving = _register(
        event,
        seongnam,
        email="jiwoo@example.org",
        given_name="Ji-woo",
        family_name="Han",
        photo=_photo(),
    )
    badge_ensure(registration=arriving)
    mayor = _register(
        event,
        seongnam,
        email="mayor@example.org",
        given_name="Soo-mi",
        family_name="Eun",
        native_name="은수미",
    )
    _operator, secret = _desk_operator()

    context = browser.new_context(viewport=TABLET, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/desk/")
    sign_in_with_code(page, email="desk1@wego.example", password=PASSWORD, secret=secret)
    page.wait_for_url("**/desk/")

    # The desk is named once; headless Chromium prints from a tab of its own.
    expect(page.locator("#desk-dialog")).to_be_visible()
    page.fill("#desk-name", "Desk 1")
    page.check("input[name=print_mode][value=tab]")
    page.click("#desk-form button[type=submit]")
    expect(page.locator("#desk-name-label")).to_have_text("Desk 1")
    expect(page.locator("#scan")).to_be_focused()

    _scan(page, arriving.badge_token)
    expect(page.locator("#outcome-title")).to_have_text("Found – not checked in yet")
    expect(page.locator("#card-name")).to_contain_text("Ji-woo Han")
    photo = page.locator("#card-photo")
    expect(photo).to_be_visible()
    wait_for_true(page, "() => document.getElementById('card-photo').naturalWidth > 0")
    expect(page.locator("#scan")).to_be_focused()
    _shot(page, "1-found")

    with context.expect_page() as badge_tab:
        page.keyboard.press("Enter")
    expect(page.locator("#outcome-title")).to_have_text("Checked in")
    expect(page.locator("#outcome")).to_have_class("outcome outcome-checked_in")
    badge_url = badge_tab.value.url
    assert f"/desk/badge/{arriving.pk}.pdf" in badge_url
    pdf = page.request.get(badge_url)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline")
    assert pdf.body().startswith(b"%PDF-")
    badge_tab.value.close()
    page.bring_to_front()
    _shot(page, "2-checked-in")
    arriving.refresh_from_db()
    assert arriving.checked_in_desk == "Desk 1"
    assert arriving.badge.print_count == 1

    _scan(page, arriving.badge_token)
    expect(page.locator("#outcome-title")).to_have_text("Already checked in")
    expect(page.locator("#outcome-message")).to_contain_text("Desk 1")
    _shot(page, "3-already")

    _scan(page, "this-is-not-a-badge-code")
    expect(page.locator("#outcome-title")).to_have_text("Unknown code")
    _shot(page, "4-unknown")

    page.locator("#scan").press_sequentially("수미", delay=30)
    expect(page.locator("#results .result")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("은수미")
    _shot(page, "5-search")
    page.keyboard.press("Enter")
    expect(page.locator("#card-native")).to_have_text("은수미")
    expect(page.locator("#card-native")).to_have_attribute("lang", "ko")
    expect(page.locator("#outcome-title")).to_have_text("Found – not checked in yet")

    page.click("#walk-in-button")
    expect(page.locator("#walk-in-dialog")).to_be_visible()
    page.fill("#wi-given_name", "Amara")
    page.fill("#wi-family_name", "Okafor")
    page.fill("#wi-email", "amara@example.org")
    page.fill("#wi-city", "Seongnam")
    page.select_option("#wi-category", "press")
    page.check("#wi-consent")
    _shot(page, "6-walk-in-form")
    with context.expect_page() as walk_in_badge:
        page.click("#walk-in-submit")
    expect(page.locator("#outcome-title")).to_have_text("Walk-in registered and checked in")
    assert "/desk/badge/" in walk_in_badge.value.url
    walk_in_badge.value.close()
    page.bring_to_front()
    expect(page.locator("#count-in")).to_have_text("2")
    _shot(page, "7-walk-in-done")

    walk_in = Registration.objects.get(delegate__email="amara@example.org")
    assert walk_in.state == State.CONFIRMED
    assert walk_in.city == seongnam
    assert walk_in.checked_in_desk == "Desk 1"
    assert walk_in.badge.print_count == 1
    mayor.refresh_from_db()
    assert mayor.checked_in_at is None
    assert DeskLog.objects.filter(action=DeskLog.Action.UNKNOWN_CODE).count() == 1
    context.close()
