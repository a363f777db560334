"""Names that look like spreadsheet formulas reach the secretariat's files as text: CSV and XLSX,
the delegate export, the operational lists and the member-city export alike."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from delegates.cities import COLUMNS
from delegates.models import MemberCity
from delegates.selectors import SECRETARIAT_GROUP
from delegates.text import spreadsheet_safe, spreadsheet_text
from registration.exports import delegates_response
from registration.models import Registration
from tests.factories import MemberCityFactory, UserFactory

HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(1+1)", "+1+1", "-2+3", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_start_becomes_text_and_reads_back_as_written(value):
    safe = spreadsheet_safe(value)
    assert safe.startswith("'")
    assert spreadsheet_text(safe) == value


@pytest.mark.parametrize("value", ["Seoul", "박지훈", "O'Brien", "'quoted'", ""])
def test_ordinary_text_is_left_alone(value):
    assert spreadsheet_safe(value) == value
    assert spreadsheet_text(value) == value


def cells_of(content: bytes, fmt: str) -> list[str]:
    if fmt == "csv":
        rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
        return [cell for row in rows for cell in row]
    sheet = load_workbook(io.BytesIO(content)).active
    for row in sheet.iter_rows():
        for cell in row:
            # A string cell, never a formula (openpyxl marks those with data_type "f").
            assert cell.data_type != "f", cell.value
    return [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_delegate_export_carries_formula_names_as_text(fmt, city, submit):
    submit(city, given_name='=HYPERLINK("http://evil","click")', family_name="+1+1")
    response = delegates_response(registrations=Registration.objects.all(), fmt=fmt)
    cells = cells_of(response.content, fmt)
    assert '\'=HYPERLINK("http://evil","click")' in " ".join(cells)
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


@pytest.fixture
def secretariat_client(client, db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    client.force_login(user)
    return client


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_operational_lists_carry_formula_names_as_text(fmt, secretariat_client, city, submit):
    submit(city, given_name="@SUM(A1)", family_name="-2+3")
    response = secretariat_client.get(
        reverse("staff_list_download", args=["badge-collection", fmt])
    )
    assert response.status_code == 200
    cells = cells_of(response.content, fmt)
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


@pytest.mark.parametrize(("fmt", "name"), [("0", "csv"), ("1", "xlsx")])
def test_the_city_export_carries_formulas_as_text_and_imports_back_unchanged(
    secretariat_client, city, fmt, name, tmp_path
):
    MemberCityFactory(code="xx-formula", name_en="=cmd|' /C calc'!A0", region=city.region)
    exported = secretariat_client.post(
        reverse("admin:delegates_membercity_export"),
        {"format": fmt, "resource": "0", **{f"membercityresource_{c}": "on" for c in COLUMNS}},
    )
    assert exported.status_code == 200
    cells = cells_of(exported.content, name)
    assert "'=cmd|' /C calc'!A0" in cells
    path = tmp_path / f"export.{name}"
    path.write_bytes(exported.content)
    out = io.StringIO()
    call_command("import_cities", str(path), stdout=out)
    assert "rejected 0" in out.getvalue()
    assert MemberCity.objects.get(code="xx-formula").name_en == "=cmd|' /C calc'!A0"
