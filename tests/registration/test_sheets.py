"""Bulk badge printing: the job, its build in the worker, progress, download, bounded attempts."""

from __future__ import annotations

import io
import time

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from pypdf import PdfReader

from registration.errors import RegistrationError
from registration.models import BadgeSheetJob, Registration, State
from registration.services.badge_sheets import (
    MAX_SHEET_ATTEMPTS,
    sheet_job_build,
    sheet_job_create,
)
from registration.services.registrations import registration_submit
from tests.factories import DelegateFactory, EventFactory, MemberCityFactory, UserFactory

Status = BadgeSheetJob.Status


@pytest.fixture
def secretariat(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


@pytest.fixture
def three_confirmed(submit, city):
    return [submit(city) for _ in range(3)]


def pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def test_create_keeps_only_confirmed_and_needs_a_layout(three_confirmed, secretariat):
    declined = three_confirmed[0]
    Registration.objects.filter(pk=declined.pk).update(state=State.DECLINED, holds_place=False)
    ids = [r.pk for r in three_confirmed]

    job = sheet_job_create(registration_ids=ids, layout="a6", actor=secretariat)

    assert job.registration_ids == ids[1:]
    assert (job.total, job.done, job.status) == (2, 0, Status.QUEUED)
    with pytest.raises(RegistrationError):
        sheet_job_create(registration_ids=ids, layout="poster", actor=secretariat)
    with pytest.raises(RegistrationError, match="None of the selected"):
        sheet_job_create(registration_ids=[declined.pk], layout="a6", actor=secretariat)


@pytest.mark.parametrize(("layout", "expected_pages"), [("a6", 3), ("a4_four_up", 1)])
def test_build_writes_the_pdf_and_the_progress(
    three_confirmed, secretariat, layout, expected_pages
):
    job = sheet_job_create(
        registration_ids=[r.pk for r in three_confirmed], layout=layout, actor=secretariat
    )

    built = sheet_job_build(job_id=job.pk)

    assert built.status == Status.DONE
    assert (built.done, built.total) == (3, 3)
    assert built.attempts == 1
    with built.pdf.open("rb") as handle:
        assert pages(handle.read()) == expected_pages


def test_build_is_idempotent(three_confirmed, secretariat):
    job = sheet_job_create(
        registration_ids=[r.pk for r in three_confirmed], layout="a6", actor=secretariat
    )
    first = sheet_job_build(job_id=job.pk)
    second = sheet_job_build(job_id=job.pk)
    assert second.pdf.name == first.pdf.name
    assert second.attempts == 1


def test_a_build_that_keeps_dying_ends_failed_after_the_bound(three_confirmed, secretariat):
    job = sheet_job_create(
        registration_ids=[r.pk for r in three_confirmed], layout="a6", actor=secretariat
    )
    # As a worker killed mid-build leaves it: running, its attempts counted.
    BadgeSheetJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, attempts=MAX_SHEET_ATTEMPTS
    )

    result = sheet_job_build(job_id=job.pk)

    assert result.status == Status.FAILED
    assert "never finished" in result.error


def test_a_delegate_declined_after_the_job_was_made_is_left_out(three_confirmed, secretariat):
    job = sheet_job_create(
        registration_ids=[r.pk for r in three_confirmed], layout="a6", actor=secretariat
    )
    Registration.objects.filter(pk=three_confirmed[1].pk).update(
        state=State.DECLINED, holds_place=False
    )

    built = sheet_job_build(job_id=job.pk)

    assert built.status == Status.DONE
    assert "no longer confirmed" in built.error
    with built.pdf.open("rb") as handle:
        assert pages(handle.read()) == 2


