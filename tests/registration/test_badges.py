"""The badge: what it prints, read from the registration, and that it reads back from the PDF.

Storing and rebuilding are in test_badge_storage.py, the fonts in test_badge_fonts.py.
"""

from __future__ import annotations

import io
import multiprocessing
import re
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from django.core.files.base import ContentFile
from django.utils import translation
from PIL import Image
from pypdf import PdfReader

from delegates.models import Delegate
from registration.models import Category, Event, Registration
from registration.rendering.badge_content import (
    CATEGORY_STYLES,
    BadgeFacts,
    badge_content_hash,
    badge_context,
    detect_script_lang,
    format_event_dates,
)
from registration.rendering.badge_pdf import badge_html, render_badge_pdf
from registration.services.badges import badge_facts, badge_pdf_bytes
from tests.factories import DelegateFactory, EventFactory, RegistrationFactory

A6_POINTS = (297.64, 419.53)


@pytest.fixture
def excom(db):
    return EventFactory(
        name="WeGO Executive Committee Meeting 2019",
        starts_on=date(2019, 10, 14),
        ends_on=date(2019, 10, 16),
        host_city="Seongnam",
    )


def make_registration(event, **delegate_fields):
    delegate = DelegateFactory(**delegate_fields)
    return RegistrationFactory(event=event, delegate=delegate)


def context_of(registration) -> dict:
    return badge_context(badge_facts(registration))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def base_fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def photo_bytes(colour=(200, 120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def render_png(pdf: bytes, dpi: int = 200) -> Image.Image:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "badge.pdf")
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", source, Path(folder, "page")],
            check=True,
        )
        return Image.open(Path(folder, "page.png")).copy()


def word_boxes(pdf: bytes) -> list[tuple[float, float, float, float, str]]:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "badge.pdf")
        source.write_bytes(pdf)
        html = subprocess.run(
            ["pdftotext", "-bbox", source, "-"], check=True, capture_output=True, text=True
        ).stdout
    return [
        (float(x0), float(y0), float(x1), float(y1), word)
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            html,
        )
    ]


# --- What the badge shows --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("은수미", "ko"),
        ("山田 太郎 / やまだ", "ja"),
        ("张伟", "zh"),
        ("محمد بن راشد", "ar"),
        ("Алексей Смирнов", "ru"),
        ("สมชาย ใจดี", "th"),
        ("अनिल कुमार", "hi"),
        ("José Ñúñez", None),
        ("", None),
    ],
)
def test_script_of_a_native_name_sets_its_language(text, lang):
    assert detect_script_lang(text) == lang


def test_event_dates_are_written_out_in_english():
    assert format_event_dates(date(2019, 10, 14), date(2019, 10, 16)) == "14–16 October 2019"
    assert format_event_dates(date(2019, 9, 30), date(2019, 10, 2)) == (
        "30 September – 2 October 2019"
    )


def test_every_category_has_its_own_colour_and_a_label():
    assert set(CATEGORY_STYLES) == set(Category.values)
    colours = [style.colour for style in CATEGORY_STYLES.values()]
    assert len(set(colours)) == len(colours)
    assert all(str(style.label) for style in CATEGORY_STYLES.values())


def test_context_holds_everything_printed(excom):
    registration = make_registration(
        excom,
        honorific="dr",
        given_name="Eunsu",
        family_name="Eun",
        native_name="은수미",
        job_title="Mayor",
        organisation="Seongnam City Hall",
    )
    context = context_of(registration)
    assert context["event_name"] == "WeGO Executive Committee Meeting 2019"
    assert context["event_dates"] == "14–16 October 2019"
    assert context["full_name"] == "Dr Eunsu Eun"
    assert context["native_name"] == "은수미"
    assert context["native_lang"] == "ko"
    assert context["job_title"] == "Mayor"
    assert context["organisation"] == "Seongnam City Hall"
    assert context["city"] == registration.city.name_en
    assert context["country"] == "South Korea"
    assert context["category_label"] == "Delegate"
    assert context["photo_path"] is None
    assert context["badge_token"] == registration.badge_token


def test_badge_facts_are_read_in_english_and_without_queries_once_loaded(
    excom, django_assert_num_queries
):
    registration = make_registration(excom, honorific="dr")
    loaded = Registration.objects.select_related("delegate__city", "city", "event").get(
        pk=registration.pk
    )
    # A Korean request (a staff member's download) must print, and hash, the same badge.
    with translation.override("ko"), django_assert_num_queries(0):
        context = context_of(loaded)
    assert context == context_of(registration)
    assert (context["honorific"], context["country"]) == ("Dr", "South Korea")


