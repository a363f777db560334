"""`import_cities FILE`: idempotent upsert by code, every rejected row explained, all or nothing."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from delegates.models import MemberCity

pytestmark = pytest.mark.django_db

HEADER = (
    "code,name_en,name_local,country,region,membership,executive_committee,delegation_quota,"
    "focal_point_name,focal_point_email,focal_point_phone,active\n"
)
TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "city-import-template.csv"


def write(tmp_path, text, name="cities.csv"):
    path = tmp_path / name
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("import_cities", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_the_documented_template_imports(tmp_path):
    output = run(TEMPLATE)
    assert "created 2, updated 0, unchanged 0, rejected 0" in output
    seongnam = MemberCity.objects.get(code="kr-seongnam")
    assert seongnam.name_local == "성남시"
    assert seongnam.is_executive_committee and seongnam.delegation_quota == 5
    assert seongnam.region.code == "asia-pacific"


def test_import_is_idempotent_and_updates_by_code(tmp_path):
    path = write(tmp_path, "kr-suwon,Suwon,수원시,KR,asia-pacific,full,no,3,,,,yes\n")
    assert "created 1" in run(path)
    assert "created 0, updated 0, unchanged 1" in run(path)
    path = write(tmp_path, "kr-suwon,Suwon City,수원시,KR,asia-pacific,full,no,4,,,,yes\n")
    assert "updated 1" in run(path)
    city = MemberCity.objects.get(code="kr-suwon")
    assert (city.name_en, city.delegation_quota) == ("Suwon City", 4)
    assert MemberCity.objects.count() == 1


def test_rejected_rows_are_reported_with_line_and_reason_and_nothing_changes(tmp_path):
    path = write(
        tmp_path,
        "kr-goyang,Goyang,고양시,KR,asia-pacific,full,no,3,,,,yes\n"
        "xx-nowhere,Nowhere,,XX,asia-pacific,full,no,3,,,,yes\n"
        "kr-daegu,Daegu,대구,KR,atlantis,full,maybe,-2,,not-an-email,,yes\n"
        ",,,,,,,,,,,\n"
        "kr-goyang,Goyang again,,KR,asia-pacific,full,no,3,,,,yes\n",
    )
    with pytest.raises(CommandError, match="Nothing was changed"):
        run(path)
    assert not MemberCity.objects.exists()


def test_rejected_rows_name_every_problem(tmp_path, capsys):
    from io import StringIO

    path = write(
        tmp_path,
        "kr-goyang,Goyang,고양시,KR,asia-pacific,full,no,3,,,,yes\n"
        "xx-nowhere,Nowhere,,XX,asia-pacific,full,no,3,,,,yes\n"
        "kr-daegu,Daegu,대구,KR,atlantis,full,maybe,-2,,not-an-email,,yes\n"
        "kr-goyang,Goyang again,,KR,asia-pacific,full,no,3,,,,yes\n",
    )
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_cities", str(path), stdout=out)
    report = out.getvalue()
    assert "rejected line 3 (xx-nowhere)" in report and "unknown country 'XX'" in report
    assert "rejected line 4 (kr-daegu)" in report
    assert "unknown region 'atlantis'" in report
    assert "'maybe' is not yes or no" in report
    assert "focal_point_email: Enter a valid email address." in report
    assert "delegation_quota" in report
    assert "rejected line 5 (kr-goyang)" in report and "also on line 2" in report


def test_partial_applies_the_good_rows(tmp_path):
    path = write(
        tmp_path,
        "kr-goyang,Goyang,고양시,KR,asia-pacific,full,no,3,,,,yes\n"
        "xx-nowhere,Nowhere,,XX,asia-pacific,full,no,3,,,,yes\n",
    )
    output = run(path, "--partial")
    assert "created 1, updated 0, unchanged 0, rejected 1" in output
    assert list(MemberCity.objects.values_list("code", flat=True)) == ["kr-goyang"]


def test_missing_columns_and_unknown_formats_are_explained(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\nx,y\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing column"):
        run(bad)
    with pytest.raises(CommandError, match=r"use \.csv or \.xlsx"):
        run(write(tmp_path, "", name="cities.json"))
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "absent.csv")


def test_xlsx_files_import_too(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(
        ["ru-kazan", "Kazan", "Казань", "RU", "Europe", "associate", "yes", 4, "", "", "", "yes"]
    )
    path = tmp_path / "cities.xlsx"
    book.save(path)
    assert "created 1" in run(path)
    kazan = MemberCity.objects.get(code="ru-kazan")
    assert (kazan.name_local, kazan.membership, kazan.delegation_quota) == (
        "Казань",
        "associate",
        4,
    )
