"""Member cities in the admin: counts for the current event, search, import with a preview, export.

The admin's import (checked and applied by the worker, in-process here) and `manage.py
import_cities` run the same resource: a bad row is rejected by both with the same words and the
same line number, and neither saves any row of such a file. The import job itself, hostile files
and permissions: test_city_imports.py.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from delegates.cities import COLUMNS
from delegates.models import MemberCity, Membership
from registration.models import CityImportJob, Registration, State
from tests.factories import MemberCityFactory, RegionFactory, UserFactory

CHANGELIST = "admin:delegates_membercity_changelist"
IMPORT = "admin:delegates_membercity_import"
JOB = "admin:delegates_membercity_import_job"
CONFIRM = "admin:delegates_membercity_import_confirm"
EXPORT = "admin:delegates_membercity_export"

HEADER = ",".join(COLUMNS)


@pytest.fixture
def staff_client(client, db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def asia(db):
    return RegionFactory(code="asia-pacific", name="Asia & Pacific")


@pytest.fixture
def upload(staff_client, django_capture_on_commit_callbacks):
    """Upload a file in the admin; the worker's check runs (in-process) once the job commits.
    Returns the job and its page."""

    def _upload(content: bytes, name: str = "cities.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(
                reverse(IMPORT), {"import_file": SimpleUploadedFile(name, content)}
            )
        job = CityImportJob.objects.latest("pk")
        assert response.status_code == 302
        assert response["Location"] == reverse(JOB, args=[job.pk])
        page = staff_client.get(response["Location"])
        assert page.status_code == 200
        job.refresh_from_db()
        return job, page

    return _upload


@pytest.fixture
def confirm(staff_client, django_capture_on_commit_callbacks):
    def _confirm(job):
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(reverse(CONFIRM, args=[job.pk]))
        assert response.status_code == 302
        job.refresh_from_db()
        return staff_client.get(response["Location"])

    return _confirm


def messages_of(job) -> dict[int, list[str]]:
    """Each rejected line's messages as the command prints them: "column: message"."""
    return {
        row["line"]: [f"{column}: {message}" for column, message in row["errors"]]
        for row in job.report["rejected"]
    }


def test_counts_are_for_the_current_event(staff_client, event, submit):
    busy = MemberCityFactory(name_en="Busan", delegation_quota=2)
    for _ in range(3):
        submit(busy)  # two confirmed within quota, one waitlisted
    declined = submit(busy)
    Registration.objects.filter(pk=declined.pk).update(state=State.DECLINED, holds_place=False)

    response = staff_client.get(reverse(CHANGELIST), {"q": "Busan"})

    (row,) = response.context["cl"].result_list
    assert (row.registered_count, row.confirmed_count, row.waitlisted_count) == (3, 2, 1)
    page = response.content.decode()
    assert "registered" in page and "waitlisted" in page


def test_search_in_the_local_script(staff_client, city):
    MemberCityFactory(name_en="Ulaanbaatar", name_local="Улаанбаатар")
    response = staff_client.get(reverse(CHANGELIST), {"q": "성남"})
    assert [c.name_en for c in response.context["cl"].result_list] == ["Seongnam"]
    response = staff_client.get(reverse(CHANGELIST), {"q": "Улаан"})
    assert [c.name_en for c in response.context["cl"].result_list] == ["Ulaanbaatar"]


def test_import_preview_then_confirm_creates_and_updates(staff_client, upload, confirm, asia, city):
    content = (
        f"{HEADER}\n"
        "kr-suwon,Suwon,수원시,KR,asia-pacific,full,yes,4,,,,\n"
        f"{city.code},Seongnam,성남시,KR,{asia.code},associate,no,5,,,,yes\n"
    ).encode()

    job, preview = upload(content)

    assert job.status == CityImportJob.Status.READY
    assert job.report["totals"] == {"new": 1, "update": 1, "skip": 0, "rejected": 0}
    assert not MemberCity.objects.filter(code="kr-suwon").exists()  # nothing before confirming
    page = preview.content.decode()
    assert 'name="confirm"' in page and 'table class="import-preview"' in page
    assert "<ins>수원시</ins>" in page  # the new values, marked as import-export marks them

    done = confirm(job)

    assert job.status == CityImportJob.Status.DONE
    assert "Import finished: 1 new, 1 updated, 0 unchanged." in done.content.decode()
    suwon = MemberCity.objects.get(code="kr-suwon")
    assert (suwon.name_local, suwon.is_executive_committee, suwon.delegation_quota) == (
        "수원시",
        True,
        4,
    )
    city.refresh_from_db()
    assert (city.membership, city.delegation_quota) == (Membership.ASSOCIATE, 5)
    # Who imported it, although the worker had no request.
    assert city.history.latest("history_date").history_user == staff_client.user
    assert suwon.history.get().history_user == staff_client.user
    logged = LogEntry.objects.filter(user=staff_client.user).order_by("action_flag")
    assert [(e.action_flag, e.object_repr) for e in logged] == [
        (ADDITION, str(suwon)),
        (CHANGE, str(city)),
    ]
    assert not job.file  # the stored upload is gone


