"""Member cities in the admin: counts for the current event, search, import with a preview, export.

The admin's import and `manage.py import_cities` run the same resource: a bad row is rejected by
both with the same words and the same line number, and neither saves any row of such a file.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from delegates.cities import COLUMNS
from delegates.models import MemberCity, Membership
from registration.models import Registration, State
from tests.factories import MemberCityFactory, RegionFactory, UserFactory

CHANGELIST = "admin:delegates_membercity_changelist"
IMPORT = "admin:delegates_membercity_import"
PROCESS = "admin:delegates_membercity_process_import"
EXPORT = "admin:delegates_membercity_export"

HEADER = ",".join(COLUMNS)


@pytest.fixture
def staff_client(client, db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    client.force_login(user)
    return client


@pytest.fixture
def asia(db):
    return RegionFactory(code="asia-pacific", name="Asia & Pacific")


def upload(client, content: bytes, name: str = "cities.csv", fmt: str = "0"):
    return client.post(
        reverse(IMPORT),
        {
            "import_file": SimpleUploadedFile(name, content),
            "format": fmt,
            "resource": "0",
        },
    )


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(reverse(PROCESS), {**form.initial})


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


def test_import_preview_then_confirm_creates_and_updates(staff_client, asia, city):
    content = (
        f"{HEADER}\n"
        "kr-suwon,Suwon,수원시,KR,asia-pacific,full,yes,4,,,,\n"
        f"{city.code},Seongnam,성남시,KR,{asia.code},associate,no,5,,,,yes\n"
    ).encode()

    preview = upload(staff_client, content)

    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert not MemberCity.objects.filter(code="kr-suwon").exists()  # nothing before confirming

    done = confirm(staff_client, preview)

    assert done.status_code == 302
    suwon = MemberCity.objects.get(code="kr-suwon")
    assert (suwon.name_local, suwon.is_executive_committee, suwon.delegation_quota) == (
        "수원시",
        True,
        4,
    )
    city.refresh_from_db()
    assert (city.membership, city.delegation_quota) == (Membership.ASSOCIATE, 5)
    assert city.history.count() >= 2  # who changed it, from the import


def test_import_with_errors_reports_each_row_and_applies_nothing(staff_client, asia):
    content = (
        f"{HEADER}\n"
        "kr-suwon,Suwon,수원시,KR,asia-pacific,full,yes,4,,,,\n"
        "xx-nowhere,Nowhere,,Atlantis,asia-pacific,full,,3,,,,\n"
        "kr-suwon,Suwon again,,KR,moon,gold,maybe,3,,not-an-email,,\n"
    ).encode()

    preview = upload(staff_client, content)

    assert preview.status_code == 200
    result = preview.context["result"]
    assert result.has_validation_errors()
    assert "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    # Numbered as lines of the file, like the command and the duplicate message do.
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(invalid) == {3, 4}
    assert "country" in invalid[3]
    assert {"code", "region", "membership", "executive_committee", "focal_point_email"} <= set(
        invalid[4]
    )
    page = preview.content.decode()
    assert "unknown country" in page
    assert "unknown region" in page
    assert "unknown membership" in page
    assert "is also on line 2" in page
    assert not MemberCity.objects.filter(code__in=["kr-suwon", "xx-nowhere"]).exists()


def test_import_without_a_required_column_is_refused(staff_client, asia):
    preview = upload(staff_client, b"code,name_en\nkr-suwon,Suwon\n")
    assert preview.status_code == 200
    result = preview.context["result"]
    assert result.has_errors()
    (error,) = result.base_errors
    assert str(error.error).startswith("Missing column(s): country, region. The first row")
    assert not result.invalid_rows and not result.row_errors()
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
def test_a_bad_row_is_rejected_alike_by_the_admin_and_the_command(
    staff_client, asia, tmp_path, bad_row
):
    content = f"{HEADER}\n{GOOD_ROW}\n{bad_row}\n"
    path = tmp_path / "cities.csv"
    path.write_text(content, encoding="utf-8")

    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("import_cities", str(path), stdout=out)
    heading, *command_messages = [line.strip() for line in out.getvalue().splitlines()]

    preview = upload(staff_client, content.encode())
    (row,) = preview.context["result"].invalid_rows
    admin_messages = [
        f"{name}: {message}" for name, messages in row.error_dict.items() for message in messages
    ]

    assert heading.startswith("rejected line 3 ") and row.number == 3
    assert command_messages and command_messages == admin_messages
    page = preview.content.decode()
    assert all(
        escape(message) in page for messages in row.error_dict.values() for message in messages
    )
    assert preview.context.get("confirm_form") is None
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


def test_import_xlsx(staff_client, asia):
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    sheet.append(["jp-kyoto", "Kyoto", "京都市", "JP", "asia-pacific", "full", True, 3])
    buffer = io.BytesIO()
    book.save(buffer)

    preview = upload(staff_client, buffer.getvalue(), name="cities.xlsx", fmt="1")
    assert not preview.context["result"].has_validation_errors(), preview.context[
        "result"
    ].invalid_rows
    confirm(staff_client, preview)

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
