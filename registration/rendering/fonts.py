"""Compact copies of the Korean Noto font for badges, made once from the Debian font files.

Why: WeasyPrint subsets every embedded font keeping the glyph ids, so the cost of a subset grows
with the highest glyph id used. In Noto Sans CJK the Hangul syllables sit above glyph 50,000,
and a Korean name made the badge about three times slower than a Latin one (a 600 KB subset of
60 ms before compression). The copies made here hold only what Korean names, cities and
organisations use (Hangul, Latin, punctuation), numbered from zero, so the same subset takes a
few milliseconds. Anything else (Hanja, rare symbols) falls through to the full Noto Sans CJK KR
named next in badge.css, so nothing goes missing when these copies are absent or incomplete.

`manage.py build_badge_fonts` writes them into static/badges/fonts/ (not committed: they are
made from the installed fonts by `make install` and the Dockerfile).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

SOURCE_FAMILY = "Noto Sans CJK KR"
# Where Debian's fonts-noto-cjk puts the collections; fontconfig is asked when they are elsewhere.
DEBIAN_FONT_DIR = Path("/usr/share/fonts/opentype/noto")

# Basic Latin and Latin-1, Hangul Jamo, CJK punctuation, Hangul compatibility Jamo, the Hangul
# syllables, and full-width forms.
UNICODE_RANGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x1100, 0x11FF),
    (0x2010, 0x2027),
    (0x3000, 0x303F),
    (0x3130, 0x318F),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7A3),
    (0xD7B0, 0xD7FF),
    (0xFF01, 0xFF60),
)


@dataclass(frozen=True)
class BadgeFont:
    weight: str  # "Regular" or "Bold", as in the Debian file name
    file_name: str  # the compact copy, in static/badges/fonts/

    @property
    def source(self) -> Path:
        return DEBIAN_FONT_DIR / f"NotoSansCJK-{self.weight}.ttc"


BADGE_FONTS = (
    BadgeFont("Regular", "NotoSansCJKKR-Badge-Regular.otf"),
    BadgeFont("Bold", "NotoSansCJKKR-Badge-Bold.otf"),
)


def badge_fonts_dir() -> Path:
    return Path(settings.BASE_DIR) / "static" / "badges" / "fonts"


def _collection_index(path: Path, family: str) -> int:
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    for index, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == family:
            return index
    raise LookupError(f"{family} is not in {path}.")


def _build_one(font: BadgeFont, target: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    index = _collection_index(font.source, SOURCE_FAMILY)
    source = TTFont(str(font.source), fontNumber=index)
    options = subset.Options()
    options.layout_features = ["*"]  # Hangul shaping (jamo) and the usual Latin features
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(
        unicodes=[code for first, last in UNICODE_RANGES for code in range(first, last + 1)]
    )
    subsetter.subset(source)
    partial = target.with_suffix(".partial")
    source.save(str(partial))
    partial.replace(target)


def badge_fonts_build(*, target_dir: Path | None = None, force: bool = False) -> list[Path]:
    """Make the compact copies that are missing or older than their Debian source.

    Returns the files written. A missing source font is logged and skipped: badges then use the
    full Noto Sans CJK KR (slower, same look).
    """
    target_dir = target_dir or badge_fonts_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for font in BADGE_FONTS:
        target = target_dir / font.file_name
        if not font.source.exists():
            logger.warning("%s is missing: install fonts-noto-cjk.", font.source)
            continue
        if not force and target.exists() and target.stat().st_mtime >= font.source.stat().st_mtime:
            continue
        _build_one(font, target)
        written.append(target)
    return written
