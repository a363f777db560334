"""What a delegate's badge shows, as plain data: no rendering, no queries and no writes here.

`badge_context()` turns the plain facts a service has read (`BadgeFacts`) into every printed field
as a dict of strings, so that the same dict feeds the template and `badge_content_hash()`: a badge
is rebuilt exactly when something it prints changes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import segno
from django.utils import dateformat, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image

# Raise when the template or the stylesheet changes what a badge looks like: every stored badge
# then counts as out of date and is rebuilt on its next use.
BADGE_LAYOUT_VERSION = "2019.2"

# Badges are printed for an international meeting, so they are in English whatever the language
# of the request or the worker that builds them.
BADGE_LANGUAGE = "en"


@dataclass(frozen=True)
class CategoryStyle:
    label: Promise
    colour: str
    text_colour: str


# One clearly different colour per category; every pair stays apart for the common colour-vision
# deficiencies by lightness as well as hue, and the printed label says it in words anyway. Keyed by
# the values of registration.models.Category (a test keeps the two alike), so that rendering
# needs no models.
CATEGORY_STYLES: dict[str, CategoryStyle] = {
    "vip": CategoryStyle(_("VIP"), "#B3122E", "#FFFFFF"),
    "excom": CategoryStyle(_("Executive Committee"), "#5B2A86", "#FFFFFF"),
    "delegate": CategoryStyle(_("Delegate"), "#0B5CAD", "#FFFFFF"),
    "speaker": CategoryStyle(_("Speaker"), "#F29F05", "#1A1A1A"),
    "observer": CategoryStyle(_("Observer"), "#8A9199", "#FFFFFF"),
    "press": CategoryStyle(_("Press"), "#0E8A3E", "#FFFFFF"),
    "partner": CategoryStyle(_("Partner"), "#00A6A6", "#FFFFFF"),
    "staff": CategoryStyle(_("Staff"), "#1F1F1F", "#FFFFFF"),
}
# A category without a style of its own (none today) prints like a delegate's.
DEFAULT_CATEGORY = "delegate"


# --- Scripts -----------------------------------------------------------------------------------

_SCRIPT_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "hangul": ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7AF)),
    "kana": ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F)),
    "han": ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F)),
    "arabic": (
        (0x0600, 0x06FF),
        (0x0750, 0x077F),
        (0x08A0, 0x08FF),
        (0xFB50, 0xFDFF),
        (0xFE70, 0xFEFF),
    ),
    "cyrillic": ((0x0400, 0x052F), (0x1C80, 0x1C8F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F)),
    "thai": ((0x0E00, 0x0E7F),),
    "devanagari": ((0x0900, 0x097F), (0xA8E0, 0xA8FF)),
}

# Order matters: Japanese names mix Han and Kana, Korean names may carry Hanja, so the script
# that only one language uses decides before the shared Han.
_SCRIPT_LANGS: tuple[tuple[str, str], ...] = (
    ("hangul", "ko"),
    ("kana", "ja"),
    ("han", "zh"),
    ("arabic", "ar"),
    ("cyrillic", "ru"),
    ("thai", "th"),
    ("devanagari", "hi"),
)


def _scripts_in(text: str) -> set[str]:
    found: set[str] = set()
    for char in text:
        code = ord(char)
        if code < 0x0400:
            continue
        for script, ranges in _SCRIPT_RANGES.items():
            if any(low <= code <= high for low, high in ranges):
                found.add(script)
                break
    return found


def detect_script_lang(text: str) -> str | None:
    """The language tag that picks the right glyphs and direction for a name, or None."""
    scripts = _scripts_in(text)
    for script, lang in _SCRIPT_LANGS:
        if script in scripts:
            return lang
    return None


def text_direction(lang: str | None) -> str:
    return "rtl" if lang == "ar" else "ltr"


# --- Fitting names -----------------------------------------------------------------------------

# Name size classes, largest first: (class, widest text in "narrow character" units). The badge is
# 95 mm wide inside its margins and a name may take two lines; the limits were set by printing
# names of each length and checking every line with `pdftotext -bbox` (see docs/badges.md).
_NAME_SIZES: tuple[tuple[str, float], ...] = (
    ("name-xxl", 18),
    ("name-xl", 26),
    ("name-l", 36),
    ("name-m", 50),
    ("name-s", 64),
    ("name-xs", 82),
    ("name-xxs", 104),
    ("name-xxxs", 130),
)
_NATIVE_SIZES: tuple[tuple[str, float], ...] = (
    ("native-l", 24),
    ("native-m", 36),
    ("native-s", 56),
    ("native-xs", 100),
)
# Past the smallest class a name is cut at a word and ends with an ellipsis rather than spill
# over the job title or the QR code.
_ELLIPSIS = "…"


def text_width_units(text: str) -> float:
    """How wide a text prints, counting a Latin lower-case letter as 1 and a CJK character as 2."""
    width = 0.0
    for char in text:
        if unicodedata.combining(char):
            continue
        if unicodedata.east_asian_width(char) in ("W", "F"):
            width += 2.0
        elif char.isupper() or char in "mwMW":
            width += 1.25
        elif char in " .,'-’iljtf":
            width += 0.6
        else:
            width += 1.0
    return width


def _fit(text: str, sizes: tuple[tuple[str, float], ...]) -> tuple[str, str]:
    """The size class for `text` and the text itself, shortened only past the smallest class."""
    width = text_width_units(text)
    for size_class, limit in sizes:
        if width <= limit:
            return size_class, text
    size_class, limit = sizes[-1]
    kept: list[str] = []
    for word in text.split():
        if text_width_units(" ".join([*kept, word, _ELLIPSIS])) > limit:
            break
        kept.append(word)
    if not kept:
        # One enormous word: cut it by characters instead.
        cut = ""
        for char in text:
            if text_width_units(cut + char + _ELLIPSIS) > limit:
                break
            cut += char
        return size_class, cut + _ELLIPSIS
    return size_class, " ".join(kept) + _ELLIPSIS


# --- Context -----------------------------------------------------------------------------------


def format_event_dates(starts_on: date, ends_on: date) -> str:
    """14–16 October 2019; 30 September – 2 October 2019; 30 December 2019 – 2 January 2020."""
    with translation.override(BADGE_LANGUAGE):
        if starts_on == ends_on:
            return dateformat.format(starts_on, "j F Y")
        if (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month):
            return f"{starts_on.day}–{dateformat.format(ends_on, 'j F Y')}"
        if starts_on.year == ends_on.year:
            return f"{dateformat.format(starts_on, 'j F')} – {dateformat.format(ends_on, 'j F Y')}"
        return f"{dateformat.format(starts_on, 'j F Y')} – {dateformat.format(ends_on, 'j F Y')}"


def qr_png_data_url(token: str) -> str:
    """The badge token as a QR code: a PNG of one pixel per module, as a data: URL.

    The badge draws it at 27 mm without smoothing (image-rendering: pixelated), so every module
    prints as a sharp square. A raster is a few milliseconds cheaper per badge than the same code
    as an SVG path, which WeasyPrint parses and strokes module row by module row.
    """
    # Error level Q survives a scratched or partly covered badge; the token is short enough that
    # the code stays at version 3 (29 modules), big enough per module for phone cameras.
    code = segno.make_qr(token, error="q", boost_error=False)
    size = len(code.matrix)
    # Dark modules black (0), light ones white (255); no quiet zone: the layout leaves room.
    pixels = bytes(0 if module else 255 for row in code.matrix for module in row)
    image = Image.frombytes("L", (size, size), pixels).convert("1")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass(frozen=True)
class BadgeFacts:
    """What a badge is made from, as the database holds it (registration.services.badges reads it).

    `honorific` and `country` are already the printed English words; `photo_path` is a local
    file or None.
    """

    event_name: str
    starts_on: date
    ends_on: date
    event_place: str
    honorific: str
    given_name: str
    family_name: str
    native_name: str
    job_title: str
    organisation: str
    city: str
    country: str
    category: str
    badge_token: str
    photo_path: str | None = None


def badge_context(facts: BadgeFacts) -> dict[str, Any]:
    """Everything the badge prints, as JSON-ready strings (None where a field is absent)."""
    with translation.override(BADGE_LANGUAGE):
        style = CATEGORY_STYLES.get(facts.category, CATEGORY_STYLES[DEFAULT_CATEGORY])
        category_label = str(style.label)

    latin_name = " ".join(p for p in (facts.given_name.strip(), facts.family_name.strip()) if p)
    full_name = " ".join(p for p in (facts.honorific, latin_name) if p)
    name_size, printed_name = _fit(full_name, _NAME_SIZES)

    native_name = facts.native_name.strip()
    if native_name.casefold() == latin_name.casefold():
        native_name = ""
    native_lang = detect_script_lang(native_name) if native_name else None
    native_size, printed_native = _fit(native_name, _NATIVE_SIZES) if native_name else ("", "")

    return {
        "layout_version": BADGE_LAYOUT_VERSION,
        "event_name": facts.event_name,
        "event_dates": format_event_dates(facts.starts_on, facts.ends_on),
        "event_place": facts.event_place,
        "honorific": facts.honorific,
        "full_name": printed_name,
        "name_size": name_size,
        "native_name": printed_native or None,
        "native_lang": native_lang,
        "native_dir": text_direction(native_lang) if native_name else None,
        "native_size": native_size or None,
        "job_title": facts.job_title.strip(),
        "organisation": facts.organisation.strip(),
        "city": facts.city,
        "country": facts.country,
        "category": facts.category,
        "category_label": category_label,
        "category_colour": style.colour,
        "category_text_colour": style.text_colour,
        "photo_path": facts.photo_path,
        # The QR code is drawn from the token when rendering; hashing the token is enough.
        "badge_token": facts.badge_token,
    }


def _file_identity(path: str | None) -> str | None:
    if not path:
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def badge_content_hash(context: dict[str, Any]) -> str:
    """sha256 over everything printed, the photo's bytes included (a new photo may keep its name)."""
    printed = {**context, "photo_sha256": _file_identity(context.get("photo_path"))}
    payload = json.dumps(printed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
