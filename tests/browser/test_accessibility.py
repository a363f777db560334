"""axe-core over every page a delegate sees, in English and Korean, on a phone.

A violation of impact "serious" or "critical" fails the test; the message names the page, the rule
and the elements. Lesser findings are printed (run with -s to read them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from registration.models import Registration
from registration.services.heads import head_claim_grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations", "incomplete"],
}
# Violations in full; for "incomplete" (axe could not decide, e.g. text on a gradient) only
# where, so that a person can look.
RUN_AXE = """options => axe.run(document, options).then(result => ({
  violations: result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
  })),
  incomplete: result.incomplete.map(v => v.id + ' (' + v.nodes.length + ')'),
}))"""


def axe_run(page: Page) -> dict[str, Any]:
    # evaluate() is not subject to the page's Content Security Policy; a script tag would be.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE.read_text())
    return page.evaluate(RUN_AXE, AXE_OPTIONS)


# What axe does not check: an invalid field names its own message, and the message exists.
FORM_PROBLEMS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[aria-invalid="true"]')) {
    const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
    if (!ids.some(id => id.endsWith('_error'))) out.push(`#${el.id} does not point to its error`);
    for (const id of ids) if (!document.getElementById(id)) out.push(`#${el.id}: no #${id}`);
  }
  for (const el of document.querySelectorAll('.has-error')) {
    if (!el.querySelector('[aria-invalid="true"], fieldset[aria-describedby]'))
      out.push(`${el.id}: error shown but the field is not marked invalid`);
  }
  return out;
}"""


def errors_announced(page: Page) -> list[str]:
    """Problems with how a page with errors tells a screen reader and a keyboard user."""
    problems = page.evaluate(FORM_PROBLEMS)
    summary = page.locator("#error-summary")
    if summary.count() != 1 or summary.get_attribute("role") != "alert":
        problems.append("no error summary with role=alert")
    elif not page.evaluate("() => document.activeElement.id === 'error-summary'"):
        problems.append("the error summary does not take the focus")
    return problems


def report(found: dict[str, list[dict[str, Any]]]) -> str:
    lines = []
    for name, violations in found.items():
        for violation in violations:
            lines.append(f"{name}: [{violation['impact']}] {violation['id']} - {violation['help']}")
            for node in violation["nodes"][:5]:
                summary = " ".join(node["summary"].split())
                lines.append(f"    at {node['target']}: {summary[:300]}")
    return "\n".join(lines)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_delegate_pages_have_no_serious_accessibility_violations(
    language, site, person, photo, shots
):
    assert AXE_SOURCE.exists(), "axe-core is missing: run `npm ci` in the project folder"
    me = person(language, email=f"access.{language}@example.org")
    page = me.page
    found: dict[str, list[dict[str, Any]]] = {}
    to_review: dict[str, list[str]] = {}

    def check(name: str, *, with_errors: bool = False) -> None:
        page.wait_for_load_state()
        if with_errors:
            problems = errors_announced(page)
            assert not problems, f"{language} {name}: {problems}"
        result = axe_run(page)
        found[name] = result["violations"]
        to_review[name] = result["incomplete"]
        shots(page, language, f"access-{name}")

    me.go("/")
    check("01-home")

    me.go("/accounts/signup/")
    check("02-signup")
    page.fill("input[name=email]", "not-an-email")
    page.fill("input[name=password1]", "short")
    page.fill("input[name=password2]", "different")
    me.submit()
    check("03-signup-errors", with_errors=True)

    me.go("/accounts/login/")
    check("04-login")
    page.fill("input[name=login]", me.email)
    page.fill("input[name=password]", "not-the-password")
    me.submit()
    check("05-login-wrong-password", with_errors=True)

    me.go("/accounts/password/reset/")
    check("06-password-reset")

    me.sign_up()
    check("07-verify-email-sent")
    me.open_confirmation()
    check("08-confirm-email")
    me.confirm()

    me.go("/me/register/")
    check("09-register")
    page.fill("#id_given_name", "홍길동")
    me.submit()
    check("10-register-errors", with_errors=True)

    me.fill_person(photo=photo, role="head")
    page.check("#id_consent")
    me.submit()
    assert page.locator("img.photo").count() == 1, page.url
    check("11-my-registration")

    me.go("/me/edit/")
    check("12-edit")
    me.go("/me/cancel/")
    check("13-cancel")
    me.go("/me/data/")
    check("14-my-data")

    # Head of delegation is a claim until the secretariat grants it.
    me.go("/delegation/")
    check("14b-delegation-claim")
    head_claim_grant(registration=Registration.objects.get(delegate__email=me.email), actor=None)

    me.go("/delegation/add/")
    check("15-register-a-colleague")
    page.fill("#id_email", f"layla.{language}@example.org")
    page.fill("#id_given_name", "Layla")
    page.fill("#id_family_name", "Hassan")
    page.fill("#id_native_name", "ليلى حسن")
    page.fill("#id_job_title", "Adviser")
    page.check("#id_consent")
    me.submit()
    check("16-delegation")

    for name, violations in found.items():
        print(
            f"{language} {name}: {[(v['id'], v['impact']) for v in violations] or 'clean'}"
            f"; to review: {', '.join(to_review[name]) or 'nothing'}"
        )
    serious = {
        name: [v for v in violations if v["impact"] in FAILING_IMPACTS]
        for name, violations in found.items()
    }
    serious = {name: violations for name, violations in serious.items() if violations}
    assert not serious, "axe found serious or critical problems:\n" + report(serious)
