"""Files that a city import must refuse quickly and clearly, built in memory for the tests.

To try them in the admin by hand, write them to a folder:
`python manage.py shell -c "from tests.hostile_files import write_all; write_all('/tmp/files')"`.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from delegates.cities import COLUMNS

HEADER = ",".join(COLUMNS)
GOOD_ROW = "kr-suwon,Suwon,수원시,KR,asia-pacific,full,yes,4,,,,"
KOREAN_ROWS = (
    f"{HEADER}\n"
    "kr-suwon,Suwon,수원시,KR,asia-pacific,full,예,4,김민지,,,\n"
    "kr-goyang,Goyang,고양시,KR,asia-pacific,full,아니오,3,,,,\n"
)


def xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb_xlsx(*, unpacked_mb: int = 40, cells_per_row: int = 100) -> bytes:
    """A real workbook whose sheet XML is `unpacked_mb` of repeated cells, deflated small.

    Every part but the sheet is openpyxl's own, so only the size gives it away.
    """
    plain = zipfile.ZipFile(io.BytesIO(xlsx([["code", "name_en", "country", "region"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for entry in plain.infolist():
            if entry.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(entry.filename, plain.read(entry.filename))
                continue
            head, _rest = plain.read(entry.filename).split(b"<sheetData>")
            with bomb.open(entry.filename, "w", force_zip64=True) as sheet:
                sheet.write(head + b"<sheetData>")
                written, number = 0, 1
                while written < unpacked_mb * 1024 * 1024:
                    cells = b"".join(
                        b'<c r="A%d" t="inlineStr"><is><t>kr-city</t></is></c>' % number
                        for _ in range(cells_per_row)
                    )
                    row = b'<row r="%d">%s</row>' % (number, cells)
                    sheet.write(row)
                    written += len(row)
                    number += 1
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def many_rows_csv(rows: int = 60_000) -> bytes:
    """`rows` short, valid-looking rows: under the size limit, far over the row limit."""
    lines = [HEADER] + [f"c{n},C{n},,KR,europe,,,,,,," for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def utf16_csv() -> bytes:
    # What Excel's "Unicode text" and some exports write: UTF-16 with a byte order mark.
    return KOREAN_ROWS.encode("utf-16")


def euc_kr_csv() -> bytes:
    # What Korean Excel's plain "CSV (comma delimited)" writes.
    return KOREAN_ROWS.encode("euc-kr")


def windows_1252_csv() -> bytes:
    return f"{HEADER}\nfr-paris,Paris,Île-de-France,FR,europe,full,,3,,,,\n".encode("cp1252")


def wrong_columns_csv() -> bytes:
    return b"code,name,country,notes,notes\nkr-suwon,Suwon,KR,hello,again\n"


def png_named_csv() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (11, 58, 110)).save(buffer, format="PNG")
    return buffer.getvalue()


HOSTILE = {
    "zip-bomb.xlsx": zip_bomb_xlsx,
    "60000-rows.csv": many_rows_csv,
    "utf-16.csv": utf16_csv,
    "euc-kr.csv": euc_kr_csv,
    "windows-1252.csv": windows_1252_csv,
    "wrong-columns.csv": wrong_columns_csv,
    "picture.csv": png_named_csv,
}


def write_all(folder: str) -> None:
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name, build in HOSTILE.items():
        (target / name).write_bytes(build())
