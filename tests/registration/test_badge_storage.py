"""Storing a badge: rendered once, again only when what it prints changed, and given up on after
repeated failures."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from registration.models import Badge
from registration.services import badges as badge_services
from registration.services.badges import (
    MAX_RENDER_ATTEMPTS,
    BadgeError,
    badge_ensure,
    badge_pdf_bytes,
)
from tests.factories import DelegateFactory, RegistrationFactory


def make_registration(event, **delegate_fields):
    return RegistrationFactory(event=event, delegate=DelegateFactory(**delegate_fields))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def count_renders(monkeypatch):
    calls = []
    real = badge_services.render_badge_pdf

    def counting(context):
        calls.append(context)
        return real(context)

    monkeypatch.setattr(badge_services, "render_badge_pdf", counting)
    return calls


def test_badge_is_stored_privately_under_a_random_name_and_rendered_once(
    event, count_renders, settings
):
    registration = make_registration(event)
    badge = badge_ensure(registration=registration)
    again = badge_ensure(registration=registration)

    assert len(count_renders) == 1
    assert again.pdf.name == badge.pdf.name
    assert badge.pdf.name.startswith("badges/")
    # 128 random bits as hex: nothing in the name says whose badge it is.
    assert re.fullmatch(r"[0-9a-f]{32}", Path(badge.pdf.name).stem)
    assert Path(badge.pdf.path).is_relative_to(settings.PRIVATE_ROOT)
    assert badge.render_attempts == 1
    assert badge.last_error == ""
    assert badge.is_ready


def test_changed_name_rerenders_and_deletes_the_old_file_after_commit(
    event, count_renders, django_capture_on_commit_callbacks
):
    registration = make_registration(event, given_name="Ana")
    old = badge_ensure(registration=registration)
    old_path = Path(old.pdf.path)

    registration.delegate.given_name = "Anabel"
    registration.delegate.save()
    with django_capture_on_commit_callbacks(execute=True):
        new = badge_ensure(registration=registration)

    assert len(count_renders) == 2
    assert new.pdf.name != old.pdf.name
    assert not old_path.exists()
    assert "Anabel" in pdf_text(badge_pdf_bytes(registration=registration))
    assert len(count_renders) == 2


def test_missing_file_is_rendered_again(event, count_renders):
    registration = make_registration(event)
    badge = badge_ensure(registration=registration)
    Path(badge.pdf.path).unlink()
    assert badge_pdf_bytes(registration=registration).startswith(b"%PDF")
    assert len(count_renders) == 2


def test_failed_render_is_recorded_and_given_up_after_the_bound(event, monkeypatch):
    registration = make_registration(event)

    def broken(context):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(badge_services, "render_badge_pdf", broken)
    for _attempt in range(MAX_RENDER_ATTEMPTS):
        with pytest.raises(BadgeError):
            badge_ensure(registration=registration)
    badge = Badge.objects.get(registration=registration)
    assert badge.render_attempts == MAX_RENDER_ATTEMPTS
    assert "out of memory" in badge.last_error

    def must_not_run(context):
        raise AssertionError("rendered past the bound")

    monkeypatch.setattr(badge_services, "render_badge_pdf", must_not_run)
    with pytest.raises(BadgeError, match="not tried again"):
        badge_ensure(registration=registration)


def test_a_render_that_killed_its_worker_counts_as_an_attempt(event, monkeypatch):
    registration = make_registration(event)

    class WorkerKilled(BaseException):
        pass

    def killed(context):
        raise WorkerKilled

    monkeypatch.setattr(badge_services, "render_badge_pdf", killed)
    with pytest.raises(WorkerKilled):
        badge_ensure(registration=registration)
    badge = Badge.objects.get(registration=registration)
    assert badge.render_attempts == 1
    assert "did not finish" in badge.last_error

    monkeypatch.undo()
    badge = badge_ensure(registration=registration)
    assert badge.render_attempts == 2
    assert badge.last_error == ""
