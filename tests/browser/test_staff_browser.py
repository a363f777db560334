"""The secretariat panel in a real browser: Debian's Chromium driven by Playwright.

A Secretariat staff member signs in to the admin, imports member cities from a CSV file (preview,
then confirm; the progress page itself: test_city_import_browser.py), confirms a pending delegate from the delegate list, prints the badges of the
confirmed delegates as an A4 sheet, follows the progress page and downloads the PDF. Tasks run
in-process in tests, so the sheet is built by the same service the worker runs. Screenshots go to
test-artifacts/staff/.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.contrib.staticfiles import finders
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from delegates.models import MemberCity, Membership
from delegates.services import delegate_save
from registration.models import BadgeSheetJob, Registration, State
from registration.services.registrations import registration_submit
from tests.browser.chromium import wait_for_true
from tests.browser.staff import sign_in_with_code
from tests.factories import EventFactory, MemberCityFactory, RegionFactory, UserFactory
from tests.mfa import totp_enrol

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "staff"
DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "secretariat-passphrase-2030"
CITIES_CSV = (
    "code,name_en,name_local,country,region,membership,executive_committee,delegation_quota\n"
    "kr-suwon,Suwon,수원시,KR,asia-pacific,full,yes,4\n"
    "mn-ulaanbaatar,Ulaanbaatar,Улаанбаатар,MN,asia-pacific,associate,no,3\n"
)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def register(city: MemberCity, event, given: str, family: str, native: str = "") -> Registration:
    delegate, _changes = delegate_save(
        delegate=None,
        email=f"{given.lower()}.{family.lower()}@example.org",
        data={"given_name": given, "family_name": family, "native_name": native, "city": city},
    )
    return registration_submit(
        delegate=delegate, event=event, data={"delegation_role": "delegate"}, actor=None
    )


def secretariat_group() -> Group:
    """The group as its migration makes it; a transactional test before this one flushed it."""
    group, created = Group.objects.get_or_create(name="Secretariat")
    if created:
        group.permissions.set(
            Permission.objects.filter(content_type__app_label__in=["delegates", "registration"])
        )
    return group


@pytest.fixture
def panel(live_server, tmp_path):
    event = EventFactory(name="WeGO EXCOM 2030")
    RegionFactory(code="asia-pacific", name="Asia & Pacific")
    guests = MemberCityFactory(
        name_en="Guest City", membership=Membership.NON_MEMBER, delegation_quota=3
    )
    seongnam = MemberCityFactory(name_en="Seongnam", name_local="성남시")
    pending = register(guests, event, "Amara", "Diallo")
    confirmed = register(seongnam, event, "Seo-yeon", "Park", "박서연")
    assert (pending.state, confirmed.state) == (State.PENDING, State.CONFIRMED)
    staff = UserFactory(email="secretariat@wego.example", password=PASSWORD, is_staff=True)
    staff.groups.add(secretariat_group())
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    secret = totp_enrol(staff)
    csv_file = tmp_path / "cities.csv"
    csv_file.write_text(CITIES_CSV, encoding="utf-8")
    return {
        "event": event,
        "pending": pending,
        "confirmed": confirmed,
        "csv": csv_file,
        "secret": secret,
    }


def test_secretariat_imports_cities_confirms_a_delegate_and_prints_badges(
    live_server, browser: Browser, panel
):
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text[:60]}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )

    # The admin's login is allauth's: the password, then the authenticator app's code.
    page.goto(f"{live_server.url}/admin/")
    sign_in_with_code(
        page, email="secretariat@wego.example", password=PASSWORD, secret=panel["secret"]
    )
    expect(page.locator("#site-name")).to_contain_text("WeGO EXCOM 2030")

    # Import with a preview, then confirm (the worker's steps run in-process here).
    page.goto(f"{live_server.url}/admin/delegates/membercity/import/")
    page.set_input_files("input[name=import_file]", str(panel["csv"]))
    page.click(".submit-row input[type=submit]")
    expect(page.locator("table.import-preview")).to_contain_text("수원시")
    expect(page.locator("table.import-preview")).to_contain_text("Улаанбаатар")
    shot(page, "01-import-preview")
    assert not MemberCity.objects.filter(code="kr-suwon").exists()
    page.click("input[name=confirm]")
    expect(page.locator(".messagelist")).to_contain_text("2 new")
    shot(page, "02-cities")
    assert MemberCity.objects.get(code="kr-suwon").is_executive_committee

    # Confirm the pending delegate from the delegate list.
    page.goto(f"{live_server.url}/admin/registration/registration/?state__exact=pending")
    row = page.locator("#result_list tbody tr", has_text="Diallo")
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "confirm_selected")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("1 confirmed")
    shot(page, "03-confirmed")
    panel["pending"].refresh_from_db()
    assert panel["pending"].state == State.CONFIRMED

    # Print the badges of both confirmed delegates on A4 sheets.
    page.goto(f"{live_server.url}/admin/registration/registration/?state__exact=confirmed")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "print_badges")
    page.click("button[name=index]")
    page.check("input[name=layout][value=a4_four_up]")
    shot(page, "04-print-form")
    page.click(".submit-row input[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/staff/sheets/{BadgeSheetJob.objects.get().pk}/")
    expect(page.locator("#sheet-download")).to_be_visible()
    expect(page.locator("#sheet-done")).to_have_text("2")
    shot(page, "05-sheet-ready")
    with page.expect_download() as download_info:
        page.click("#sheet-download-link")
    pdf = Path(download_info.value.path()).read_bytes()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1  # two badges on one A4 page

    page.goto(f"{live_server.url}/staff/")
    expect(page.locator(".staff-totals")).to_contain_text("2")
    # Chart.js from npm is served (settings: STATICFILES_DIRS): the charts are drawn.
    assert finders.find("vendor/chart.js/chart.umd.js"), "npm ci has not installed Chart.js"
    wait_for_true(page, "() => Boolean(window.Chart && window.Chart.getChart('chart-state'))")
    expect(page.locator("table.staff-table").first).to_contain_text("Confirmed")
    shot(page, "06-dashboard")
    context.close()
    assert not errors, errors
