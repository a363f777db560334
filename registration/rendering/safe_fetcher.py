"""The URL fetcher WeasyPrint uses for badges and letters: our own static and media files only.

A badge or letter prints text that delegates typed; if any of it ever reached the HTML as markup,
the fetcher still keeps the PDF from reading other local files or calling out to the network.
"""

from __future__ import annotations

import base64
import binascii
import io
import mimetypes
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse


class BadgeResourceRefused(ValueError):
    """A badge asked for a resource outside our own static and media files."""


def allowed_roots() -> list[Path]:
    """Folders a badge may read from: our static files (collected or not) and the media."""
    roots = [Path(settings.MEDIA_ROOT)]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    # Our own static folders; a (prefix, folder) entry holds third-party assets a badge never needs.
    roots.extend(
        Path(folder)
        for folder in getattr(settings, "STATICFILES_DIRS", ())
        if not isinstance(folder, tuple | list)
    )
    roots.append(Path(settings.BASE_DIR) / "static")
    resolved: list[Path] = []
    for root in roots:
        real = Path(os.path.realpath(root))
        if real not in resolved:
            resolved.append(real)
    return resolved


def resolve_allowed_file(url: str, roots: Sequence[Path]) -> Path:
    """The real local path behind a file:// URL, when it is a file inside one of `roots`."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        raise BadgeResourceRefused(f"Only local files may appear on a badge, not {url[:80]!r}.")
    if parts.netloc not in ("", "localhost"):
        raise BadgeResourceRefused(f"Remote file URLs are refused: {url[:80]!r}.")
    raw_path = unquote(parts.path)
    # Refused outright rather than normalised: a badge's own URLs never climb.
    if ".." in raw_path.replace("\\", "/").split("/"):
        raise BadgeResourceRefused(f"Parent-folder steps are refused: {url[:80]!r}.")
    # realpath follows every symlink, so a link inside media that points elsewhere is caught too.
    real = Path(os.path.realpath(url2pathname(parts.path)))
    for root in roots:
        if real == root or root in real.parents:
            if not real.is_file():
                raise BadgeResourceRefused(f"Not a file: {url[:80]!r}.")
            return real
    raise BadgeResourceRefused(f"Outside the static and media folders: {url[:80]!r}.")


PNG_DATA_PREFIX = "data:image/png;base64,"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_DATA_URL_BYTES = 64 * 1024


def decode_png_data_url(url: str) -> bytes:
    """The bytes of a base64 PNG data: URL; any other data: URL is refused."""
    if not url.startswith(PNG_DATA_PREFIX) or len(url) > MAX_DATA_URL_BYTES:
        raise BadgeResourceRefused(f"Only small PNG data URLs may appear on a badge: {url[:40]!r}.")
    try:
        content = base64.b64decode(url[len(PNG_DATA_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as error:
        raise BadgeResourceRefused("A PNG data URL that is not valid base64.") from error
    if not content.startswith(PNG_SIGNATURE):
        raise BadgeResourceRefused("A data URL that is not a PNG image.")
    return content


class BadgeURLFetcher(URLFetcher):
    """Serves only our static and media files; every other URL (http, data, /etc) is refused."""

    def __init__(self, roots: Sequence[Path] | None = None) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=False)
        self.roots = list(roots) if roots is not None else allowed_roots()

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            # Only the QR code's PNG, which the badge code makes itself; never anything else.
            return URLFetcherResponse(
                url, io.BytesIO(decode_png_data_url(url)), headers={"Content-Type": "image/png"}
            )
        path = resolve_allowed_file(url, self.roots)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        # WeasyPrint closes the response (and so the file) when it has read it.
        return URLFetcherResponse(
            path.as_uri(), path.open("rb"), headers={"Content-Type": content_type}
        )
