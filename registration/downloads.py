"""How the site hands out the PDFs it stores (badges, letters): private, never cached."""

from __future__ import annotations

from django.http import HttpResponse


def pdf_download(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
