"""The second factor of staff sign-ins in a real browser, on a phone, in English and Korean.

A secretariat member's first visit to the admin: sign in, confirm the password, set up the
authenticator app (the key read from the page, the code computed as the app would), save the
recovery codes shown once, and go on to the admin. Then an enrolled member: a wrong code is
refused beside the field and keeps them out, the right code lets them in, and a recovery code
does too, once. axe-core checks every page; screenshots go to test-artifacts/<language>/.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, Permission
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, text_in, url
from tests.browser.test_accessibility import AXE_SOURCE, axe_run, errors_announced, report
from tests.factories import UserFactory
from tests.mfa import recovery_codes, totp_code, totp_enrol, wrong_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]
LANGUAGES = ["en", "ko"]


def secretariat_member(email: str) -> Any:
    # The group as its migration makes it: a transactional test before this one flushed it.
    group, _created = Group.objects.get_or_create(name="Secretariat")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["delegates", "registration"])
    )
    user = UserFactory(email=email, password=PASSWORD, is_staff=True)
    user.groups.add(group)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


class Visit:
    """One staff member's phone in one language: pages, checks and screenshots."""

    def __init__(self, page: Page, base: str, language: str, shots: Callable) -> None:
        self.page, self.base, self.language, self.shots = page, base, language, shots
        self.violations: dict[str, list[dict[str, Any]]] = {}
        self.csp_errors: list[str] = []
        page.on(
            "console",
            lambda message: (
                self.csp_errors.append(f"{page.url}: {message.text[:80]}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )

    def t(self, message: str) -> str:
        return text_in(self.language, message)

    def go(self, path: str) -> None:
        self.page.goto(url(self.base, self.language, path))

    def submit(self, selector: str = "main form button[type=submit]") -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()

    def check(self, name: str, *, with_errors: bool = False) -> None:
        self.page.wait_for_load_state()
        if with_errors:
            problems = errors_announced(self.page)
            assert not problems, f"{self.language} {name}: {problems}"
        self.violations[name] = axe_run(self.page)["violations"]
        self.shots(self.page, self.language, f"mfa-{name}")

    def sign_in(self, email: str) -> None:
        self.page.fill("input[name=login]", email)
        self.page.fill("input[name=password]", PASSWORD)
        self.submit()

    def assert_clean(self) -> None:
        serious = {
            name: [v for v in found if v["impact"] in {"serious", "critical"}]
            for name, found in self.violations.items()
        }
        assert not any(serious.values()), report(serious)
        assert not self.csp_errors, self.csp_errors


@pytest.fixture
def visit(live_server, phone, shots, site) -> Callable[[str], Visit]:
    assert AXE_SOURCE.exists(), "axe-core is missing: run `npm ci` in the project folder"
    return lambda language: Visit(phone(language), live_server.url, language, shots)


@pytest.mark.parametrize("language", LANGUAGES)
def test_first_staff_sign_in_enrols_and_shows_the_recovery_codes_once(language, visit):
    email = f"first.{language}@wego.example"
    member = secretariat_member(email)
    me = visit(language)
    page = me.page

    me.go("/admin/")
    expect(page.locator("input[name=login]")).to_be_visible()  # allauth's sign-in, not the admin's
    me.sign_in(email)
    # allauth asks for the password again before a second factor is set up; staff are told why.
    expect(page.locator("main .alert-info")).to_contain_text(
        me.t(
            "Staff accounts sign in with a second factor. To set it up, first confirm your password."
        )
    )
    me.check("01-confirm-password")
    page.fill("input[name=password]", PASSWORD)
    me.submit()

    expect(page.locator("h1")).to_have_text(me.t("Activate Authenticator App"))
    expect(page.locator("main .alert-info")).to_be_visible()
    assert page.locator("img.totp-qr").evaluate("img => img.naturalWidth > 0")
    me.check("02-enrol")
    secret = page.input_value("#authenticator_secret")
    assert len(secret) == 32

    page.fill("input[name=code]", wrong_code(secret))
    me.submit()
    expect(page.locator("#id_code_error")).to_contain_text(me.t("Incorrect code."))
    me.check("03-enrol-wrong-code", with_errors=True)
    # A refused attempt leaves the same key on the page, as the app already has it.
    assert page.input_value("#authenticator_secret") == secret

    page.fill("input[name=code]", totp_code(secret))
    me.submit()
    expect(page.locator("h1")).to_have_text(me.t("Recovery Codes"))
    codes = recovery_codes(member)
    shown = page.locator(".recovery-codes code").all_inner_texts()
    assert shown == codes and len(codes) == 10
    me.check("04-recovery-codes")

    page.check("#codes_saved")
    with page.expect_navigation():
        page.get_by_role("link", name=me.t("Continue")).click()
    expect(page.locator("#site-name")).to_be_visible()  # the admin that asked
    assert page.url == url(me.base, language, "/admin/")
    me.shots(page, language, "mfa-05-admin")

    # Once only: the codes are not on the page any more.
    me.go("/accounts/2fa/recovery-codes/")
    expect(page.locator(".recovery-codes")).to_have_count(0)
    assert not any(code in page.content() for code in codes)
    me.check("06-recovery-codes-later")
    me.go("/accounts/2fa/")
    me.check("07-manage")
    # The pages behind its links (the password was confirmed minutes ago: no new question).
    me.go("/accounts/2fa/recovery-codes/generate/")
    me.check("08-generate-codes")
    me.go("/accounts/2fa/totp/deactivate/")
    me.check("09-turn-off")
    me.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_enrolled_staff_sign_in_with_a_code_or_a_recovery_code(language, visit):
    email = f"enrolled.{language}@wego.example"
    member = secretariat_member(email)
    secret = totp_enrol(member)
    me = visit(language)
    page = me.page

    # A wrong code: told beside the field, and still out.
    me.go("/staff/")
    me.sign_in(email)
    expect(page.locator("h1")).to_have_text(me.t("Two-Factor Authentication"))
    me.check("11-code")
    page.fill("input[name=code]", wrong_code(secret))
    me.submit()
    expect(page.locator("#id_code_error")).to_contain_text(me.t("Incorrect code."))
    expect(page.locator("input[name=code]")).to_have_attribute("aria-invalid", "true")
    me.check("12-code-wrong", with_errors=True)
    # Still out: the staff page leads back to the code, the sign-in half done.
    me.go("/staff/")
    expect(page.locator("h1")).to_have_text(me.t("Two-Factor Authentication"))
    assert "/accounts/2fa/authenticate/" in page.url

    page.fill("input[name=code]", totp_code(secret))
    me.submit()
    assert page.url == url(me.base, language, "/staff/")
    expect(page.locator(".staff-totals")).to_be_visible()
    me.shots(page, language, "mfa-13-signed-in")

    me.go("/")
    me.submit("header form[action*=logout] button")

    # A recovery code instead of the phone; it works once.
    code = recovery_codes(member)[0]
    me.go("/staff/")
    me.sign_in(email)
    page.fill("input[name=code]", code)
    me.submit()
    assert page.url == url(me.base, language, "/staff/")
    assert code not in recovery_codes(member)
    assert Authenticator.objects.filter(user=member).count() == 2
    me.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_security_key_added_then_used_to_sign_in(language, visit):
    """Chromium's virtual authenticator stands in for a security key (a passkey on a laptop)."""
    email = f"key.{language}@wego.example"
    member = secretariat_member(email)
    secret = totp_enrol(member)
    me = visit(language)
    page = me.page
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    me.go("/accounts/2fa/")
    me.sign_in(email)
    page.fill("input[name=code]", totp_code(secret))
    me.submit()
    page.get_by_role("link", name=me.t("Add a security key")).click()
    # Adding a key asks for the password again first.
    page.fill("input[name=password]", PASSWORD)
    me.submit()
    expect(page.locator("h1")).to_have_text(me.t("Add a security key"))
    me.check("21-add-key")
    with page.expect_navigation():
        page.click("#mfa_webauthn_add")
    with translation.override(language):
        one_key = translation.ngettext("%(count)s key added.", "%(count)s keys added.", 1)
    expect(page.locator("#mfa-keys + p")).to_have_text(one_key % {"count": 1})
    assert Authenticator.objects.filter(user=member, type="webauthn").count() == 1
    me.check("22-manage-with-key")
    me.go("/accounts/2fa/webauthn/")
    me.check("22b-keys")

    me.submit("header form[action*=logout] button")
    me.go("/staff/")
    me.sign_in(email)
    me.check("23-code-or-key")
    with page.expect_navigation():
        page.click("#mfa_webauthn_authenticate")
    assert page.url == url(me.base, language, "/staff/")
    me.assert_clean()
