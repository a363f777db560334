"""Reading a member-city file within fixed bounds, before any row is checked.

A file from a person's upload can be anything: a zip bomb named .xlsx, a photo named .csv, a
spreadsheet saved in the wrong encoding, the wrong list altogether. Every limit here is checked
before the expensive step it protects: the size before a byte is read, the unpacked size of an
XLSX (from the zip's own directory) before openpyxl parses it, the number of rows while they are
read. Whatever is wrong is said as a CityFileError in words for the secretariat, never as a
traceback. The real list has about 133 cities; the limits are settings (CITY_IMPORT_*).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tablib
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from delegates.cities import COLUMNS, CityFileError, cell_text, columns_check

SUFFIXES = (".csv", ".xlsx")
# Beyond the documented columns, a few spare ones so that unknown names can still be reported;
# an XLSX may declare 16,384 columns, and openpyxl pads every row to what is declared.
MAX_COLUMNS = 2 * len(COLUMNS)
# The ratio applies from this unpacked size on: tiny files compress oddly and harm nobody.
RATIO_FROM_BYTES = 1024 * 1024
# Files that are certainly not text, by their first bytes.
BINARY_SIGNATURES = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
)


@dataclass(frozen=True)
class CityFileLimits:
    max_bytes: int
    max_rows: int
    max_unpacked_bytes: int
    max_ratio: int


def city_file_limits() -> CityFileLimits:
    return CityFileLimits(
        max_bytes=settings.CITY_IMPORT_MAX_BYTES,
        max_rows=settings.CITY_IMPORT_MAX_ROWS,
        max_unpacked_bytes=settings.CITY_IMPORT_MAX_UNPACKED_BYTES,
        max_ratio=settings.CITY_IMPORT_MAX_PACKING_RATIO,
    )


def city_file_check(*, name: str, size: int) -> str:
    """The file's suffix, once its name and size are acceptable; CityFileError otherwise."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise CityFileError(
            _(
                "“%(name)s” is not a CSV or XLSX file. Save the list from your spreadsheet as "
                "“CSV UTF-8” (.csv) or as an Excel workbook (.xlsx)."
            )
            % {"name": Path(name).name}
        )
    limit = city_file_limits().max_bytes
    if size > limit:
        raise CityFileError(
            _(
                "The file is %(size)s; a list of member cities is far smaller, and files of at "
                "most %(max)s are read. Check that it is the right file."
            )
            % {"size": filesizeformat(size), "max": filesizeformat(limit)}
        )
    if size == 0:
        raise CityFileError(_("The file is empty."))
    return suffix


def city_dataset(path: Path) -> tablib.Dataset:
    """A file on disk (manage.py import_cities, seed_demo), its size checked before reading."""
    city_file_check(name=path.name, size=path.stat().st_size)
    with path.open("rb") as handle:
        return city_dataset_read(handle.read(city_file_limits().max_bytes + 1), name=path.name)


def city_dataset_read(data: bytes, *, name: str) -> tablib.Dataset:
    """The rows of a CSV (UTF-8, with or without BOM) or XLSX (its first sheet) file.

    Line numbers are kept: a blank row between cities stays in the dataset (the import skips it
    but counts it), so messages name the line a spreadsheet shows. Blank rows at the end are
    dropped and count toward no limit.
    """
    suffix = city_file_check(name=name, size=len(data))
    limits = city_file_limits()
    rows = _csv_rows(data) if suffix == ".csv" else _xlsx_rows(data, limits)
    with closing(rows):
        return _dataset(enumerate(rows, start=1), limits)


def _dataset(lines: Iterator[tuple[int, list[Any]]], limits: CityFileLimits) -> tablib.Dataset:
    header = next(((line, row) for line, row in lines if _filled(row)), None)
    if header is None:
        raise CityFileError(_("The file is empty."))
    header_line, names = header[0], [cell_text(value).lower() for value in header[1]]
    while names and not names[-1]:
        names.pop()
    columns_check(names)
    # The import numbers rows from the line after the header: blank lines above it would shift
    # every message.
    dataset = tablib.Dataset(*([[""] * len(names)] * (header_line - 1)), headers=names)
    blank_run = 0
    cities = 0
    for line, row in lines:
        if not _filled(row):
            blank_run += 1
            continue
        if any(cell_text(value) for value in row[len(names) :]):
            raise CityFileError(
                _(
                    "Line %(line)d has values to the right of the last named column. Give "
                    "each column a name in the first row, or delete what is beside the table."
                )
                % {"line": line}
            )
        cities += 1
        if cities > limits.max_rows:
            raise CityFileError(
                _(
                    "The file has more than %(max)s rows; member cities are about 133. Check "
                    "that it is the right file."
                )
                % {"max": number_format(limits.max_rows, force_grouping=True)}
            )
        for _blank in range(blank_run):
            dataset.append([""] * len(names))
        blank_run = 0
        values = list(row[: len(names)])
        dataset.append(values + [""] * (len(names) - len(values)))
    if not cities:
        raise CityFileError(_("The file has column names but no cities below them."))
    return dataset


