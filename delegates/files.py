"""Files that outlive their row only until the transaction that replaced them commits."""

from __future__ import annotations

import logging

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