def test_import_with_errors_reports_each_row_and_applies_nothing(upload, asia):
    content = (
        f"{HEADER}\n"
        "kr-suwon,Suwon,수원시,KR,asia-pacific,full,yes,4,,,,\n"
        "xx-nowhere,Nowhere,,Atlantis,asia-pacific,full,,3,,,,\n"
        "kr-suwon,Suwon again,,KR,moon,gold,maybe,3,,not-an-email,,\n"
    ).encode()

    job, preview = upload(content)

    assert job.status == CityImportJob.Status.REJECTED
    # Numbered as lines of the file, like the command and the duplicate message do.
    invalid = {row["line"]: {c for c, _m in row["errors"]} for row in job.report["rejected"]}
    assert set(invalid) == {3, 4}
    assert "country" in invalid[3]
    assert {"code", "region", "membership", "executive_committee", "focal_point_email"} <= set(
        invalid[4]
    )
    page = preview.content.decode()
    assert 'name="confirm"' not in page
    assert "unknown country" in page
    assert "unknown region" in page
    assert "unknown membership" in page
    assert "is also on line 2" in page
    assert not MemberCity.objects.filter(code__in=["kr-suwon", "xx-nowhere"]).exists()
    assert not job.file


def test_import_without_a_required_column_is_refused(upload, asia):
    job, page = upload(b"code,name_en\nkr-suwon,Suwon\n")
    assert job.status == CityImportJob.Status.REJECTED
    assert job.error.startswith("Missing column(s): country, region.")
    assert "Missing column(s): country, region." in page.content.decode()
    assert not job.report
    assert not MemberCity.objects.filter(code="kr-suwon").exists()


GOOD_ROW = "kr-suwon,Suwon,수원시,KR,asia-pacific,full,yes,4,,,,"


@pytest.mark.parametrize(
    "bad_row",
    [
        pytest.param("xx-nowhere,Nowhere,,Atlantis,asia-pacific,full,,3,,,,", id="country"),
        pytest.param("kr-daegu,Daegu,,KR,moon,full,,3,,,,", id="region"),
        pytest.param("kr-daegu,Daegu,,KR,asia-pacific,gold,,3,,,,", id="membership"),
        pytest.param("kr-daegu,Daegu,,KR,asia-pacific,full,maybe,3,,,,", id="yes-no"),
        pytest.param("kr-daegu,Daegu,,KR,asia-pacific,full,,501,,,,", id="quota"),
        pytest.param("kr-daegu,Daegu,,KR,asia-pacific,full,,3,,not-an-email,,", id="email"),
        pytest.param("kr-suwon,Suwon again,,KR,asia-pacific,full,,3,,,,", id="duplicate"),
        pytest.param(",Nameless,,,asia-pacific,full,,3,,,,", id="required"),
        pytest.param("kr daegu!,Daegu,,KR,asia-pacific,full,,3,,,,", id="code"),
    ],
)
def test_a_bad_row_is_rejected_alike_by_the_admin_and_the_command(upload, asia, tmp_path, bad_row):
    content = f"{HEADER}\n{GOOD_ROW}\n{bad_row}\n"
    path = tmp_path / "cities.csv"
    path.write_text(content, encoding="utf-8")

    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("import_cities", str(path), stdout=out)
    heading, *command_messages = [line.strip() for line in out.getvalue().splitlines()]

    job, preview = upload(content.encode())

    assert heading.startswith("rejected line 3 ")
    assert command_messages and messages_of(job) == {3: command_messages}
    page = preview.content.decode()
    assert all(escape(message.split(": ", 1)[1]) in page for message in command_messages)
    assert 'name="confirm"' not in page
    assert not MemberCity.objects.exists()  # not even the good row, by either path


def test_an_export_imports_back_unchanged(staff_client, asia, tmp_path):
    MemberCityFactory(code="kr-suwon", name_en="Suwon", name_local="수원시", region=asia)
    MemberCityFactory(code="jp-kyoto", name_en="Kyoto", country="JP", region=asia, is_active=False)
    exported = staff_client.post(
        reverse(EXPORT),
        {"format": "0", "resource": "0", **{f"membercityresource_{c}": "on" for c in COLUMNS}},
    )
    path = tmp_path / "export.csv"
    path.write_bytes(exported.content)

    out = io.StringIO()
    call_command("import_cities", str(path), stdout=out)
    assert "created 0, updated 0, unchanged 2, rejected 0" in out.getvalue()


def test_import_xlsx(upload, confirm, asia):
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    sheet.append(["jp-kyoto", "Kyoto", "京都市", "JP", "asia-pacific", "full", True, 3])
    buffer = io.BytesIO()
    book.save(buffer)

    job, _page = upload(buffer.getvalue(), name="cities.xlsx")
    assert job.status == CityImportJob.Status.READY, job.report
    confirm(job)

    assert job.status == CityImportJob.Status.DONE
    kyoto = MemberCity.objects.get(code="jp-kyoto")
    assert kyoto.name_local == "京都市"
    assert kyoto.is_executive_committee


@pytest.mark.parametrize("fmt", ["0", "1"])
def test_export_has_the_import_columns(staff_client, city, fmt):
    response = staff_client.post(
        reverse(EXPORT),
        {"format": fmt, "resource": "0", **{f"membercityresource_{c}": "on" for c in COLUMNS}},
    )
    assert response.status_code == 200
    if fmt == "0":
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[0].split(",") == list(COLUMNS)
        assert "kr-seongnam,Seongnam,성남시,KR" in lines[1]
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert [c.value for c in sheet[1]] == list(COLUMNS)
        assert sheet[2][2].value == "성남시"


def test_city_list_without_an_event_shows_zero_counts(staff_client, city):
    response = staff_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    (row,) = response.context["cl"].result_list
    assert (row.registered_count, row.confirmed_count, row.waitlisted_count) == (0, 0, 0)