def test_progress_page_status_json_and_download(
    client, three_confirmed, secretariat, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=False):
        job = sheet_job_create(
            registration_ids=[r.pk for r in three_confirmed], layout="a6", actor=secretariat
        )

    page = client.get(reverse("staff_sheet", args=[job.pk]))
    assert page.status_code == 200
    assert b'<progress id="sheet-progress" max="3" value="0">' in page.content
    assert b"staff/sheet_job.js" in page.content
    status = client.get(reverse("staff_sheet_status", args=[job.pk])).json()
    assert status["status"] == "queued" and status["download_url"] is None
    assert client.get(reverse("staff_sheet_download", args=[job.pk])).status_code == 404

    sheet_job_build(job_id=job.pk)

    status = client.get(reverse("staff_sheet_status", args=[job.pk])).json()
    assert (status["status"], status["done"], status["total"], status["percent"]) == (
        "done",
        3,
        3,
        100,
    )
    download = client.get(status["download_url"])
    assert download["Content-Type"] == "application/pdf"
    assert pages(b"".join(download.streaming_content)) == 3


def test_the_task_runs_after_commit(
    three_confirmed, secretariat, django_capture_on_commit_callbacks
):
    # Eager in tests: the queued task builds the sheet once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        job = sheet_job_create(
            registration_ids=[r.pk for r in three_confirmed], layout="cr80", actor=secretariat
        )
    job.refresh_from_db()
    assert job.status == Status.DONE


def test_only_the_secretariat_sees_sheets(client, three_confirmed, secretariat, event):
    job = sheet_job_create(
        registration_ids=[r.pk for r in three_confirmed], layout="a6", actor=secretariat
    )
    assert client.get(reverse("staff_sheet", args=[job.pk])).status_code == 302
    assert client.get(reverse("staff_sheet_status", args=[job.pk])).status_code == 403
    desk = UserFactory(is_staff=True)
    desk.groups.add(Group.objects.get(name="Desk"))
    client.force_login(desk)
    assert client.get(reverse("staff_sheet", args=[job.pk])).status_code == 403
    assert client.get(reverse("staff_sheet_download", args=[job.pk])).status_code == 403


@pytest.fixture
def sheet_queue():
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
def test_a_real_worker_builds_the_sheet_after_the_request_returned(client, sheet_queue):
    from tests.registration.test_worker import celery_publishing_to, running_worker, worker_env
    from tests.worker_support import wait_until

    event = EventFactory()
    city = MemberCityFactory(delegation_quota=10)
    registrations = [
        registration_submit(delegate=DelegateFactory(city=city), event=event, data={}, actor=None)
        for _ in range(6)
    ]
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    env = worker_env(redis_url=sheet_queue, smtp_url="smtp://127.0.0.1:9")

    with celery_publishing_to(sheet_queue), running_worker(env):
        started = time.monotonic()
        response = client.post(
            reverse("admin:registration_registration_changelist"),
            {
                "action": "print_badges",
                "_selected_action": [r.pk for r in registrations],
                "apply": "1",
                "layout": "a4_four_up",
            },
        )
        answered = time.monotonic() - started
        job = BadgeSheetJob.objects.get()
        assert response["Location"] == reverse("staff_sheet", args=[job.pk])
        seen: set[tuple[str, int]] = set()

        def finished() -> bool:
            state = client.get(reverse("staff_sheet_status", args=[job.pk])).json()
            seen.add((state["status"], state["done"]))
            return state["status"] in ("done", "failed")

        wait_until(finished, 90, "the worker to build the sheet")

    job.refresh_from_db()
    assert job.status == Status.DONE, job.error
    assert answered < 5  # six badges render in the worker, not in the request
    download = client.get(reverse("staff_sheet_download", args=[job.pk]))
    assert pages(b"".join(download.streaming_content)) == 2
    assert ("done", 6) in seen


def test_an_unexpected_error_ends_the_job_as_failed(three_confirmed, secretariat, monkeypatch):
    from registration.services import badge_sheets

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(badge_sheets, "badge_sheet_write", broken)
    job = sheet_job_create(
        registration_ids=[r.pk for r in three_confirmed], layout="a6", actor=secretariat
    )

    result = sheet_job_build(job_id=job.pk)

    assert result.status == Status.FAILED
    assert "disk full" in result.error
    assert result.finished_at is not None
