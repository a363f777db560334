"""What a badge or letter may read while it is rendered: our own static and media files only."""

from __future__ import annotations

import io
import os
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader

from registration.rendering.badge_content import BadgeFacts, badge_context, qr_png_data_url
from registration.rendering.badge_pdf import render_badge_pdf
from registration.rendering.safe_fetcher import BadgeResourceRefused, BadgeURLFetcher


def photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 40), (200, 120, 80)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "ok.jpg").write_bytes(photo_bytes())
    (tmp_path / "secret.txt").write_text("not for badges")
    return tmp_path / "media"


def test_url_fetcher_reads_media_files(media):
    response = BadgeURLFetcher().fetch((media / "ok.jpg").as_uri())
    try:
        assert response.read()[:2] == b"\xff\xd8"
        assert response.content_type == "image/jpeg"
    finally:
        response.close()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/photo.jpg",
        "https://example.org/photo.jpg",
        "data:text/plain,hello",
        "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>",
        "data:image/png;base64,aGVsbG8=",  # base64 of "hello": not a PNG
        "data:image/png;base64,not base64!",
        "ftp://example.org/photo.jpg",
        "file://evil.example.org/share/photo.jpg",
    ],
)
def test_url_fetcher_refuses_anything_outside_static_and_media(media, url):
    with pytest.raises(BadgeResourceRefused):
        BadgeURLFetcher().fetch(url)


def test_url_fetcher_serves_a_png_data_url_as_the_qr_code_uses(media):
    response = BadgeURLFetcher().fetch(qr_png_data_url("a-token"))
    try:
        assert response.read().startswith(b"\x89PNG")
    finally:
        response.close()


def test_url_fetcher_refuses_parent_steps_and_symlinks_out(media):
    escape = f"file://{media}/../secret.txt"
    with pytest.raises(BadgeResourceRefused):
        BadgeURLFetcher().fetch(escape)
    with pytest.raises(BadgeResourceRefused):
        BadgeURLFetcher().fetch(f"file://{media}/%2E%2E/secret.txt")
    os.symlink("/etc/passwd", media / "link.jpg")
    with pytest.raises(BadgeResourceRefused):
        BadgeURLFetcher().fetch((media / "link.jpg").as_uri())


def test_a_refused_image_leaves_the_badge_without_it(media):
    facts = BadgeFacts(
        event_name="EXCOM",
        starts_on=date(2019, 10, 14),
        ends_on=date(2019, 10, 16),
        event_place="Seongnam",
        honorific="",
        given_name="Ana",
        family_name="Lima",
        native_name="",
        job_title="",
        organisation="",
        city="Lyon",
        country="France",
        category="delegate",
        badge_token="token",
        photo_path="/etc/passwd",
    )
    pdf = render_badge_pdf(badge_context(facts))
    reader = PdfReader(io.BytesIO(pdf))
    assert "root:" not in reader.pages[0].extract_text()
    assert len(reader.pages[0].images) == 1  # the QR code alone
