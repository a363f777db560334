"""Screenshots of the delegate-facing pages on a phone and a desktop, for a person to look at.

Not a test (pytest collects only test_*.py). Run it against a seeded development server:

    DATABASE_URL=sqlite:////tmp/ui.sqlite3 .venv/bin/python manage.py seed_demo
    DATABASE_URL=sqlite:////tmp/ui.sqlite3 .venv/bin/python manage.py runserver 127.0.0.1:8011 \
        > /tmp/ui-server.log 2>&1 &
    .venv/bin/python tests/browser/screens.py --base http://127.0.0.1:8011 --log /tmp/ui-server.log

It signs up a new person (reading the verification link from the server's console mail), registers
them as head of a delegation (a claim, which it then grants as the secretariat would, through
`manage.py shell` on --database-url), registers a colleague, and saves full-page PNGs to --out
(never the repository). It also prints, for every form error, whether the widget points at its
message.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.browser.chromium import CHROMIUM_ARGS, CHROMIUM_PATH

REPO = Path(__file__).resolve().parents[2]
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


class Shooter:
    def __init__(self, page: Page, out: Path) -> None:
        self.page = page
        self.out = out
        self.taken: list[Path] = []

    def __call__(self, name: str) -> None:
        for label, (width, height) in SIZES.items():
            self.page.set_viewport_size({"width": width, "height": height})
            self.page.wait_for_timeout(150)
            path = self.out / f"{name}-{label}.png"
            self.page.screenshot(path=str(path), full_page=True)
            self.taken.append(path)
            overflow = self.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                print(f"  ! {path.name}: page is {overflow}px wider than the viewport")
        self.page.set_viewport_size({"width": SIZES["phone"][0], "height": SIZES["phone"][1]})


def check_error_links(page: Page, name: str) -> None:
    """Every invalid widget names its error message, and the message exists."""
    problems = page.evaluate(
        """() => {
          const out = [];
          for (const el of document.querySelectorAll('[aria-invalid="true"]')) {
            const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
            const errorIds = ids.filter(id => /_error$/.test(id));
            if (!errorIds.length) out.push(el.id + ': no aria-describedby to an error');
            for (const id of ids) if (!document.getElementById(id)) out.push(el.id + ': missing #' + id);
          }
          for (const el of document.querySelectorAll('input, select, textarea')) {
            if (el.type === 'hidden' || el.type === 'submit') continue;
            const labelled = (el.labels && el.labels.length) || el.getAttribute('aria-label')
              || el.getAttribute('aria-labelledby');
            if (!labelled) out.push((el.id || el.name) + ': no label');
          }
          return out;
        }"""
    )
    count = page.locator('[aria-invalid="true"]').count()
    print(f"  {name}: {count} invalid widgets; problems: {problems or 'none'}")


def photo_png() -> bytes:
    image = Image.new("RGB", (300, 400), (200, 215, 230))
    draw = ImageDraw.Draw(image)
    draw.ellipse((90, 70, 210, 190), fill=(120, 140, 165))
    draw.rectangle((60, 220, 240, 400), fill=(11, 58, 110))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def confirmation_link(log: Path, email: str, after: int, timeout: float = 15.0) -> str:
    deadline = time.time() + timeout
    pattern = re.compile(r"https?://[^\s\"'<>]+/accounts/confirm-email/[^\s\"'<>]+/")
    while time.time() < deadline:
        text = log.read_text(errors="replace")[after:]
        text = text.replace("=\n", "").replace("=3D", "=")  # quoted-printable soft breaks
        if email in text:
            found = pattern.findall(text[text.index(email) :])
            if found:
                return found[0]
        time.sleep(0.3)
    raise SystemExit(f"No confirmation link for {email} in {log}")


GRANT = (
    "from registration.models import Registration\n"
    "from registration.services.heads import head_claim_grant\n"
    "head_claim_grant(registration=Registration.objects.get(delegate__email={email!r}), actor=None)"
)


def grant_head_claim(database_url: str, email: str) -> None:
    """Grant the person's head claim, as the secretariat does from the delegate list."""
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", GRANT.format(email=email)],
        cwd=REPO,
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8011")
    parser.add_argument("--log", default="/tmp/ui-server.log", type=Path)
    parser.add_argument("--out", default="/tmp/ui-shots", type=Path)
    parser.add_argument("--city", default="Giza (Egypt)", help="a city with no head yet")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "sqlite:////tmp/ui.sqlite3"),
        help="the development server's database, to grant the head claim",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base = args.base.rstrip("/")
    stamp = time.strftime("%H%M%S")
    email = f"layla.{stamp}@example.org"
    password = "Seongnam-2019-excom"
    photo = photo_png()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
        page = context.new_page()
        shot = Shooter(page, args.out)

        page.goto(f"{base}/")
        shot("01-home")

        page.goto(f"{base}/accounts/signup/")
        shot("02-signup")
        page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
        page.fill("input[name=email]", "not-an-email")
        page.fill("input[name=password1]", "short")
        page.fill("input[name=password2]", "different")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        check_error_links(page, "signup errors")
        shot("03-signup-errors")

        page.goto(f"{base}/accounts/login/")
        shot("04-login")
        page.fill("input[name=login]", "nobody@example.org")
        page.fill("input[name=password]", "wrong-password")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        shot("04b-login-errors")
        # Keyboard focus, as a keyboard user sees it: on a link in the header, then on a field.
        page.goto(f"{base}/accounts/login/")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.screenshot(path=str(args.out / "04c-focus-brand-phone.png"))
        page.focus("main a[href*=signup]")
        page.keyboard.press("Tab")
        page.screenshot(path=str(args.out / "04d-focus-field-phone.png"))

        page.goto(f"{base}/accounts/password/reset/")
        shot("05-password-reset")

        log_size = args.log.stat().st_size
        page.goto(f"{base}/accounts/signup/")
        page.fill("input[name=email]", email)
        page.fill("input[name=password1]", password)
        page.fill("input[name=password2]", password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        shot("06-verify-email-sent")

        link = confirmation_link(args.log, email, log_size)
        page.goto(link)
        shot("07-email-confirm")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()

        page.goto(f"{base}/me/register/")
        shot("08-register-empty")

        page.fill("#id_given_name", "홍길동")
        page.evaluate("document.getElementById('id_family_name').removeAttribute('maxlength')")
        page.fill("#id_family_name", "A" * 201)
        page.set_input_files(
            "#id_photo", files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"hello"}]
        )
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        check_error_links(page, "register errors")
        shot("09-register-errors")

        page.select_option("#id_honorific", "dr")
        page.fill("#id_given_name", "Layla")
        page.fill("#id_family_name", "Hassan")
        page.fill("#id_native_name", "ليلى حسن")
        page.fill("#id_job_title", "Director General, Smart City and Digital Transformation Office")
        page.fill("#id_organisation", "Giza Governorate")
        page.select_option("#id_city", label=args.city)
        page.fill("#id_phone", "+20 2 3572 0000")
        page.set_input_files(
            "#id_photo", files=[{"name": "me.png", "mimeType": "image/png", "buffer": photo}]
        )
        page.select_option("#id_delegation_role", "head")
        page.fill("#id_arrival_date", "2019-10-13")
        page.fill("#id_arrival_flight", "KE 952")
        page.check("#id_hotel_needed")
        page.check("#id_consent")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        if "/me/" not in page.url or "register" in page.url:
            check_error_links(page, "register (should be valid)")
        shot("10-me")

        page.goto(f"{base}/me/edit/")
        shot("11-edit")

        page.goto(f"{base}/me/cancel/")
        shot("12-cancel")

        page.goto(f"{base}/delegation/")
        shot("12b-delegation-claim")
        grant_head_claim(args.database_url, email)

        page.goto(f"{base}/delegation/add/")
        shot("13-delegation-add")
        page.fill("#id_email", f"wei.{stamp}@example.org")
        page.fill("#id_given_name", "Wei")
        page.fill("#id_family_name", "Zhang-Abdelrahman-Montgomery-Vasquez")
        page.fill("#id_native_name", "张伟")
        page.fill("#id_job_title", "Deputy Director")
        page.select_option("#id_delegation_role", "delegate")
        page.check("#id_consent")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        page.goto(f"{base}/delegation/add/")
        page.fill("#id_email", f"omar.{stamp}@example.org")
        page.fill("#id_given_name", "Omar")
        page.fill("#id_family_name", "Farouk")
        page.fill("#id_native_name", "عمر فاروق")
        page.fill("#id_job_title", "Adviser")
        page.select_option("#id_delegation_role", "observer")
        page.check("#id_consent")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        shot("14-delegation")

        page.goto(f"{base}/ko/")
        shot("15-ko-home")
        page.goto(f"{base}/ko/me/")
        shot("16-ko-me")

        page.goto(f"{base}/accounts/logout/")
        shot("17-logout")

        # Without JavaScript the form still works and the passport fields stay visible.
        nojs = browser.new_context(
            viewport={"width": 390, "height": 844}, java_script_enabled=False
        )
        nojs_page = nojs.new_page()
        nojs_page.goto(f"{base}/accounts/login/")
        nojs_page.fill("input[name=login]", email)
        nojs_page.fill("input[name=password]", password)
        nojs_page.locator("main form button[type=submit]").click()
        nojs_page.wait_for_load_state()
        nojs_page.goto(f"{base}/me/edit/")
        Shooter(nojs_page, args.out)("18-edit-nojs")
        nojs.close()
        browser.close()

    print(f"{len(shot.taken)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
