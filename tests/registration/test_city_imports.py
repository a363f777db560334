"""The city import as a worker job: hostile files through the admin, the job's life, who may.

Tasks run in-process in tests: an upload's check (and a confirmation's import) runs as soon as
the job commits, through the same service the worker runs.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from delegates import city_files
from delegates.models import MemberCity
from registration.models import CityImportJob, private_storage
from registration.services.city_imports import (
    MAX_CITY_IMPORT_ATTEMPTS,
    city_import_apply,
    city_import_check,
    city_import_confirm,
    city_imports_sweep,
)
from tests import hostile_files
from tests.factories import RegionFactory, UserFactory
from tests.hostile_files import GOOD_ROW, HEADER

Status = CityImportJob.Status
IMPORT = "admin:delegates_membercity_import"
JOB = "admin:delegates_membercity_import_job"
STATUS = "admin:delegates_membercity_import_status"
CONFIRM = "admin:delegates_membercity_import_confirm"
GOOD_FILE = f"{HEADER}\n{GOOD_ROW}\n".encode()


@pytest.fixture
def secretariat(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


@pytest.fixture
def staff_client(client, secretariat):
    client.force_login(secretariat)
    return client


@pytest.fixture
def asia(db):
    return RegionFactory(code="asia-pacific", name="Asia & Pacific")


@pytest.fixture
def post_file(staff_client, django_capture_on_commit_callbacks):
    def _post(content: bytes, name: str, *, run_worker: bool = True):
        with django_capture_on_commit_callbacks(execute=run_worker):
            return staff_client.post(
                reverse(IMPORT), {"import_file": SimpleUploadedFile(name, content)}
            )

    return _post


def page_text(response) -> str:
    return response.content.decode().replace("\xa0", " ").replace("&quot;", '"')


# --- Hostile files through the admin -----------------------------------------------------------

HOSTILE_MESSAGES = {
    "zip-bomb.xlsx": "This workbook unpacks to 40.0 MB",
    "60000-rows.csv": "The file has more than 2,000 rows",
    "utf-16.csv": "Save it as UTF-8 CSV",
    "euc-kr.csv": "(it looks like EUC-KR)",
    "windows-1252.csv": "(it looks like Windows-1252)",
    "wrong-columns.csv": "Missing column(s): name_en, region. Unknown column(s): name, notes.",
    "picture.csv": "This file is not a CSV or XLSX spreadsheet",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_MESSAGES))
def test_each_hostile_file_gets_its_message_and_nothing_is_applied(
    staff_client, post_file, asia, monkeypatch, name
):
    content = hostile_files.HOSTILE[name]()
    opened = []
    monkeypatch.setattr(city_files, "load_workbook", lambda *a, **k: opened.append(a))
    started = time.perf_counter()
    response = post_file(content, name)
    elapsed = time.perf_counter() - started

    job = CityImportJob.objects.get()
    assert response["Location"] == reverse(JOB, args=[job.pk])
    assert job.status == Status.REJECTED
    # Upload, store and check together, in-process: the worker would spend no more.
    assert elapsed < 2, f"{name}: {elapsed:.2f} s"
    page = page_text(staff_client.get(response["Location"]))
    assert HOSTILE_MESSAGES[name] in page
    assert "Rejected: nothing was imported" in page
    assert "Traceback" not in page and 'name="confirm"' not in page
    assert not MemberCity.objects.exists() and opened == []
    assert not job.file and not private_storage().listdir("city-imports")[1]


def test_a_file_over_the_size_limit_is_refused_beside_the_field_and_stored_nowhere(
    staff_client, post_file, settings
):
    settings.CITY_IMPORT_MAX_BYTES = 1024
    response = post_file(GOOD_FILE + b"#" * 1024, "cities.csv")
    assert response.status_code == 200
    assert "a list of member cities is far smaller" in page_text(response)
    assert response.context["form"].errors["import_file"]
    assert not CityImportJob.objects.exists()


@pytest.mark.parametrize("name", ["cities.xls", "cities.numbers", "cities.png"])
def test_a_file_of_another_kind_is_refused_beside_the_field(post_file, name):
    response = post_file(b"code\n", name)
    assert response.status_code == 200
    assert "is not a CSV or XLSX file" in page_text(response)
    assert not CityImportJob.objects.exists()


def test_the_upload_page_keeps_import_exports_look_and_lists_recent_imports(
    staff_client, post_file, asia
):
    post_file(GOOD_FILE, "cities.csv")
    page = staff_client.get(reverse(IMPORT))
    text = page_text(page)
    assert 'type="file" name="import_file"' in text
    assert "code, name_en, name_local, country, region" in text
    assert "At most 2.0 MB and 2000 rows." in text
    assert "cities.csv" in text and "Checked: waiting for your confirmation" in text


# --- The progress page and its status ----------------------------------------------------------


def test_status_json_while_waiting_and_once_checked(staff_client, post_file, asia):
    post_file(GOOD_FILE, "cities.csv", run_worker=False)
    job = CityImportJob.objects.get()
    private_storage().save(job.file.name, SimpleUploadedFile("c.csv", GOOD_FILE))

    page = staff_client.get(reverse(JOB, args=[job.pk]))
    text = page_text(page)
    assert 'id="city-import"' in text and 'data-working="1"' in text
    assert "staff/city_import.js" in text and "<script>" not in text  # CSP: own files only
    assert staff_client.get(reverse(STATUS, args=[job.pk])).json() == {
        "status": "queued",
        "status_label": "Waiting to be read",
        "working": True,
        "counting": False,
        "done": 0,
        "total": 0,
    }

    city_import_check(job_id=job.pk)

    state = staff_client.get(reverse(STATUS, args=[job.pk])).json()
    assert (state["status"], state["working"], state["done"], state["total"]) == (
        "ready",
        False,
        1,
        1,
    )
    text = page_text(staff_client.get(reverse(JOB, args=[job.pk])))
    assert 'data-working=""' in text and 'name="confirm"' in text


def test_an_unknown_job_is_404(staff_client, db):
    assert staff_client.get(reverse(JOB, args=[999])).status_code == 404
    assert staff_client.get(reverse(STATUS, args=[999])).status_code == 404


# --- Who may ------------------------------------------------------------------------------------


@pytest.fixture
def job(secretariat, post_file, asia):
    post_file(GOOD_FILE, "cities.csv")
    return CityImportJob.objects.get()


def every_view(client, job):
    return {
        "upload page": client.get(reverse(IMPORT)),
        "upload": client.post(
            reverse(IMPORT), {"import_file": SimpleUploadedFile("c.csv", GOOD_FILE)}
        ),
        "job page": client.get(reverse(JOB, args=[job.pk])),
        "status": client.get(reverse(STATUS, args=[job.pk])),
        "confirm": client.post(reverse(CONFIRM, args=[job.pk])),
    }


def test_staff_without_the_import_permission_get_403_everywhere(client, job, settings):
    # django-import-export's own rule, switched on: importing needs the model's "add".
    settings.IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
    desk = UserFactory(is_staff=True)
    desk.groups.add(Group.objects.get(name="Desk"))
    client.force_login(desk)

    responses = every_view(client, job)

    # The admin site itself refuses desk accounts (docs/roles.md), before any import view.
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 403)
    job.refresh_from_db()
    assert job.status == Status.READY and CityImportJob.objects.count() == 1


def test_the_views_ask_the_admins_own_import_permission(client, job, secretariat, monkeypatch):
    from registration.admin.cities import MemberCityAdmin

    monkeypatch.setattr(MemberCityAdmin, "has_import_permission", lambda self, request: False)
    client.force_login(secretariat)
    responses = every_view(client, job)
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 403)


def test_signed_out_people_are_sent_to_sign_in(client, job):
    client.logout()
    for name, response in every_view(client, job).items():
        assert response.status_code == 302, name
        assert "login" in response["Location"], name


def test_import_exports_own_confirm_step_is_gone(staff_client):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("admin:delegates_membercity_process_import")


# --- The job survives the worker ---------------------------------------------------------------


def test_each_step_is_safe_to_run_twice(job, secretariat, django_capture_on_commit_callbacks):
    assert city_import_check(job_id=job.pk).status == Status.READY
    assert city_import_check(job_id=job.pk).attempts == 1
    with django_capture_on_commit_callbacks(execute=True):
        city_import_confirm(job_id=job.pk, actor=secretariat)
        city_import_confirm(job_id=job.pk, actor=secretariat)  # a second click
    again = city_import_apply(job_id=job.pk)
    assert again.status == Status.DONE and again.attempts == 1
    assert again.report["totals"]["new"] == 1
    assert MemberCity.objects.get().history.count() == 1


def test_a_step_that_keeps_killing_its_worker_ends_failed(
    job, secretariat, django_capture_on_commit_callbacks
):
    name = job.file.name
    # As a worker killed mid-check leaves it: checking, its attempts counted.
    CityImportJob.objects.filter(pk=job.pk).update(
        status=Status.CHECKING, attempts=MAX_CITY_IMPORT_ATTEMPTS
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = city_import_check(job_id=job.pk)

    assert result.status == Status.FAILED
    assert "The worker stopped 3 times" in result.error
    assert not result.file and not private_storage().exists(name)
    assert city_import_check(job_id=job.pk).status == Status.FAILED


def test_a_row_that_turned_invalid_after_the_preview_applies_nothing(
    job, secretariat, asia, django_capture_on_commit_callbacks
):
    asia.delete()  # the region the file names is gone by the time it is confirmed
    with django_capture_on_commit_callbacks(execute=True):
        city_import_confirm(job_id=job.pk, actor=secretariat)
    job.refresh_from_db()
    assert job.status == Status.REJECTED
    assert job.report["rejected"][0]["line"] == 2
    assert job.report["rejected"][0]["errors"][0][0] == "region"
    assert not MemberCity.objects.exists()


def test_only_a_checked_job_can_be_confirmed(staff_client, post_file, secretariat):
    post_file(b"code\nx\n", "cities.csv")
    rejected = CityImportJob.objects.get()
    with pytest.raises(Exception, match="cannot be confirmed"):
        city_import_confirm(job_id=rejected.pk, actor=secretariat)
    page = staff_client.post(reverse(CONFIRM, args=[rejected.pk]), follow=True)
    assert "cannot be confirmed (Rejected: nothing was imported)" in page_text(page)


def test_an_unexpected_error_ends_the_job_with_its_reason(job, monkeypatch):
    from registration.services import city_imports

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(city_imports, "cities_preview", broken)
    CityImportJob.objects.filter(pk=job.pk).update(status=Status.QUEUED, attempts=0)

    result = city_import_check(job_id=job.pk)

    assert result.status == Status.FAILED
    assert "disk full" in result.error and result.finished_at is not None


def test_a_job_left_for_a_day_ends_and_its_file_is_deleted(job, django_capture_on_commit_callbacks):
    name = job.file.name
    assert private_storage().exists(name)
    CityImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        assert city_imports_sweep() == 1

    job.refresh_from_db()
    assert job.status == Status.FAILED and "not finished within a day" in job.error
    assert not job.file and not private_storage().exists(name)


def test_a_lost_task_is_queued_again(post_file, asia, django_capture_on_commit_callbacks):
    post_file(GOOD_FILE, "cities.csv", run_worker=False)  # the broker was down: nothing ran
    job = CityImportJob.objects.get()
    CityImportJob.objects.filter(pk=job.pk).update(changed_at=timezone.now() - timedelta(hours=1))
    private_storage().save(job.file.name, SimpleUploadedFile("c.csv", GOOD_FILE))

    with django_capture_on_commit_callbacks(execute=True):
        assert city_imports_sweep() == 1

    job.refresh_from_db()
    assert job.status == Status.READY


def test_messages_are_in_the_language_of_the_person_who_uploaded(
    staff_client, asia, django_capture_on_commit_callbacks
):
    # The request leaves Korean active in this thread; the override puts English back after.
    with translation.override("ko"), django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse(IMPORT),
            {"import_file": SimpleUploadedFile("c.csv", hostile_files.euc_kr_csv())},
        )
    job = CityImportJob.objects.get()
    assert job.language == "ko"
    assert "UTF-8" in job.error and "EUC-KR" in job.error and "파일" in job.error


@pytest.fixture
def import_queue():
    """A Redis database of this test's own for the worker's queue, empty before and after."""
    import redis

    from tests.registration.test_worker import redis_db_url

    url = redis_db_url()
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.mark.worker
@pytest.mark.xdist_group("worker")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_checks_and_imports_while_the_requests_return_at_once(client, import_queue):
    from tests.registration.test_worker import celery_publishing_to, running_worker, worker_env
    from tests.worker_support import wait_until

    RegionFactory(code="asia-pacific", name="Asia & Pacific")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    env = worker_env(redis_url=import_queue, smtp_url="smtp://127.0.0.1:9")

    def status(job) -> str:
        return client.get(reverse(STATUS, args=[job.pk])).json()["status"]

    with celery_publishing_to(import_queue), running_worker(env):
        started = time.monotonic()
        client.post(reverse(IMPORT), {"import_file": SimpleUploadedFile("c.csv", GOOD_FILE)})
        uploaded = time.monotonic() - started
        job = CityImportJob.objects.get()
        wait_until(lambda: status(job) not in ("queued", "checking"), 60, "the check")
        assert status(job) == "ready"
        started = time.monotonic()
        client.post(reverse(CONFIRM, args=[job.pk]))
        confirmed = time.monotonic() - started
        wait_until(lambda: status(job) not in ("confirmed", "applying"), 60, "the import")

    job.refresh_from_db()
    assert job.status == Status.DONE, job.error
    assert uploaded < 2 and confirmed < 2
    assert MemberCity.objects.get().code == "kr-suwon"
    assert not job.file


def test_a_stored_preview_cell_shows_only_its_marks_around_escaped_text():
    from registration.selectors.city_imports import _marked_cell

    stored = (
        "<span>Seo</span><ins>ul &amp; &lt;b&gt;</ins><del>x<br>y</del><script>alert(1)</script>"
    )
    assert str(_marked_cell(stored)) == (
        "<span>Seo</span><ins>ul &amp; &lt;b&gt;</ins><del>x<br>y</del>"
    )
