"""The city import's progress page in a real browser, in English and Korean.

The secretariat uploads a file; the page polls the job's status while the worker reads it, then
shows the preview with its Confirm button; confirming queues the import and the page follows it
to the end. The worker's steps are run by the test (the same services the worker runs), so that
each waiting state can be seen. A file with rejected rows and a file in the wrong encoding show
their messages. Screenshots go to test-artifacts/<language>/city-import-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from delegates.models import MemberCity
from registration.models import CityImportJob
from registration.services import city_imports
from tests.browser.chromium import wait_for_true
from tests.browser.conftest import ARTIFACTS, text_in
from tests.factories import MemberCityFactory, RegionFactory, UserFactory
from tests.hostile_files import HEADER, euc_kr_csv

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

DESKTOP = {"width": 1366, "height": 900}
IMPORT_PATH = "/admin/delegates/membercity/import/"
GOOD = (
    f"{HEADER}\n"
    "kr-suwon,Suwon,수원시,KR,asia-pacific,full,yes,4,,,,\n"
    "mn-ulaanbaatar,Ulaanbaatar,Улаанбаатар,MN,asia-pacific,associate,no,3,,,,\n"
    "kr-seongnam,Seongnam,성남시,KR,asia-pacific,full,yes,6,,,,yes\n"
)
BAD = (
    f"{HEADER}\n"
    "kr-suwon,Suwon,수원시,KR,asia-pacific,full,yes,4,,,,\n"
    "xx-nowhere,Nowhere,,Atlantis,asia-pacific,full,maybe,3,,not-an-email,,\n"
    "kr-suwon,Suwon again,,KR,moon,full,,3,,,,\n"
)


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Tasks the services queue, kept instead of run: the test plays the worker."""
    tasks: list[tuple[str, int]] = []
    monkeypatch.setattr(
        city_imports, "task_queue_on_commit", lambda name, pk: tasks.append((name, pk))
    )
    return tasks


@pytest.fixture
def secretariat_page(live_server, browser: Browser) -> Iterator:
    """A desktop page signed in as the secretariat (a session that passed the second factor)."""
    RegionFactory(code="asia-pacific", name="Asia & Pacific")
    MemberCityFactory(code="kr-seongnam", name_en="Seongnam", name_local="성남시")
    group, created = Group.objects.get_or_create(name="Secretariat")
    if created:  # a transactional test before this one flushed the migration's group
        group.permissions.set(
            Permission.objects.filter(content_type__app_label__in=["delegates", "registration"])
        )
    user = UserFactory(email="imports@wego.example", is_staff=True)
    user.groups.add(group)
    client = Client()
    client.force_login(user)  # tests/conftest.py: counts as signed in with the second factor
    contexts = []

    def open_page(language: str) -> Page:
        context = browser.new_context(
            viewport=DESKTOP, locale={"en": "en-GB", "ko": "ko-KR"}[language]
        )
        context.set_default_timeout(15_000)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                page.errors.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page: Page, language: str, name: str) -> None:
    folder = ARTIFACTS / language
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"city-import-{name}.png"), full_page=True)


def upload(page: Page, base: str, language: str, tmp_path: Path, name: str, content: bytes) -> None:
    prefix = "" if language == "en" else f"/{language}"
    page.goto(f"{base}{prefix}{IMPORT_PATH}")
    path = tmp_path / name
    path.write_bytes(content)
    page.set_input_files("input[name=import_file]", str(path))
    with page.expect_navigation():
        page.click(".submit-row input[type=submit]")


@pytest.mark.parametrize("language", ["en", "ko"])
def test_upload_progress_preview_confirm_and_done(
    live_server, secretariat_page, queued, tmp_path, language
):
    page = secretariat_page(language)
    t = lambda message: text_in(language, message)  # noqa: E731

    prefix = "" if language == "en" else f"/{language}"
    page.goto(f"{live_server.url}{prefix}{IMPORT_PATH}")
    shot(page, language, "1-upload")

    upload(page, live_server.url, language, tmp_path, "cities.csv", GOOD.encode())
    job = CityImportJob.objects.get()
    assert queued == [(city_imports.CHECK_CITY_IMPORT, job.pk)]
    expect(page.locator("#import-status")).to_have_text(t("Waiting to be read"))
    shot(page, language, "2-waiting")

    # The worker has started: the page follows its count of checked rows.
    CityImportJob.objects.filter(pk=job.pk).update(status="checking", rows=133)
    cache.set(job.progress_key, 57)
    expect(page.locator("#import-done")).to_have_text("57", timeout=5000)
    expect(page.locator("#import-status")).to_have_text(t("Reading and checking the rows"))
    shot(page, language, "3-checking")

    CityImportJob.objects.filter(pk=job.pk).update(status="queued", attempts=0)
    city_imports.city_import_check(job_id=job.pk)
    # The page reloads by itself once the worker is done: the preview and the button.
    expect(page.locator("input[name=confirm]")).to_be_visible()
    expect(page.locator("table.import-preview")).to_contain_text("수원시")
    expect(page.locator("table.import-preview tr.update")).to_contain_text("Seongnam")
    assert not MemberCity.objects.filter(code="kr-suwon").exists()
    shot(page, language, "4-preview")

    with page.expect_navigation():
        page.click("input[name=confirm]")
    expect(page.locator("#import-status")).to_have_text(t("Confirmed: waiting to be imported"))
    shot(page, language, "5-confirmed")
    city_imports.city_import_apply(job_id=job.pk)
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".messagelist")).to_contain_text("2")
    shot(page, language, "6-done")
    assert MemberCity.objects.get(code="kr-suwon").is_executive_committee
    assert MemberCity.objects.get(code="kr-seongnam").delegation_quota == 6
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_rejected_rows_and_a_wrong_encoding_are_explained(
    live_server, secretariat_page, queued, tmp_path, language
):
    page = secretariat_page(language)

    upload(page, live_server.url, language, tmp_path, "cities.csv", BAD.encode())
    city_imports.city_import_check(job_id=CityImportJob.objects.get().pk)
    expect(page.locator("td.errors").first).to_be_visible()
    rows = page.locator("table.import-preview tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first.locator("td").first).to_have_text("3")
    expect(page.locator("input[name=confirm]")).to_have_count(0)
    wait_for_true(page, "() => document.querySelector('td.errors li li') !== null")
    shot(page, language, "7-rejected-rows")

    upload(page, live_server.url, language, tmp_path, "korean-excel.csv", euc_kr_csv())
    city_imports.city_import_check(job_id=CityImportJob.objects.latest("pk").pk)
    expect(page.locator(".city-import-errors")).to_contain_text("EUC-KR")
    shot(page, language, "8-wrong-encoding")

    page.goto(f"{live_server.url}{'' if language == 'en' else '/ko'}{IMPORT_PATH}")
    expect(page.locator(".city-import-recent tbody tr")).to_have_count(2)
    shot(page, language, "9-recent")
    assert not MemberCity.objects.exclude(code="kr-seongnam").exists()
    assert page.errors == []  # type: ignore[attr-defined]
