"""Reading a member-city file within bounds: every hostile file is refused early, in words.

The same reader serves the worker's import and `manage.py import_cities`; the admin's side is in
tests/registration/test_city_imports.py.
"""

from __future__ import annotations

import time
import tracemalloc
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from delegates import city_files
from delegates.cities import COLUMNS, CityFileError
from delegates.city_files import city_dataset, city_dataset_read
from delegates.models import MemberCity
from tests import hostile_files
from tests.hostile_files import HEADER, KOREAN_ROWS, xlsx

NOT_UTF8 = "is not saved as UTF-8"
SAVE_AS_UTF8 = "Save it as UTF-8 CSV"


def refused(data: bytes, name: str) -> str:
    """The message for `data`, read as a file called `name`, and how little it took."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(CityFileError) as error:
            city_dataset_read(data, name=name)
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < 2, f"{name} took {elapsed:.1f} s to refuse"
    assert peak < 40 * 1024 * 1024, f"{name} took {peak / 1e6:.0f} MB to refuse"
    # File sizes are written with a no-break space before the unit.
    return str(error.value).replace("\xa0", " ")


def test_a_zip_bomb_is_refused_from_the_zip_directory_without_parsing(monkeypatch):
    bomb = hostile_files.zip_bomb_xlsx(unpacked_mb=40)
    assert len(bomb) < 600 * 1024  # a few hundred KB that unpack to 40 MB
    opened = []
    monkeypatch.setattr(city_files, "load_workbook", lambda *a, **k: opened.append(a) or 1 / 0)

    message = refused(bomb, "cities.xlsx")

    assert "unpacks to 40.0 MB" in message and "It is not read" in message
    assert opened == []
    # The patch is where the reader looks: an honest workbook does reach it.
    with pytest.raises(CityFileError):
        city_dataset_read(xlsx([list(COLUMNS), ["kr-suwon"]]), name="cities.xlsx")
    assert len(opened) == 1


def test_a_small_bomb_is_refused_for_its_ratio():
    bomb = hostile_files.zip_bomb_xlsx(unpacked_mb=12)
    message = refused(bomb, "cities.xlsx")
    assert "unpacks to 12.0 MB" in message and "100 times its own size" in message


def test_sixty_thousand_rows_stop_at_the_row_limit():
    message = refused(hostile_files.many_rows_csv(60_000), "cities.csv")
    assert message.startswith("The file has more than 2,000 rows")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.CITY_IMPORT_MAX_BYTES = 1000
    message = refused(b"x" * 1001, "cities.csv")
    assert "The file is 1001" in message and "at most 1000" in message


@pytest.mark.parametrize(
    ("build", "encoding"),
    [
        (hostile_files.utf16_csv, "UTF-16"),
        (hostile_files.euc_kr_csv, "EUC-KR"),
        (hostile_files.windows_1252_csv, "Windows-1252"),
    ],
)
def test_a_csv_in_another_encoding_is_asked_for_in_utf8(build, encoding):
    message = refused(build(), "cities.csv")
    assert f"{NOT_UTF8} (it looks like {encoding})" in message
    assert SAVE_AS_UTF8 in message


def test_utf16_without_a_byte_order_mark_is_recognised():
    message = refused(KOREAN_ROWS.encode("utf-16-le"), "cities.csv")
    assert "UTF-16" in message


def test_wrong_columns_name_what_is_missing_unknown_and_expected():
    message = refused(hostile_files.wrong_columns_csv(), "cities.csv")
    assert "Missing column(s): name_en, region." in message
    assert "Unknown column(s): name, notes." in message
    assert "Column(s) named twice: notes." in message
    assert ", ".join(COLUMNS) in message


@pytest.mark.parametrize(
    ("data", "name"),
    [
        pytest.param(hostile_files.png_named_csv(), "cities.csv", id="png-as-csv"),
        pytest.param(hostile_files.png_named_csv(), "cities.xlsx", id="png-as-xlsx"),
        pytest.param(b"not a spreadsheet", "cities.xlsx", id="text-as-xlsx"),
        pytest.param(xlsx([list(COLUMNS)]), "cities.csv", id="xlsx-as-csv"),
    ],
)
def test_a_file_that_is_no_spreadsheet_is_named_so(data, name):
    assert "is not a CSV or XLSX spreadsheet" in refused(data, name)


def test_an_old_excel_file_is_named_so():
    assert "old Excel file (.xls)" in refused(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "c.xlsx"
    )


@pytest.mark.parametrize("name", ["cities.xls", "cities.json", "cities.png", "cities"])
def test_other_kinds_of_file_are_refused_by_name(name):
    assert "is not a CSV or XLSX file" in refused(b"code\n", name)


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "cities.csv", "The file is empty."),
        (b"\n\n  \n", "cities.csv", "The file is empty."),
        (b"\xef\xbb\xbf", "cities.csv", "The file is empty."),
        (f"{HEADER}\n,,,\n".encode(), "cities.csv", "column names but no cities"),
        (xlsx([]), "cities.xlsx", "The file is empty."),
        (xlsx([list(COLUMNS)]), "cities.xlsx", "column names but no cities"),
    ],
)
def test_an_empty_file_is_named_so(data, name, expected):
    assert expected in refused(data, name)


def test_values_beside_the_table_are_refused_with_their_line():
    data = f"{HEADER}\n{hostile_files.GOOD_ROW},stray\n".encode()
    assert refused(data, "cities.csv").startswith("Line 2 has values to the right")


def test_a_broken_csv_quote_is_refused_with_its_line():
    data = f'{HEADER}\nkr-suwon,"Suwon"x,,KR,asia-pacific,,,,,,,\n'.encode()
    assert refused(data, "cities.csv").startswith("Line 2 cannot be read as CSV")


def test_blank_lines_keep_their_numbers_and_semicolons_are_understood():
    text = "\n" + HEADER.replace(",", ";") + "\n\n" + hostile_files.GOOD_ROW.replace(",", ";")
    dataset = city_dataset_read((text + "\n\n\n").encode(), name="c.csv")
    # The header is on line 2 and the city on line 4: the blank lines before it are kept so
    # that messages count lines as a spreadsheet does; those at the end are dropped.
    assert len(dataset) == 3
    assert dataset[2][0] == "kr-suwon" and not any(dataset[0]) and not any(dataset[1])


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(hostile_files.HOSTILE))
def test_the_command_refuses_each_hostile_file_in_words(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(hostile_files.HOSTILE[name]())
    started = time.perf_counter()
    with pytest.raises(CommandError) as error:
        call_command("import_cities", str(path), stdout=StringIO())
    assert time.perf_counter() - started < 3
    assert str(error.value).startswith(f"{path}: ")
    assert "Traceback" not in str(error.value)
    assert not MemberCity.objects.exists()


def test_the_command_checks_the_size_before_reading(tmp_path, settings, monkeypatch):
    settings.CITY_IMPORT_MAX_BYTES = 100
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 101)
    monkeypatch.setattr(type(path), "open", lambda *a, **k: pytest.fail("read before checked"))
    with pytest.raises(CityFileError, match="at most 100"):
        city_dataset(path)