def test_a_badge_for_a_city_outside_the_members_prints_that_city():
    facts = badge_facts(
        Registration(
            event=Event(name="EXCOM", starts_on=date(2019, 10, 14), ends_on=date(2019, 10, 14)),
            delegate=Delegate(given_name="Ana", other_city="Lyon", other_country="FR"),
            badge_token="token",
        )
    )
    assert (facts.city, facts.country) == ("Lyon", "France")
    assert badge_context(facts)["event_dates"] == "14 October 2019"


def test_context_is_made_from_plain_values_alone():
    facts = BadgeFacts(
        event_name="EXCOM",
        starts_on=date(2019, 12, 30),
        ends_on=date(2020, 1, 2),
        event_place="Seongnam",
        honorific="",
        given_name="Eunsu",
        family_name="Eun",
        native_name="Eunsu Eun",  # the same as the Latin name: printed once
        job_title=" Mayor ",
        organisation="",
        city="Seongnam",
        country="South Korea",
        category="no-such-category",
        badge_token="token",
    )
    context = badge_context(facts)
    assert context["event_dates"] == "30 December 2019 – 2 January 2020"
    assert context["native_name"] is None
    assert context["job_title"] == "Mayor"
    assert context["category_label"] == "Delegate"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_name", "Eunji"),
        ("family_name", "Kim"),
        ("native_name", "은지"),
        ("honorific", "prof"),
        ("job_title", "Deputy Mayor"),
        ("organisation", "Gyeonggi Province"),
    ],
)
def test_content_hash_changes_with_any_printed_field(excom, field, value):
    registration = make_registration(excom, given_name="Eunsu", native_name="은수미")
    before = badge_content_hash(context_of(registration))
    setattr(registration.delegate, field, value)
    assert badge_content_hash(context_of(registration)) != before


def test_content_hash_changes_with_category_token_and_photo_bytes(excom):
    registration = make_registration(excom)
    first = badge_content_hash(context_of(registration))
    registration.category = Category.SPEAKER
    second = badge_content_hash(context_of(registration))
    registration.badge_token = "another-token"
    third = badge_content_hash(context_of(registration))
    registration.delegate.photo.save("a.jpg", ContentFile(photo_bytes()), save=False)
    fourth = badge_content_hash(context_of(registration))
    # Same file name, other picture: still a different badge.
    Path(registration.delegate.photo.path).write_bytes(photo_bytes((10, 10, 10)))
    fifth = badge_content_hash(context_of(registration))
    assert len({first, second, third, fourth, fifth}) == 5


# --- The rendered PDF ------------------------------------------------------------------------


def test_badge_pdf_prints_the_names_and_embeds_a_cjk_font_for_a_korean_name(excom):
    registration = make_registration(
        excom, given_name="Eunsu", family_name="Eun", native_name="은수미"
    )
    pdf = badge_pdf_bytes(registration=registration)

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width, 1), round(height, 1)) == (round(A6_POINTS[0], 1), round(A6_POINTS[1], 1))
    text = pdf_text(pdf)
    assert "Eunsu Eun" in text
    assert "은수미" in text
    assert "WeGO Executive Committee Meeting 2019" in text
    assert "DELEGATE" in text
    assert any("CJK-KR" in name for name in base_fonts(pdf)), base_fonts(pdf)


@pytest.mark.parametrize(
    ("native_name", "font"),
    [
        ("山田 太郎 / やまだ", "CJK-JP"),
        ("张伟", "CJK-SC"),
        ("محمد بن راشد", "Arabic"),
        ("สมชาย ใจดี", "Thai"),
        ("अनिल कुमार", "Devanagari"),
    ],
)
def test_each_script_is_drawn_with_its_own_noto_font(excom, native_name, font):
    registration = make_registration(excom, native_name=native_name)
    pdf = render_badge_pdf(context_of(registration))
    assert any(font in name for name in base_fonts(pdf)), base_fonts(pdf)


def test_qr_code_decodes_to_the_badge_token(excom):
    registration = make_registration(excom)
    pdf = render_badge_pdf(context_of(registration))
    results = zxingcpp.read_barcodes(render_png(pdf))
    assert [result.text for result in results] == [registration.badge_token]


