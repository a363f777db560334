"""The compact Korean badge fonts: what they hold, when they are made, and that badges use them."""

from __future__ import annotations

import io
import os
import time
from datetime import date

from pypdf import PdfReader

from registration.rendering import fonts as badge_fonts
from registration.rendering.badge_content import BadgeFacts, badge_context
from registration.rendering.badge_pdf import render_badge_pdf
from registration.rendering.fonts import BADGE_FONTS, badge_fonts_dir


def korean_badge(native_name: str, organisation: str) -> bytes:
    facts = BadgeFacts(
        event_name="WeGO Executive Committee Meeting 2019",
        starts_on=date(2019, 10, 14),
        ends_on=date(2019, 10, 16),
        event_place="Seongnam",
        honorific="",
        given_name="Gildong",
        family_name="Hong",
        native_name=native_name,
        job_title="",
        organisation=organisation,
        city="Seongnam",
        country="South Korea",
        category="delegate",
        badge_token="token",
    )
    return render_badge_pdf(badge_context(facts))


def base_fonts(pdf: bytes) -> set[str]:
    return {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }


def test_hangul_comes_from_the_compact_korean_font_and_hanja_from_the_full_one():
    fonts_dir = badge_fonts_dir()
    missing = [f.file_name for f in BADGE_FONTS if not (fonts_dir / f.file_name).exists()]
    assert not missing, f"run `make badge-fonts` (manage.py build_badge_fonts): {missing}"
    # 洪 is a Hanja, outside the compact copy: the full Noto Sans CJK KR draws it.
    pdf = korean_badge("홍길동 洪", "성남시청")
    fonts = base_fonts(pdf)
    assert any(name.endswith("Noto-Sans-CJK-KR-Badge-Bold") for name in fonts), fonts
    assert any(name.endswith("Noto-Sans-CJK-KR-Badge") for name in fonts), fonts  # regular
    assert any(name.endswith("Noto-Sans-CJK-KR-Bold") for name in fonts), fonts
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "홍길동" in text and "洪" in text


def test_the_compact_korean_fonts_hold_every_hangul_syllable_with_low_glyph_ids():
    from fontTools.ttLib import TTFont

    for font in BADGE_FONTS:
        compact = TTFont(str(badge_fonts_dir() / font.file_name), lazy=True)
        cmap = compact.getBestCmap()
        assert all(code in cmap for code in range(0xAC00, 0xD7A4)), font.file_name
        # The point of the copy: glyph ids stay low, so WeasyPrint's subset stays small.
        assert len(compact.getGlyphOrder()) < 20_000, font.file_name


def test_badge_fonts_are_made_only_when_missing_or_older_than_their_source(tmp_path, monkeypatch):
    source = tmp_path / "NotoSansCJK-Bold.ttc"
    source.write_bytes(b"collection")
    font = badge_fonts.BadgeFont("Bold", "compact.otf")
    monkeypatch.setattr(badge_fonts, "BADGE_FONTS", (font,))
    monkeypatch.setattr(badge_fonts, "DEBIAN_FONT_DIR", tmp_path)
    built = []

    def fake_build(font, target):
        built.append(target.name)
        target.write_bytes(b"compact")

    monkeypatch.setattr(badge_fonts, "_build_one", fake_build)
    target_dir = tmp_path / "fonts"
    assert badge_fonts.badge_fonts_build(target_dir=target_dir) == [target_dir / "compact.otf"]
    assert badge_fonts.badge_fonts_build(target_dir=target_dir) == []  # up to date
    os.utime(source, (time.time() + 60, time.time() + 60))  # Debian updated the font
    assert badge_fonts.badge_fonts_build(target_dir=target_dir) == [target_dir / "compact.otf"]
    assert badge_fonts.badge_fonts_build(target_dir=target_dir, force=True)
    assert built == ["compact.otf"] * 3
    source.unlink()  # fonts-noto-cjk not installed: nothing made, no error
    assert badge_fonts.badge_fonts_build(target_dir=target_dir, force=True) == []
