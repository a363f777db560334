"""Where files that are never served by URL are kept."""

from __future__ import annotations

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    """Files that are never served by URL: badges and letters go out through a checked view."""
    return storages["private"]