def test_a_120_character_name_stays_on_the_badge_in_two_lines_above_the_qr_code(excom):
    given = "Maximilian Alexander Konstantin Friedrich Wilhelm Bartholomew"
    family = "von Hohenzollern Sigmaringen und Lichtenstein Waldburg Tra"
    registration = make_registration(excom, given_name=given, family_name=family)
    assert len(f"{given} {family}") == 120
    pdf = render_badge_pdf(context_of(registration))

    qr = zxingcpp.read_barcodes(render_png(pdf, dpi=200))[0]
    qr_top = min(qr.position.top_left.y, qr.position.top_right.y) * 72 / 200

    boxes = word_boxes(pdf)
    for x0, y0, x1, y1, word in boxes:
        assert 0 <= x0 < x1 <= A6_POINTS[0], word
        assert 0 <= y0 < y1 <= A6_POINTS[1], word
    name_words = set(f"{given} {family}".split())
    name_boxes = [box for box in boxes if box[4] in name_words]
    # Every word of the name is printed, none cut off with an ellipsis.
    assert {box[4] for box in name_boxes} == name_words
    assert all(y1 < qr_top for _x0, _y0, _x1, y1, _word in name_boxes)
    assert len({round(y0) for _x0, y0, _x1, _y1, _word in name_boxes}) <= 2


def test_a_name_too_long_for_two_lines_is_shortened_visibly(excom):
    registration = make_registration(
        excom, given_name="Alexandra " * 19, family_name="Konstantinopoulou " * 10
    )
    context = context_of(registration)
    assert context["full_name"].endswith("…")
    pdf = render_badge_pdf(context)
    lines = {round(box[1]) for box in word_boxes(pdf) if box[4].startswith("Alexandra")}
    assert 1 <= len(lines) <= 2


def test_html_in_a_name_is_printed_as_text(excom):
    registration = make_registration(
        excom,
        given_name="<b>Bob</b>",
        family_name="<script>alert(1)</script>",
        job_title='<img src="file:///etc/passwd">',
    )
    context = context_of(registration)
    html = badge_html(context)
    assert "<b>Bob</b>" not in html
    assert "&lt;b&gt;Bob&lt;/b&gt;" in html
    assert '<img src="file:///etc/passwd">' not in html
    # Joined across line breaks: a long name wraps.
    text = pdf_text(render_badge_pdf(context)).replace("\n", "")
    assert "<b>Bob</b>" in text
    assert "<script>alert(1)</script>" in text


def images(pdf: bytes) -> list[tuple[int, int]]:
    """Width and height in pixels of every image on the badge's pages."""
    return [
        (image.image.width, image.image.height)
        for page in PdfReader(io.BytesIO(pdf)).pages
        for image in page.images
    ]


def photos(pdf: bytes) -> int:
    """Images other than the QR code, which is one pixel per module (29 for the badge token)."""
    return sum(1 for size in images(pdf) if size != (29, 29))


def test_the_qr_code_is_one_sharp_pixel_per_module(excom):
    pdf = render_badge_pdf(context_of(make_registration(excom)))
    assert images(pdf) == [(29, 29)]
    reader = PdfReader(io.BytesIO(pdf))
    xobjects = reader.pages[0]["/Resources"]["/XObject"]
    qr = next(x.get_object() for x in xobjects.values())
    # No smoothing when scaled up: the modules stay square on paper and on screen.
    assert qr.get("/Interpolate") in (None, False)


def test_photo_is_printed_when_there_is_one(excom):
    registration = make_registration(excom)
    without = render_badge_pdf(context_of(registration))
    registration.delegate.photo.save("p.jpg", ContentFile(photo_bytes()), save=True)
    with_photo = render_badge_pdf(context_of(registration))

    assert photos(without) == 0
    assert photos(with_photo) == 1


def _render_in_child(context: dict) -> bytes:
    return render_badge_pdf(context)


def test_a_forked_worker_process_renders_after_its_parent_has(excom):
    context = context_of(make_registration(excom, native_name="은수미"))
    in_parent = render_badge_pdf(context)
    # Celery's prefork pool forks after the parent may have rendered: the child must not reuse
    # the parent's fontconfig state, and its badge must come out the same.
    with multiprocessing.get_context("fork").Pool(1) as pool:
        in_child = pool.apply(_render_in_child, (context,))
    assert pdf_text(in_child) == pdf_text(in_parent)
    assert base_fonts(in_child) == base_fonts(in_parent)
