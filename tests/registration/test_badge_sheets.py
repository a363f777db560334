"""Print sheets are imposed from the stored badge PDFs, never rendered again."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from pypdf import PdfReader

from registration.rendering import badge_pdf
from registration.rendering.sheet_layouts import badge_sheet_pdf, badge_sheet_write
from registration.services import badges as badge_services
from registration.services.badges import badge_ensure
from tests.factories import DelegateFactory, EventFactory, RegistrationFactory

MM = 72 / 25.4


@pytest.fixture
def stored_badges(db):
    event = EventFactory(starts_on=date(2019, 10, 14), ends_on=date(2019, 10, 16))
    names = [
        ("Eunsu", "은수미"),
        ("Wei", "张伟"),
        ("Taro", "山田 太郎"),
        ("Alexey", ""),
        ("Anil", ""),
    ]
    badges = []
    for given, native in names:
        registration = RegistrationFactory(
            event=event, delegate=DelegateFactory(given_name=given, native_name=native)
        )
        badges.append(badge_ensure(registration=registration))
    return badges


@pytest.fixture
def no_rendering(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a sheet must not render badges")

    monkeypatch.setattr(weasyprint.HTML, "render", refuse)
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", refuse)
    monkeypatch.setattr(badge_pdf, "render_badge_pdf", refuse)
    monkeypatch.setattr(badge_services, "render_badge_pdf", refuse)


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [
        (round(float(page.mediabox.width) / MM, 1), round(float(page.mediabox.height) / MM, 1))
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


@pytest.mark.parametrize(
    ("layout", "pages", "size_mm"),
    [
        ("a6", 5, (105.0, 148.0)),
        ("a4_four_up", 2, (210.0, 297.0)),
        ("cr80", 5, (54.0, 85.6)),
        ("a6_double_sided", 10, (105.0, 148.0)),
    ],
)
def test_sheet_has_the_pages_of_its_layout(stored_badges, no_rendering, layout, pages, size_mm):
    files = [badge.pdf.path for badge in stored_badges]
    pdf = badge_sheet_pdf(badge_files=files, layout=layout)
    assert page_sizes(pdf) == [size_mm] * pages


def test_sheet_prints_every_badge_once_per_side(stored_badges, no_rendering):
    files = [Path(badge.pdf.path).read_bytes() for badge in stored_badges]
    reader = PdfReader(io.BytesIO(badge_sheet_pdf(badge_files=files, layout="a6_double_sided")))
    texts = [page.extract_text() for page in reader.pages]
    for index, given in enumerate(["Eunsu", "Wei", "Taro", "Alexey", "Anil"]):
        front, back = texts[2 * index], texts[2 * index + 1]
        assert given in front
        assert front == back


def test_four_up_sheet_holds_four_badges_a_page_with_cut_marks(stored_badges, no_rendering):
    files = [badge.pdf.path for badge in stored_badges]
    reader = PdfReader(io.BytesIO(badge_sheet_pdf(badge_files=files, layout="a4_four_up")))
    first, second = reader.pages
    assert len(first["/Resources"]["/XObject"]) == 4
    assert len(second["/Resources"]["/XObject"]) == 1
    for given in ["Eunsu", "Wei", "Taro", "Alexey"]:
        assert given in first.extract_text()
    # Hairline strokes: eight per badge, two at each corner.
    assert first.get_contents().get_data().count(b" l S") == 32


def placed_badges(page: pikepdf.Page) -> list[tuple[float, float, float, float]]:
    """(left, bottom, right, top) of every badge drawn on a sheet page, read from its content."""
    boxes, matrix = [], pikepdf.Matrix()
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "cm":
            matrix = pikepdf.Matrix(*operands) @ matrix
        elif str(operator) == "Q":
            matrix = pikepdf.Matrix()
        elif str(operator) == "Do":
            xobject = page.Resources.XObject[operands[0]]
            form = pikepdf.Matrix(xobject.get("/Matrix", pikepdf.Array([1, 0, 0, 1, 0, 0])))
            llx, lly, urx, ury = (float(v) for v in xobject.BBox)
            corners = [(form @ matrix).transform((x, y)) for x in (llx, urx) for y in (lly, ury)]
            xs, ys = [x for x, _y in corners], [y for _x, y in corners]
            boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


def cut_marks(page: pikepdf.Page) -> set[tuple[float, float, float, float]]:
    """Every stroked line on the page, as rounded (x0, y0, x1, y1)."""
    lines, start = set(), None
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "m":
            start = tuple(float(v) for v in operands)
        elif str(operator) == "l" and start is not None:
            lines.add(tuple(round(v, 1) for v in (*start, *(float(v) for v in operands))))
    return lines


def test_cut_marks_lie_on_the_edges_of_each_badge_in_the_gutter(stored_badges, no_rendering):
    files = [badge.pdf.path for badge in stored_badges]
    sheet = pikepdf.open(io.BytesIO(badge_sheet_pdf(badge_files=files, layout="a4_four_up")))
    gap, length = 0.8 * MM, 3 * MM
    for page, count in zip(sheet.pages, (4, 1), strict=True):
        badges = placed_badges(page)
        assert len(badges) == count
        marks = cut_marks(page)
        expected = set()
        for left, bottom, right, top in badges:
            # About 94 % of A6, its proportions kept.
            assert round((right - left) / MM, 1) == 99.0
            assert abs((top - bottom) / (right - left) - 148 / 105) < 0.001
            corners = [(left, top, -1, 1), (right, top, 1, 1)]
            corners += [(left, bottom, -1, -1), (right, bottom, 1, -1)]
            for x, y, dx, dy in corners:
                # Along the badge's top or bottom edge, and along its side, off the corner.
                expected.add((x + dx * gap, y, x + dx * (gap + length), y))
                expected.add((x, y + dy * gap, x, y + dy * (gap + length)))
        assert marks == {tuple(round(v, 1) for v in line) for line in expected}
        # Every badge and mark is on the page, inside a 4 mm margin.
        for left, bottom, right, top in badges:
            assert left >= 4 * MM - 0.01 and right <= 206 * MM + 0.01
            assert bottom >= 4 * MM - 0.01 and top <= 293 * MM + 0.01


def test_sheet_can_be_written_to_a_file(stored_badges, no_rendering, tmp_path):
    target = tmp_path / "sheet.pdf"
    badge_sheet_write(
        badge_files=[badge.pdf.path for badge in stored_badges], layout="cr80", target=target
    )
    assert len(PdfReader(target).pages) == 5


def test_unknown_layout_and_empty_list_are_refused(stored_badges):
    with pytest.raises(ValueError, match="Unknown layout"):
        badge_sheet_pdf(badge_files=[stored_badges[0].pdf.path], layout="poster")
    with pytest.raises(ValueError, match="No badges"):
        badge_sheet_pdf(badge_files=[], layout="a6")
