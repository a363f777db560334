"""Uploads are bounded before they cost memory, keep nothing but pixels, and leave no file
behind when the change they belong to does not happen."""

from __future__ import annotations

import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image

from delegates.photos import photo_clean
from delegates.services import delegate_save


def image_file(size: tuple[int, int], fmt: str = "PNG", **save_options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt, **save_options)
    return buffer.getvalue()


def upload(content: bytes, name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def test_a_photo_over_25_megapixels_is_refused_from_its_header():
    content = image_file((6000, 5000))  # 30 MP, a few hundred KB on disk
    assert len(content) < 5 * 1024 * 1024
    with pytest.raises(ValidationError) as refused:
        photo_clean(upload(content))
    assert "25 megapixels" in str(refused.value)
    assert "6000 × 5000" in str(refused.value)


def test_a_photo_keeps_its_pixels_and_nothing_else():
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    content = image_file(
        (800, 600), "JPEG", comment=b"hidden comment", exif=exif.tobytes(), icc_profile=b""
    )
    cleaned = photo_clean(upload(content, "photo.jpg"))
    with Image.open(io.BytesIO(cleaned.read())) as image:
        assert image.size == (800, 600)
        assert "comment" not in image.info
        assert "exif" not in image.info
        assert not image.getexif()


def test_a_big_jpeg_is_decoded_small(monkeypatch):
    content = image_file((4800, 3600), "JPEG")
    cleaned = photo_clean(upload(content, "big.jpg"))
    with Image.open(io.BytesIO(cleaned.read())) as image:
        assert max(image.size) == 1200


def test_a_body_larger_than_any_form_needs_is_refused_unread(client, db):
    response = client.generic(
        "POST",
        reverse("account_login"),
        data=b"x" * (9 * 1024 * 1024),
        content_type="application/octet-stream",
    )
    assert response.status_code == 413
    assert "at most 8 MB" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_photo_of_a_change_that_rolls_back_leaves_no_file(city, settings):
    photo = photo_clean(upload(image_file((400, 400))))

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        delegate_save(
            delegate=None,
            email="gone@example.org",
            data={"given_name": "Ana", "family_name": "Lima", "job_title": "Mayor", "city": city},
            photo=photo,
        )
        raise Abandoned
    photos = settings.MEDIA_ROOT / "photos"
    assert not photos.exists() or os.listdir(photos) == []


@pytest.mark.django_db(transaction=True)
def test_a_photo_is_written_once_its_person_is_saved(city):
    photo = photo_clean(upload(image_file((400, 400))))
    with transaction.atomic():
        delegate, _changes = delegate_save(
            delegate=None,
            email="kept@example.org",
            data={"given_name": "Ana", "family_name": "Lima", "job_title": "Mayor", "city": city},
            photo=photo,
        )
        assert not delegate.photo.storage.exists(delegate.photo.name)
    assert delegate.photo.storage.exists(delegate.photo.name)
