"""Print sheets made from stored badge PDFs, without rendering anything again.

Each badge's first page is laid onto the sheet with pikepdf's page overlay, which scales it to
fit its slot and centres it: imposing 1,000 badges takes about a second, where rendering them
again takes tens of seconds.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pikepdf

MM = 72 / 25.4  # PDF points in a millimetre

A6 = (105 * MM, 148 * MM)
A4 = (210 * MM, 297 * MM)
# ISO/IEC 7810 ID-1 (CR80), held upright like the badge itself.
CR80 = (54 * MM, 85.6 * MM)

# Four-up: at least a margin every office printer can reach, and a gutter between badges wide
# enough for the cut marks, so the badges are printed at about 94 % of A6.
FOUR_UP_MARGIN = 4 * MM
FOUR_UP_GUTTER = 4 * MM
CUT_MARK_LENGTH = 3 * MM
CUT_MARK_OFFSET = 0.8 * MM  # the gap between a mark and the badge it belongs to

BadgeFile = str | os.PathLike[str] | bytes


@dataclass(frozen=True)
class Slot:
    """Where one badge goes on a sheet page: lower-left corner and the box it must fit."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Layout:
    page_size: tuple[float, float]
    slots: tuple[Slot, ...]
    copies: int = 1  # pages (or slots) each badge takes: 2 for front and back
    cut_marks: bool = False


def _four_up_slots() -> tuple[Slot, ...]:
    page_w, page_h = A4
    # Slots of the badge's own shape, as large as the margin and gutter allow, and the block of
    # four centred on the page: each badge fills its slot, so the cut marks at the slot's corners
    # are on the badge's edges (a slot of another shape would leave white between the two).
    scale = min(
        (page_w - 2 * FOUR_UP_MARGIN - FOUR_UP_GUTTER) / 2 / A6[0],
        (page_h - 2 * FOUR_UP_MARGIN - FOUR_UP_GUTTER) / 2 / A6[1],
    )
    width, height = A6[0] * scale, A6[1] * scale
    left = (page_w - 2 * width - FOUR_UP_GUTTER) / 2
    bottom = (page_h - 2 * height - FOUR_UP_GUTTER) / 2
    slots = []
    # Reading order: top left, top right, bottom left, bottom right.
    for row in (1, 0):
        for column in (0, 1):
            slots.append(
                Slot(
                    left + column * (width + FOUR_UP_GUTTER),
                    bottom + row * (height + FOUR_UP_GUTTER),
                    width,
                    height,
                )
            )
    return tuple(slots)


LAYOUTS: dict[str, Layout] = {
    "a6": Layout(A6, (Slot(0, 0, *A6),)),
    "a4_four_up": Layout(A4, _four_up_slots(), cut_marks=True),
    "cr80": Layout(CR80, (Slot(0, 0, *CR80),)),
    # The back is the same badge: a lanyard that turns round still shows the name.
    "a6_double_sided": Layout(A6, (Slot(0, 0, *A6),), copies=2),
}


def _open(badge_file: BadgeFile) -> pikepdf.Pdf:
    if isinstance(badge_file, bytes | bytearray):
        return pikepdf.open(io.BytesIO(badge_file))
    # Read whole: a thousand badges must not hold a thousand open file handles.
    return pikepdf.open(io.BytesIO(Path(badge_file).read_bytes()))


def _cut_marks(slot: Slot) -> bytes:
    """Short hairlines off each corner of a slot, in the gutter, never over the badge."""
    left, bottom = slot.x, slot.y
    right, top = slot.x + slot.width, slot.y + slot.height
    length, gap = CUT_MARK_LENGTH, CUT_MARK_OFFSET
    lines = []
    for x, y, dx, dy in (
        (left, top, -1, 1),
        (right, top, 1, 1),
        (left, bottom, -1, -1),
        (right, bottom, 1, -1),
    ):
        # Horizontal mark along the top or bottom edge, vertical one along the side.
        lines.append(f"{x + dx * gap:.3f} {y:.3f} m {x + dx * (gap + length):.3f} {y:.3f} l S")
        lines.append(f"{x:.3f} {y + dy * gap:.3f} m {x:.3f} {y + dy * (gap + length):.3f} l S")
    return ("q 0 G 0.25 w\n" + "\n".join(lines) + "\nQ\n").encode()


def _imposed(
    badge_files: Iterable[BadgeFile], layout: Layout
) -> tuple[pikepdf.Pdf, list[pikepdf.Pdf]]:
    """The sheet, and the source badges it copies from (open until the sheet is saved)."""
    out = pikepdf.new()
    sources: list[pikepdf.Pdf] = []
    places = [
        pikepdf.Rectangle(slot.x, slot.y, slot.x + slot.width, slot.y + slot.height)
        for slot in layout.slots
    ]
    page: pikepdf.Page | None = None
    used = 0

    def finish(page: pikepdf.Page, used: int) -> None:
        if layout.cut_marks:
            # Only the slots that hold a badge get marks: a half-empty last page stays clean.
            page.contents_add(b"".join(_cut_marks(slot) for slot in layout.slots[:used]))

    for badge_file in badge_files:
        source = _open(badge_file)
        sources.append(source)
        # One form XObject per badge, however many sides print it.
        badge = out.copy_foreign(source.pages[0].as_form_xobject())
        for _copy in range(layout.copies):
            if page is None or used == len(places):
                if page is not None:
                    finish(page, used)
                page = out.add_blank_page(page_size=layout.page_size)
                used = 0
            # A blank page has no drawing state to protect: no q/Q around every badge.
            page.add_overlay(badge, places[used], push_stack=False)
            used += 1
    if page is None:
        raise ValueError("No badges to print.")
    finish(page, used)
    return out, sources


def badge_sheet_write(
    *, badge_files: Iterable[BadgeFile], layout: str, target: str | os.PathLike[str] | BinaryIO
) -> None:
    """Write a print sheet of `badge_files` (stored PDF paths or bytes) to a path or file object."""
    if layout not in LAYOUTS:
        raise ValueError(f"Unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}.")
    pdf, sources = _imposed(badge_files, LAYOUTS[layout])
    try:
        # Badge streams are already compressed: copied as they are (not decoded and compressed
        # again), a thousand-badge sheet stays fast and small in memory.
        pdf.save(
            target,
            compress_streams=True,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
    finally:
        pdf.close()
        for source in sources:
            source.close()


def badge_sheet_pdf(*, badge_files: Iterable[BadgeFile], layout: str) -> bytes:
    """A print sheet of `badge_files` as bytes; for very many badges prefer badge_sheet_write."""
    buffer = io.BytesIO()
    badge_sheet_write(badge_files=badge_files, layout=layout, target=buffer)
    return buffer.getvalue()
