"""Badge speed, memory and size: prints a table (a measurement, not a test).

    .venv/bin/python benchmarks/bench_badges.py [--sheet-badges 1000]

Needs no database: badges are rendered from contexts built on unsaved models, with a photo in a
temporary media folder. The sheet is imposed in a separate process, with Django loaded as in the
worker, so that its peak memory is its own (RUSAGE_CHILDREN), from stored badge files on disk, as
the print job reads them.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"badge_ms": 50, "sheet_s": 5, "sheet_mb": 400, "file_mb": 40}

# (honorific, given, family, native name, country, category): eight scripts.
PEOPLE = [
    ("mx", "Eunsu", "Eun", "은수미", "KR", "vip"),
    ("mr", "Wei", "Zhang", "张伟", "CN", "delegate"),
    ("mr", "Taro", "Yamada", "山田 太郎 / やまだ", "JP", "speaker"),
    ("he", "Mohammed", "bin Rashid", "محمد بن راشد", "AE", "excom"),
    ("dr", "Alexey", "Smirnov", "Алексей Смирнов", "RU", "observer"),
    ("ms", "Somchai", "Jaidee", "สมชาย ใจดี", "TH", "press"),
    ("mr", "Anil", "Kumar", "अनिल कुमार", "IN", "partner"),
    ("prof", "José", "Ñúñez Müller-Lüdenscheidt", "", "ES", "staff"),
]

# The sheet job as a worker runs it: Django loaded (as in the worker process), then the stored
# badge files imposed. Its peak is the peak of the job's whole process tree: it starts no others.
SHEET_SCRIPT = """
import os, sys, time, resource
sys.path.insert(0, sys.argv[1])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "excom.settings.test")
import django
django.setup()
from pathlib import Path
from registration.rendering.sheet_layouts import badge_sheet_write
files = Path(sys.argv[2]).read_text().split("\\n")
started = time.perf_counter()
badge_sheet_write(badge_files=files, layout="a4_four_up", target=sys.argv[3])
print(time.perf_counter() - started)
"""


def setup_django(media_root: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "excom.settings.test")
    os.environ["DJANGO_MEDIA_ROOT"] = str(media_root)
    import logging

    import django

    django.setup()
    # WeasyPrint logs every step at INFO; the table is what we want to see.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)


def make_photo(media_root: Path) -> str:
    from PIL import Image, ImageDraw

    folder = media_root / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (480, 600), (176, 196, 222))
    draw = ImageDraw.Draw(image)
    draw.ellipse((120, 90, 360, 370), fill=(226, 188, 160))
    draw.rectangle((70, 420, 410, 600), fill=(40, 60, 110))
    image.save(folder / "bench.jpg", quality=85)
    return "photos/bench.jpg"


def contexts(photo_name: str, with_photo: bool) -> list[dict]:
    from delegates.models import Delegate, MemberCity
    from registration.models import Event, Registration
    from registration.rendering.badge_content import badge_context
    from registration.services.badges import badge_facts

    event = Event(
        name="WeGO Executive Committee Meeting 2019",
        starts_on=date(2019, 10, 14),
        ends_on=date(2019, 10, 16),
        host_city="Seongnam",
    )
    result = []
    for number, (honorific, given, family, native, country, category) in enumerate(PEOPLE):
        delegate = Delegate(
            honorific=honorific,
            given_name=given,
            family_name=family,
            native_name=native,
            job_title="Director of Smart City Policy",
            organisation="City Hall",
            city=MemberCity(name_en="Example City", country=country),
        )
        if with_photo:
            delegate.photo.name = photo_name
        registration = Registration(
            event=event, delegate=delegate, category=category, badge_token=f"bench-{number:04d}"
        )
        result.append(badge_context(badge_facts(registration)))
    return result


def mb(kilobytes: int) -> float:
    return kilobytes / 1024  # ru_maxrss is in kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheet-badges", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-badges-"))
    try:
        setup_django(work / "media")
        from registration.rendering.badge_pdf import render_badge_pdf

        photo = make_photo(work / "media")
        with_photo = contexts(photo, with_photo=True)
        without_photo = contexts(photo, with_photo=False)

        started = time.perf_counter()
        render_badge_pdf(with_photo[0])
        cold = time.perf_counter() - started

        # A warm worker has met every script before: its fonts are loaded and cached once.
        for context in with_photo:
            render_badge_pdf(context)

        timings = []
        for run in range(args.runs):
            context = with_photo[run % len(with_photo)]
            started = time.perf_counter()
            render_badge_pdf(context)
            timings.append(time.perf_counter() - started)
        badge_ms = statistics.median(timings) * 1000

        # The stored badges the print job reads: every script, with and without a photo.
        stored = []
        for number, context in enumerate(with_photo + without_photo):
            path = work / "stored" / f"{number:02d}.pdf"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(render_badge_pdf(context))
            stored.append(path)
        sizes = [path.stat().st_size for path in stored]

        files = []
        for number in range(args.sheet_badges):
            # One file per badge, as in private storage, not one file read a thousand times.
            copy = work / "sheet-input" / f"{number:05d}.pdf"
            copy.parent.mkdir(exist_ok=True)
            shutil.copyfile(stored[number % len(stored)], copy)
            files.append(str(copy))
        list_file = work / "files.txt"
        list_file.write_text("\n".join(files))
        target = work / "sheet.pdf"
        started = time.perf_counter()
        output = subprocess.run(
            [sys.executable, "-c", SHEET_SCRIPT, str(ROOT), str(list_file), str(target)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        sheet_wall = time.perf_counter() - started
        sheet_inside = float(output.strip().splitlines()[-1])
        sheet_peak = mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        self_peak = mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        file_mb = target.stat().st_size / 1024 / 1024

        rows = [
            ("one badge, cold process (first render)", f"{cold * 1000:.0f} ms", ""),
            (
                f"one badge, warm, median of {args.runs} (8 scripts, photo)",
                f"{badge_ms:.1f} ms",
                f"<= {TARGETS['badge_ms']} ms",
            ),
            (
                "stored badge PDF size (min / median / max)",
                f"{min(sizes) / 1024:.0f} / {statistics.median(sizes) / 1024:.0f} / "
                f"{max(sizes) / 1024:.0f} KB",
                "",
            ),
            (
                f"{args.sheet_badges} badges -> A4 four-up, wall (incl. process start)",
                f"{sheet_wall:.2f} s",
                f"<= {TARGETS['sheet_s']} s",
            ),
            (
                f"{args.sheet_badges} badges -> A4 four-up, imposing only",
                f"{sheet_inside:.2f} s",
                "",
            ),
            (
                "sheet job peak memory (its whole process tree)",
                f"{sheet_peak:.0f} MB",
                f"<= {TARGETS['sheet_mb']} MB",
            ),
            (
                "this benchmark process (rendered the stored badges first)",
                f"{self_peak:.0f} MB",
                "",
            ),
            ("sheet file size", f"{file_mb:.1f} MB", f"<= {TARGETS['file_mb']} MB"),
        ]
        width = max(len(row[0]) for row in rows)
        print(f"{'badges':<{width}}  {'measured':>16}  target")
        print("-" * (width + 30))
        for label, value, target_text in rows:
            print(f"{label:<{width}}  {value:>16}  {target_text}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