def _filled(row: Iterable[Any]) -> bool:
    return any(cell_text(value) for value in row)


# --- CSV --------------------------------------------------------------------------------------


def _not_utf8(data: bytes) -> CityFileError:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(data):
        encoding = "UTF-16"
    else:
        encoding = next(
            (
                label
                for codec, label in (("cp949", "EUC-KR"), ("cp1252", "Windows-1252"))
                if _decodes(data, codec)
            ),
            _("another encoding"),
        )
    return CityFileError(
        _(
            "The file is not saved as UTF-8 (it looks like %(encoding)s), so Korean and other "
            "letters would come out wrong. Save it as UTF-8 CSV: in Excel, “Save As” and choose "
            "“CSV UTF-8 (Comma delimited)”."
        )
        % {"encoding": encoding}
    )


def _looks_utf16(data: bytes) -> bool:
    # Mostly-ASCII text in UTF-16 without a byte order mark: every other byte is zero.
    sample = data[:512]
    half = len(sample) // 2
    return half >= 4 and max(sample[0::2].count(0), sample[1::2].count(0)) > half * 0.4


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _not_a_spreadsheet() -> CityFileError:
    return CityFileError(
        _(
            "This file is not a CSV or XLSX spreadsheet (it may be a picture, a PDF or another "
            "kind of file with the wrong name). Save the list from your spreadsheet as “CSV "
            "UTF-8” (.csv) or as an Excel workbook (.xlsx)."
        )
    )


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(data):
        raise _not_utf8(data)
    if data.startswith(BINARY_SIGNATURES) or b"\x00" in data:
        raise _not_a_spreadsheet()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8(data) from None
    first_line = next((line for line in io.StringIO(text) if line.strip()), "")
    # Excel in much of Europe separates with semicolons; a header shows which one is used.
    delimiter = max(",;\t", key=first_line.count) if first_line.count(",") == 0 else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        yield from reader
    except csv.Error as error:
        raise CityFileError(
            _("Line %(line)d cannot be read as CSV (%(error)s). Save the file again as UTF-8 CSV.")
            % {"line": reader.line_num, "error": error}
        ) from None


# --- XLSX -------------------------------------------------------------------------------------


def _xlsx_rows(data: bytes, limits: CityFileLimits) -> Iterator[list[Any]]:
    _xlsx_size_check(data, limits)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl's errors for a damaged file are of many kinds
        raise CityFileError(
            _(
                "This .xlsx file cannot be read; it may be damaged. Open it in Excel, save it "
                "again as .xlsx or as “CSV UTF-8”, and upload that."
            )
        ) from None
    try:
        if not book.worksheets:
            raise CityFileError(_("The file is empty."))
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            yield list(values)
    finally:
        book.close()


def _xlsx_size_check(data: bytes, limits: CityFileLimits) -> None:
    """Refuse a workbook whose parts unpack to far more than any list of cities needs.

    The sizes are the zip's own directory entries; zipfile never unpacks more than an entry
    declares, so they bound what openpyxl can be made to read.
    """
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise CityFileError(
            _(
                "This is an old Excel file (.xls) or a workbook protected with a password. Save "
                "it as an Excel workbook (.xlsx) without a password, or as “CSV UTF-8”."
            )
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _not_a_spreadsheet() from None
    if "xl/workbook.xml" not in names:
        raise _not_a_spreadsheet()
    unpacked = sum(entry.file_size for entry in entries)
    packed = max(1, sum(entry.compress_size for entry in entries))
    too_big = unpacked > limits.max_unpacked_bytes
    too_dense = unpacked >= RATIO_FROM_BYTES and unpacked > limits.max_ratio * packed
    if too_big or too_dense:
        raise CityFileError(
            _(
                "This workbook unpacks to %(size)s, far more than a list of member cities needs "
                "(a workbook may unpack to at most %(max)s, and to at most %(ratio)d times its "
                "own size). It is not read. Save the list again as a new .xlsx file or as "
                "“CSV UTF-8”."
            )
            % {
                "size": filesizeformat(unpacked),
                "max": filesizeformat(limits.max_unpacked_bytes),
                "ratio": limits.max_ratio,
            }
        )
