"""Delegate photos: only real images, re-encoded as JPEG so nothing but pixels is kept."""

from __future__ import annotations

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_SIDE = 1200
PHOTO_MIN_SIDE = 100
# Decompression bombs: a small file that opens as a gigantic image. The size is read from the
# header and checked before a single pixel is decoded; Pillow's own guard stays as a backstop.
PHOTO_MAX_PIXELS = 25_000_000
Image.MAX_IMAGE_PIXELS = PHOTO_MAX_PIXELS


def photo_clean(upload: UploadedFile) -> ContentFile:
    """Check an uploaded photo and return it re-encoded (EXIF and anything else stripped)."""
    if upload.size and upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo is larger than 5 MB. Please choose a smaller file."))
    with warnings.catch_warnings():
        # Our own size check says it in words; Pillow's warning would only add noise.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            return _reencoded(upload)
        except ValidationError:
            raise
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
        ) as error:
            raise ValidationError(
                _("This file is not a photo we can read. Please upload a JPEG or PNG.")
            ) from error


def _reencoded(upload: UploadedFile) -> ContentFile:
    upload.seek(0)
    with Image.open(upload) as probe:
        probe.verify()
    upload.seek(0)
    with Image.open(upload) as image:
        if image.format not in {"JPEG", "PNG", "WEBP", "GIF"}:
            raise ValidationError(_("Please upload a JPEG, PNG or WebP photo."))
        width, height = image.size
        if width * height > PHOTO_MAX_PIXELS:
            raise ValidationError(
                _(
                    "The photo is %(width)d × %(height)d pixels, more than a badge can use. "
                    "Please upload one of at most 25 megapixels."
                )
                % {"width": width, "height": height}
            )
        # A JPEG is decoded at a fraction of its size when that is all the badge needs.
        image.draft("RGB", (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        image = ImageOps.exif_transpose(image)
        if min(image.size) < PHOTO_MIN_SIDE:
            raise ValidationError(_("The photo is too small: at least 100 × 100 pixels, please."))
        image = image.convert("RGB")
        image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        # Pillow writes a JPEG comment, an ICC profile and EXIF back from `info`: none of them
        # is a pixel, and a comment or EXIF can carry anything.
        image.info.clear()
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=88, optimize=True)
    return ContentFile(buffer.getvalue(), name="photo.jpg")
