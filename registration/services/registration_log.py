"""The audit trail of a registration: its one writer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.functional import Promise

from delegates.models import User
from delegates.selectors import acting_user
from registration.models import (
    Registration,
    RegistrationLog,
)


def registration_log_write(
    registration: Registration,
    *,
    action: str,
    actor: User | None,
    from_state: str = "",
    reason: str | Promise = "",
    changes: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> RegistrationLog:
    """Write one row of a registration's audit trail, in the caller's transaction.

    The only writer of RegistrationLog. `to_state` is the registration's state as it is now.
    """
    if isinstance(reason, Promise):
        # A reason the system gives is stored in English and shown in each reader's language
        # ({% translate %} on the page); a reason a person typed is shown as it was typed.
        with translation.override("en"):
            reason = str(reason)
    return RegistrationLog.objects.create(
        registration=registration,
        action=action,
        from_state=from_state,
        to_state=registration.state,
        actor=acting_user(actor),
        reason=reason,
        changes=changes or {},
        created_at=at or timezone.now(),
    )
