"""A delegate's whole journey on a phone, in English and in Korean, in a real browser.

Sign up, verify from the email, register with a photo (the consent box and the submit button
by keyboard alone), see "my registration", change it, cancel it. Each step is saved as a
screenshot under test-artifacts/<language>/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from registration.models import OutboxEmail, Registration, State
from tests.browser.chromium import wait_for_true

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until `selector` has the focus, as a keyboard user moves through the form."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def focus_is_visible(page: Page) -> bool:
    return page.evaluate(
        """() => {
          const el = document.activeElement, style = getComputedStyle(el);
          return el.matches(':focus-visible')
            && (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
                || style.boxShadow !== 'none');
        }"""
    )


@pytest.mark.parametrize("language", ["en", "ko"])
def test_delegate_signs_up_registers_with_a_photo_edits_and_cancels(
    language, site, person, photo, shots
):
    me = person(language, email=f"seoyeon.{language}@seongnam.example")
    page = me.page

    def shot(name: str) -> None:
        shots(page, language, f"journey-{name}")

    # The event's page, then sign up from the header.
    me.go("/")
    expect(page.locator("h1")).to_have_text(site["event"].name)
    expect(page.locator("html")).to_have_attribute("lang", language)
    shot("01-home")
    page.locator("header").get_by_role("link", name=me.t("Sign up")).click()
    expect(page.locator("input[name=email]")).to_be_visible()
    shot("02-signup")
    page.fill("input[name=email]", me.email)
    page.fill("input[name=password1]", "Seongnam-excom-2025-passphrase")
    page.fill("input[name=password2]", "Seongnam-excom-2025-passphrase")
    me.submit()
    expect(page.locator("main h1")).to_have_text(me.t("Verify Your Email Address"))
    shot("03-verify-email-sent")

    # The link in the email, then the confirmation signs the person in.
    assert OutboxEmail.objects.filter(recipient=me.email, kind="account").exists()
    me.open_confirmation()
    expect(page.locator("main")).to_contain_text(me.email)
    shot("04-confirm-email")
    me.confirm()

    # The form: a photo, a session, then consent and submit by keyboard alone.
    me.go("/me/register/")
    expect(page.locator("main h1")).to_contain_text(site["event"].name)
    shot("05-register")
    me.fill_person(photo=photo)
    page.focus("#id_accessibility_needs")
    tab_to(page, "#id_consent")
    assert focus_is_visible(page), "the consent box has no visible focus"
    page.keyboard.press("Space")
    expect(page.locator("#id_consent")).to_be_checked()
    tab_to(page, "main form button[type=submit]")
    assert focus_is_visible(page), "the submit button has no visible focus"
    shot("06-register-filled")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # My registration: confirmed (within the city's places), with the photo.
    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.locator(".messages")).to_contain_text(
        me.t("Thank you. Your registration has been received.")
    )
    expect(page.locator(".page-head .state")).to_have_text(me.t("Confirmed"))
    expect(page.locator("main")).to_contain_text("최서연")
    expect(page.locator("main")).to_contain_text("Opening ceremony")
    wait_for_true(
        page,
        "() => { const img = document.querySelector('img.photo');"
        " return img && img.complete && img.naturalWidth > 0; }",
    )
    shot("07-my-registration")
    registration = Registration.objects.select_related("delegate").get(delegate__email=me.email)
    assert registration.state == State.CONFIRMED
    assert registration.delegate.photo
    assert registration.delegate.native_name == "최서연"
    assert registration.delegate.city == site["city"]
    assert registration.consent_given_at is not None
    assert [s.code for s in registration.sessions.all()] == ["opening"]

    # Change the job title.
    page.get_by_role("link", name=me.t("Change my details")).click()
    expect(page.locator("#id_job_title")).to_have_value(
        "Director General, Smart City and International Cooperation"
    )
    expect(page.locator(".current-photo img")).to_be_visible()
    page.fill("#id_job_title", "Director of International Affairs")
    shot("08-edit")
    page.get_by_role("button", name=me.t("Save changes")).click()
    expect(page.locator(".messages")).to_contain_text(me.t("Your changes have been saved."))
    expect(page.locator("main")).to_contain_text("Director of International Affairs")
    shot("09-after-edit")
    registration.delegate.refresh_from_db()
    assert registration.delegate.job_title == "Director of International Affairs"
    assert registration.log.filter(action="edited").exists()

    # Cancel, with a reason.
    page.get_by_role("link", name=me.t("Cancel my registration")).click()
    page.fill("#id_reason", "일정이 겹칩니다")
    shot("10-cancel")
    page.get_by_role("button", name=me.t("Yes, cancel the registration")).click()
    expect(page.locator(".messages")).to_contain_text(me.t("The registration has been cancelled."))
    expect(page.locator("main")).to_contain_text(me.t("You have cancelled this registration."))
    shot("11-cancelled")
    registration.refresh_from_db()
    assert registration.state == State.CANCELLED
    assert registration.emails.filter(kind="cancelled").exists()
