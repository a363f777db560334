"""Head of delegation in a real browser, in English and in Korean.

A person claims to lead Seongnam's delegation and finds their page says the claim awaits the
secretariat. The secretariat sees the claim on the dashboard, filters the delegate list, grants
it (and refuses another city's claim with a reason). The head then sees their delegation: names,
roles and states of everyone, email addresses only of the colleagues they registered, and the
invitation sent to a colleague with a login of their own. Screenshots go to
test-artifacts/head/<language>/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from delegates.services import delegate_save
from registration.models import OutboxEmail, Registration
from registration.services.registrations import registration_submit
from registration.services.submissions import registration_submit_by_secretariat
from tests.browser.conftest import LOCALES, PHONE, text_in, url
from tests.browser.staff import sign_in_with_code
from tests.factories import MemberCityFactory, UserFactory
from tests.mfa import totp_enrol

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "head"
DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "delegation-passphrase-2030"


def person(city, email, given, family, native="", *, login=False, language="en"):
    user = None
    if login:
        user = UserFactory(email=email, password=PASSWORD)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    delegate, _changes = delegate_save(
        delegate=None,
        email=email,
        data={
            "given_name": given,
            "family_name": family,
            "native_name": native,
            "city": city,
            "language": language,
            "job_title": "Director",
        },
        user=user,
    )
    return delegate, user


def secretariat_group() -> Group:
    group, created = Group.objects.get_or_create(name="Secretariat")
    if created:
        group.permissions.set(
            Permission.objects.filter(content_type__app_label__in=["delegates", "registration"])
        )
    return group


SECRETARIAT_EMAIL = "secretariat@wego.example"


def secretariat_member():
    """A secretariat login with a verified address and an authenticator app: (user, secret)."""
    staff = UserFactory(email=SECRETARIAT_EMAIL, password=PASSWORD, is_staff=True)
    staff.groups.add(secretariat_group())
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    return staff, totp_enrol(staff)


def staff_sign_in(page: Page, base: str, language: str, secret: str) -> None:
    """Staff sign in with the password, then the authenticator app's code."""
    page.goto(url(base, language, "/accounts/login/"))
    sign_in_with_code(page, email=SECRETARIAT_EMAIL, password=PASSWORD, secret=secret)


@pytest.fixture
def delegation(site):
    event, seongnam = site["event"], site["city"]
    staff, secret = secretariat_member()
    head, head_user = person(
        seongnam, "head@seongnam.example", "Eun", "Soo-mi", "은수미", login=True
    )
    claim = registration_submit(
        delegate=head, event=event, data={"delegation_role": "head"}, actor=head_user
    )
    own, own_user = person(
        seongnam, "jihoon@seongnam.example", "Ji-hoon", "Park", "박지훈", login=True
    )
    registration_submit(delegate=own, event=event, data={}, actor=own_user)
    asked, _ = person(seongnam, "seoyeon@seongnam.example", "Seo-yeon", "Choi", "최서연")
    registration_submit_by_secretariat(
        delegate=asked, event=event, delegation_role="delegate", actor=staff
    )
    kazan = MemberCityFactory(name_en="Kazan", name_local="Казань", country="RU")
    rival, rival_user = person(
        kazan, "rival@kazan.example", "Ivan", "Petrov", "Иван Петров", login=True
    )
    rival_claim = registration_submit(
        delegate=rival, event=event, data={"delegation_role": "head"}, actor=rival_user
    )
    # Signed up, never registered: a login of their own.
    invited = UserFactory(email="minji@seongnam.example", password=PASSWORD)
    EmailAddress.objects.create(user=invited, email=invited.email, verified=True, primary=True)
    return {"claim": claim, "rival": rival_claim, "event": event, "secret": secret}


