"""Files follow their rows: written once the row is committed, deleted once it no longer
points to them, so a rolled-back change leaves no file behind."""

from __future__ import annotations

import logging

from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import transaction

logger = logging.getLogger(__name__)


def files_delete_on_commit(files: list[tuple[Storage, str]]) -> None:
    """Delete the stored files once the current transaction commits (never if it rolls back).

    A file that cannot be deleted is logged and left: the row no longer points to it, so the
    person's action has succeeded either way.
    """
    files = [(storage, name) for storage, name in files if name]
    if not files:
        return

    def delete() -> None:
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("could not delete the replaced file %s", name, exc_info=True)

    transaction.on_commit(delete)


def file_write_on_commit(storage: Storage, name: str, content: File) -> None:
    """Write `content` under `name` once the current transaction commits (never if it rolls back).

    The row already carries the name; until the commit no other request can see that row.
    """

    def write() -> None:
        stored = storage.save(name, content)
        if stored != name:  # names are random; a clash means something else is wrong
            logger.error("file %s was stored as %s", name, stored)

    transaction.on_commit(write)
