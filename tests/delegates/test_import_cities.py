"""`import_cities FILE`: idempotent upsert by code, every rejected row explained, all or nothing.

The rules themselves are those of the admin's import (the same resource, delegates/cities.py);
tests/registration/test_admin_cities.py checks that both say the same about a bad row.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from delegates.cities import COLUMNS
from delegates.models import MemberCity, Membership

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS) + "\n"
TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "city-import-template.csv"
GOYANG = "kr-goyang,Goyang,고양시,KR,asia-pacific,full,no,3,,,,yes\n"


def write(tmp_path, text, name="cities.csv"):
    path = tmp_path / name
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def run(*args):
    out = StringIO()
    call_command("import_cities", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def run_rejected(*args):
    out = StringIO()
    with pytest.raises(CommandError, match="Nothing was changed") as error:
        call_command("import_cities", *[str(a) for a in args], stdout=out)
    return out.getvalue(), str(error.value)


def test_the_documented_template_imports(tmp_path):
    output = run(TEMPLATE)
    assert "created 2, updated 0, unchanged 0, rejected 0" in output
    seongnam = MemberCity.objects.get(code="kr-seongnam")
    assert seongnam.name_local == "성남시"
    assert seongnam.is_executive_committee and seongnam.delegation_quota == 5
    assert seongnam.region.code == "asia-pacific"


def test_import_is_idempotent_updates_by_code_and_keeps_history(tmp_path):
    path = write(tmp_path, "kr-suwon,Suwon,수원시,KR,asia-pacific,full,no,3,,,,yes\n")
    assert "created 1" in run(path)
    assert "created 0, updated 0, unchanged 1" in run(path)
    path = write(tmp_path, "kr-suwon,Suwon City,수원시,KR,asia-pacific,full,no,4,,,,yes\n")
    assert "updated 1" in run(path)
    city = MemberCity.objects.get(code="kr-suwon")
    assert (city.name_en, city.delegation_quota) == ("Suwon City", 4)
    assert MemberCity.objects.count() == 1
    # Created, then changed once: the unchanged run and the dry runs leave no trace.
    assert [h.history_type for h in city.history.order_by("history_date")] == ["+", "~"]
    assert city.history.earliest("history_date").name_en == "Suwon"


def test_the_rules_of_a_row(tmp_path):
    path = write(
        tmp_path,
        "KR-Jeonju,  Jeonju , 전주시 ,South Korea,Asia & Pacific,Sister City,예,,"
        "Kim,Intl@Jeonju.Example,+82 63,아니오\n"
        "jp-kyoto,Kyoto,京都市,jp,ASIA-PACIFIC,associate,y,0,,,,\n",
    )
    assert "created 2, updated 0, unchanged 0, rejected 0" in run(path)
    jeonju = MemberCity.objects.get(code="kr-jeonju")
    assert (jeonju.name_en, jeonju.name_local, jeonju.country.code) == ("Jeonju", "전주시", "KR")
    assert jeonju.region.code == "asia-pacific"
    assert jeonju.membership == Membership.SISTER_CITY
    assert jeonju.is_executive_committee and not jeonju.is_active
    assert jeonju.delegation_quota == 3  # the default
    assert (jeonju.focal_point_name, jeonju.focal_point_email, jeonju.focal_point_phone) == (
        "Kim",
        "intl@jeonju.example",
        "+82 63",
    )
    kyoto = MemberCity.objects.get(code="jp-kyoto")
    assert (kyoto.country.code, kyoto.membership, kyoto.delegation_quota) == ("JP", "associate", 0)
    assert kyoto.is_executive_committee and kyoto.is_active


def test_rejected_rows_are_reported_with_line_and_reason_and_nothing_changes(tmp_path):
    path = write(
        tmp_path,
        GOYANG + "xx-nowhere,Nowhere,,XX,asia-pacific,full,no,3,,,,yes\n"
        "kr-daegu,Daegu,대구,KR,atlantis,full,maybe,-2,,not-an-email,,yes\n"
        ",,,,,,,,,,,\n"
        "kr-goyang,Goyang again,,KR,asia-pacific,full,no,3,,,,yes\n",
    )
    report, error = run_rejected(path)
    assert "created 0, updated 0, unchanged 0, rejected 3" in error
    assert "rejected line 3 (xx-nowhere)" in report and "unknown country 'XX'" in report
    assert "rejected line 4 (kr-daegu)" in report
    assert "region: unknown region 'atlantis' (known: " in report
    assert "executive_committee: 'maybe' is not yes or no" in report
    assert "focal_point_email: Enter a valid email address." in report
    assert "delegation_quota: Ensure this value is greater than or equal to 0." in report
    # The empty line 5 is no city, but it counts for the line numbers.
    assert "line 5" not in report
    assert "rejected line 6 (kr-goyang)" in report
    assert "code: 'kr-goyang' is also on line 2" in report
    assert not MemberCity.objects.exists()


def test_required_columns_and_values_too_long_are_rejected(tmp_path):
    path = write(
        tmp_path, f",,,KR,asia-pacific,,,,,,,\nkr-long,{'x' * 300},,KR,asia-pacific,,,,,,,\n"
    )
    report, _ = run_rejected(path)
    assert "rejected line 2 (no code):" in report
    assert "code: This field is required." in report
    assert "name_en: This field is required." in report
    assert "rejected line 3 (kr-long):" in report and "name_en: Ensure this value" in report


def test_partial_applies_the_good_rows(tmp_path):
    path = write(
        tmp_path,
        GOYANG + "xx-nowhere,Nowhere,,XX,asia-pacific,full,no,3,,,,yes\n"
        "kr-goyang,Goyang again,,KR,asia-pacific,full,no,3,,,,yes\n",
    )
    output = run(path, "--partial")
    assert "rejected line 3 (xx-nowhere)" in output
    assert "rejected line 4 (kr-goyang)" in output and "also on line 2" in output
    assert "created 1, updated 0, unchanged 0, rejected 2" in output
    assert list(MemberCity.objects.values_list("name_en", flat=True)) == ["Goyang"]


def test_missing_columns_unreadable_files_and_unknown_formats_are_explained(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\nx,y\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"Missing column\(s\): name_en, country, region\."):
        run(bad)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a spreadsheet")
    with pytest.raises(CommandError, match=r"not a CSV or XLSX spreadsheet"):
        run(broken)
    with pytest.raises(CommandError, match=r"“cities.json” is not a CSV or XLSX file"):
        run(write(tmp_path, "", name="cities.json"))
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "absent.csv")
    assert not MemberCity.objects.exists()


def test_a_csv_with_a_byte_order_mark_and_capitalised_headers(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + HEADER.upper() + GOYANG).encode("utf-8"))
    assert "created 1" in run(path)


def test_xlsx_files_import_too(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    sheet.append(
        ["ru-kazan", "Kazan", "Казань", "RU", "Europe", "associate", "yes", 4, "", "", "", "yes"]
    )
    sheet.append([None] * len(COLUMNS))
    sheet.append(["ru-moscow", "Moscow", "Москва", "RU", "Europe", "full", True, 3.0])
    sheet.append(["ru-omsk", "Omsk", "Омск", "RU", "Europe", "full", "perhaps", 3])
    path = tmp_path / "cities.xlsx"
    book.save(path)

    report, _ = run_rejected(path)
    # Line numbers are the spreadsheet's rows, the empty one included.
    assert "rejected line 5 (ru-omsk)" in report and "'perhaps' is not yes or no" in report

    assert "created 2, updated 0, unchanged 0, rejected 1" in run(path, "--partial")
    kazan = MemberCity.objects.get(code="ru-kazan")
    assert (kazan.name_local, kazan.membership, kazan.delegation_quota) == (
        "Казань",
        "associate",
        4,
    )
    assert MemberCity.objects.get(code="ru-moscow").is_executive_committee
