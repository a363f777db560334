"""One attendance: the event, a delegate's registration for it, and what happened to it.

One module per part of the domain; everything is importable from `registration.models`.
"""

from registration.models.badges import Badge, BadgeSheetJob
from registration.models.city_imports import CityImportJob
from registration.models.desk import DeskLog
from registration.models.events import RETENTION_DAYS, Event, Session
from registration.models.invitations import ColleagueInvitation, HeadInvitation
from registration.models.letters import VisaLetter
from registration.models.outbox import OutboxEmail
from registration.models.privacy import PrivacyNotice, PurgeRecord
from registration.models.registrations import (
    LIVE_STATES,
    TRAVEL_FIELDS,
    Category,
    DelegationRole,
    Registration,
    RegistrationLog,
    State,
    new_badge_token,
)
from registration.models.storage import private_storage

__all__ = [
    "LIVE_STATES",
    "RETENTION_DAYS",
    "TRAVEL_FIELDS",
    "Badge",
    "BadgeSheetJob",
    "Category",
    "CityImportJob",
    "ColleagueInvitation",
    "DelegationRole",
    "DeskLog",
    "Event",
    "HeadInvitation",
    "OutboxEmail",
    "PrivacyNotice",
    "PurgeRecord",
    "Registration",
    "RegistrationLog",
    "Session",
    "State",
    "VisaLetter",
    "new_badge_token",
    "private_storage",
]