def shoot(page: Page, language: str, name: str) -> None:
    folder = ARTIFACTS / language
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, language: str, email: str) -> None:
    page.goto(url(base, language, "/accounts/login/"))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_claim_is_granted_by_the_secretariat_and_the_head_sees_only_their_own(
    language, live_server, browser: Browser, delegation
):
    def t(message: str) -> str:
        return text_in(language, message)

    base = live_server.url
    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale=LOCALES[language]
    )
    phone.set_default_timeout(15_000)
    head = phone.new_page()

    # The claimant: their page says the claim waits; nothing of the delegation shows.
    sign_in(head, base, language, "head@seongnam.example")
    head.goto(url(base, language, "/delegation/"))
    expect(head.locator("main h2").first).to_have_text(t("Your claim awaits the secretariat"))
    expect(head.locator("main")).not_to_contain_text("Ji-hoon")
    shoot(head, language, "01-claim-waiting")
    assert head.goto(url(base, language, "/delegation/add/")).status == 404

    # The secretariat: the dashboard counts the claims and leads to them; grant and refuse.
    desk = browser.new_context(viewport=DESKTOP, locale=LOCALES[language])
    desk.set_default_timeout(15_000)
    admin = desk.new_page()
    staff_sign_in(admin, base, language, delegation["secret"])
    admin.goto(url(base, language, "/staff/"))
    claims = admin.locator(".staff-totals a")
    expect(claims).to_contain_text("2")
    shoot(admin, language, "02-dashboard")
    claims.click()
    rows = admin.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(admin.locator("#result_list")).to_contain_text(t("claimed"))
    shoot(admin, language, "03-claims")
    rows.filter(has_text="Soo-mi").locator("input.action-select").check()
    admin.select_option("select[name=action]", "grant_head")
    admin.click("button[name=index]")
    expect(admin.locator(".messagelist")).to_contain_text(
        t("%(count)d granted head of delegation and emailed.") % {"count": 1}
    )
    shoot(admin, language, "04-granted")
    admin.locator("#result_list tbody tr", has_text="Petrov").locator("input.action-select").check()
    admin.select_option("select[name=action]", "refuse_head")
    admin.click("button[name=index]")
    admin.fill("#id_reason", "The mayor of Kazan leads this delegation.")
    shoot(admin, language, "05-refuse-form")
    admin.click(".submit-row input[type=submit]")
    expect(admin.locator(".messagelist")).to_contain_text("1")
    shoot(admin, language, "06-refused")
    delegation["claim"].refresh_from_db()
    delegation["rival"].refresh_from_db()
    assert delegation["claim"].is_granted_head
    assert delegation["rival"].delegation_role == "delegate"
    desk.close()

    # The head: everyone's name and state; an email only for whom they registered.
    head.goto(url(base, language, "/delegation/add/"))
    head.fill("#id_email", "minho@seongnam.example")
    head.fill("#id_given_name", "Min-ho")
    head.fill("#id_family_name", "Kang")
    head.fill("#id_native_name", "강민호")
    head.fill("#id_job_title", "Adviser")
    head.check("#id_consent")
    with head.expect_navigation():
        head.locator("main form button[type=submit]").last.click()
    head.goto(url(base, language, "/delegation/add/"))
    head.fill("#id_email", "minji@seongnam.example")
    head.fill("#id_given_name", "Min-ji")
    head.fill("#id_family_name", "Kim")
    head.fill("#id_job_title", "Officer")
    head.check("#id_consent")
    with head.expect_navigation():
        head.locator("main form button[type=submit]").last.click()
    expect(head.locator(".messages")).to_contain_text("minji@seongnam.example")
    main = head.locator("main")
    expect(main).to_contain_text("박지훈")
    expect(main).to_contain_text("최서연")
    expect(main).to_contain_text("minho@seongnam.example")
    expect(main).to_contain_text(t("Invitations sent"))
    for hidden in ("jihoon@seongnam.example", "seoyeon@seongnam.example"):
        assert hidden not in main.inner_text()
    shoot(head, language, "07-delegation")
    head.set_viewport_size(DESKTOP)
    shoot(head, language, "08-delegation-desktop")
    phone.close()
    assert OutboxEmail.objects.filter(
        recipient="minji@seongnam.example", kind=OutboxEmail.Kind.COLLEAGUE_INVITATION
    ).exists()
    assert not Registration.objects.filter(delegate__email="minji@seongnam.example").exists()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_secretariat_invites_a_focal_point_who_registers_as_head_through_the_link(
    language, live_server, browser: Browser, site
):
    base = live_server.url
    city = MemberCityFactory(
        name_en="Ulaanbaatar",
        name_local="Улаанбаатар",
        country="MN",
        focal_point_name="Bat-Erdene Dorj",
        focal_point_email="focal@ub.example",
    )
    _staff, secret = secretariat_member()
    focal = UserFactory(email="focal@ub.example", password=PASSWORD)
    EmailAddress.objects.create(user=focal, email=focal.email, verified=True, primary=True)
    stranger = UserFactory(email="stranger@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=stranger, email=stranger.email, verified=True, primary=True)

    desk = browser.new_context(viewport=DESKTOP, locale=LOCALES[language])
    desk.set_default_timeout(15_000)
    admin = desk.new_page()
    staff_sign_in(admin, base, language, secret)
    admin.goto(url(base, language, "/admin/delegates/membercity/?q=Ulaanbaatar"))
    admin.locator("#result_list tbody tr").first.locator("input.action-select").check()
    admin.select_option("select[name=action]", "invite_focal_point")
    admin.click("button[name=index]")
    expect(admin.locator(".messagelist")).to_contain_text("focal@ub.example")
    shoot(admin, language, "10-invitation-sent")
    admin.goto(url(base, language, f"/admin/delegates/membercity/{city.pk}/change/"))
    expect(admin.locator("#content")).to_contain_text("focal@ub.example")
    shoot(admin, language, "11-city-page")
    desk.close()

    email = OutboxEmail.objects.get(kind=OutboxEmail.Kind.HEAD_INVITATION)
    assert email.language == "en"  # not a city in Korea, and nobody we know
    # The link is in the mail as sent; the outbox keeps the text without it.
    assert "/delegation/invitation/[key withheld]/" in email.body_text
    (sent,) = [m for m in mail.outbox if m.to == [email.recipient]]
    path = re.search(r"/delegation/invitation/[A-Za-z0-9_-]+/", sent.body).group(0)

    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale=LOCALES[language]
    )
    phone.set_default_timeout(15_000)
    page = phone.new_page()
    page.goto(url(base, language, path))
    expect(page.locator("main")).to_contain_text("focal@ub.example")
    shoot(page, language, "12-invitation-signed-out")

    # Someone else's account: told which address to use.
    sign_in(page, base, language, "stranger@example.org")
    assert page.goto(url(base, language, path)).status == 403
    expect(page.locator(".alert")).to_contain_text("focal@ub.example")
    shoot(page, language, "13-invitation-wrong-account")
    phone.clear_cookies()

    # The focal point: the form with the city and the role set, then their delegation.
    sign_in(page, base, language, "focal@ub.example")
    page.goto(url(base, language, path))
    expect(page.locator("main h1")).to_contain_text("Ulaanbaatar")
    page.fill("#id_given_name", "Bat-Erdene")
    page.fill("#id_family_name", "Dorj")
    page.fill("#id_native_name", "Бат-Эрдэнэ Дорж")
    page.fill("#id_job_title", "Head of International Relations")
    page.check("#id_consent")
    shoot(page, language, "14-invitation-form")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    expect(page.locator("main h1")).to_contain_text("Ulaanbaatar")
    expect(page.locator("main")).to_contain_text("Бат-Эрдэнэ Дорж")
    shoot(page, language, "15-invited-head")
    phone.close()
    head = Registration.objects.get(delegate__email="focal@ub.example")
    assert head.is_granted_head and head.city == city
