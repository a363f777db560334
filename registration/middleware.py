"""Requests refused before they cost anything: bodies larger than any form needs, and addresses
with characters no search or filter can hold."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from delegates.text import control_character_in


class RefuseControlCharactersMiddleware:
    """A search or filter with NUL or another control character gets a clear 400, not a 500.

    PostgreSQL refuses NUL in any string, so such a value would fail deep inside a query. Form
    fields refuse them with a message beside the field (delegates.text.PlainTextFormMixin);
    this covers the query string, which no form checks: admin searches, filters, pages.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, values in request.GET.lists():
            for text in (key, *values):
                char = control_character_in(text)
                if char is not None:
                    message = _(
                        "The address holds an invisible control character (U+%(code)04X). "
                        "Please check what you typed into the search and try again."
                    ) % {"code": ord(char)}
                    return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """A body larger than any form here needs is refused from its Content-Length, unread.

    Django would otherwise stream a 300 MB upload to a temporary file before the photo's own
    5 MB check could refuse it. The reverse proxy should refuse it even earlier (its
    `client_max_body_size`, docs/operations.md).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_BODY_MAX_BYTES:
            message = _(
                "What you sent is %(size)d MB; this site takes at most %(limit)d MB at once. "
                "Please choose a smaller photo or file."
            ) % {
                "size": round(length / 1024 / 1024),
                "limit": settings.REQUEST_BODY_MAX_BYTES // 1024 // 1024,
            }
            return render(request, "400.html", {"message": message}, status=413)
        return self.get_response(request)
