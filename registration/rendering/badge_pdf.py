"""Turn a badge context into a PDF with WeasyPrint.

A worker renders many badges: the font configuration and the compiled stylesheet are built once
per process (measured: ~87 ms a badge fresh, ~47 ms with both kept; see docs/architecture.md).
They are built on first use, not at import, so that a forking worker builds them in each child.
"""

from __future__ import annotations

import base64
import binascii
import io
import mimetypes
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from registration.rendering.badge_content import qr_png_data_url

TEMPLATE_NAME = "badges/badge.html"
STYLESHEET_NAME = "badges/badge.css"


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


class _Renderer:
    """The per-process WeasyPrint state: one font configuration and the compiled stylesheet."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._font_config: FontConfiguration | None = None
        self._stylesheet: CSS | None = None
        self._pid: int | None = None

    def get(self) -> tuple[FontConfiguration, CSS]:
        with self._lock:
            # A forked child must not share its parent's fontconfig state.
            if self._stylesheet is None or self._pid != os.getpid():
                font_config = FontConfiguration()
                css_path = finders.find(STYLESHEET_NAME)
                if not css_path:
                    raise FileNotFoundError(f"Static file {STYLESHEET_NAME} not found.")
                css_file = Path(css_path)
                self._stylesheet = CSS(
                    string=css_file.read_text(encoding="utf-8"),
                    base_url=css_file.parent.as_uri() + "/",
                    font_config=font_config,
                    url_fetcher=BadgeURLFetcher(),
                )
                self._font_config = font_config
                self._pid = os.getpid()
            assert self._font_config is not None
            return self._font_config, self._stylesheet

    def reset(self) -> None:
        with self._lock:
            self._font_config = None
            self._stylesheet = None


_renderer = _Renderer()


def reset_renderer() -> None:
    """Forget the compiled stylesheet, e.g. after editing badge.css in a running process."""
    _renderer.reset()


def badge_html(context: dict[str, Any]) -> str:
    """The badge as HTML; every field is autoescaped by the template."""
    photo_path = context.get("photo_path")
    return render_to_string(
        TEMPLATE_NAME,
        {
            **context,
            "photo_url": Path(photo_path).as_uri() if photo_path else None,
            "qr_url": qr_png_data_url(context["badge_token"]),
        },
    )


def _document(context: dict[str, Any], fetcher: BadgeURLFetcher):
    font_config, stylesheet = _renderer.get()
    html = HTML(
        string=badge_html(context),
        base_url=Path(settings.BASE_DIR, "static").as_uri() + "/",
        url_fetcher=fetcher,
    )
    return html.render(stylesheets=[stylesheet], font_config=font_config)


def render_badge_pdf(context: dict[str, Any]) -> bytes:
    """One A6 badge as PDF bytes."""
    return _document(context, BadgeURLFetcher()).write_pdf()


def render_badges_document(contexts: Iterable[dict[str, Any]]) -> bytes:
    """Many badges as one PDF, one A6 page each, sharing font subsets (smaller than N files)."""
    fetcher = BadgeURLFetcher()
    documents = [_document(context, fetcher) for context in contexts]
    if not documents:
        raise ValueError("No badges to render.")
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
