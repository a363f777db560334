"""The retention purge: what an event no longer needs is erased once its time is up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone

from delegates.files import files_delete_on_commit
from delegates.models import PASSPORT_FIELDS, Delegate, User
from delegates.selectors import acting_user
from registration.models import (
    TRAVEL_FIELDS,
    Event,
    PurgeRecord,
    Registration,
)

# What the retention purge removes from a person (the rest is needed to count and to contact).
RETAINED_PERSON_FIELDS_CLEARED = (
    *PASSPORT_FIELDS,
    "photo",
    "diet",
    "dietary_notes",
    "accessibility_needs",
    "phone",
)
# ... and from each of their registrations for the event.
RETAINED_REGISTRATION_FIELDS_CLEARED = TRAVEL_FIELDS
EMPTY = {
    "passport_date_of_birth": None,
    "passport_expiry": None,
    "arrival_date": None,
    "arrival_time": None,
    "departure_date": None,
    "departure_time": None,
}


def _has_value(instance: Any, name: str) -> bool:
    value = getattr(instance, name)
    return bool(value) if not hasattr(value, "name") else bool(value.name)


@dataclass
class PurgePlan:
    event: Event
    people: dict[int, list[str]] = field(default_factory=dict)
    registrations: dict[int, list[str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.people and not self.registrations

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for fields in (*self.people.values(), *self.registrations.values()):
            for name in fields:
                counts[name] = counts.get(name, 0) + 1
        return counts


def events_past_retention(*, today: date | None = None) -> list[Event]:
    today = today or timezone.localdate()
    return [e for e in Event.objects.all() if e.personal_data_kept_until < today]


def personal_data_purge_plan(*, event: Event, today: date | None = None) -> PurgePlan:
    """What the purge would erase for this event (nothing once it has run)."""
    today = today or timezone.localdate()
    plan = PurgePlan(event=event)
    registrations = Registration.objects.filter(event=event).select_related("delegate")
    for registration in registrations:
        cleared = [n for n in RETAINED_REGISTRATION_FIELDS_CLEARED if _has_value(registration, n)]
        if cleared:
            plan.registrations[registration.pk] = cleared
        delegate = registration.delegate
        if delegate.pk in plan.people or delegate.erased_at:
            continue
        # A person who also attends a later event keeps what that event still needs.
        still_needed = any(
            other.event.personal_data_kept_until >= today
            for other in delegate.registrations.select_related("event").exclude(event=event)
        )
        if still_needed:
            continue
        fields = [n for n in RETAINED_PERSON_FIELDS_CLEARED if _has_value(delegate, n)]
        if fields:
            plan.people[delegate.pk] = fields
    return plan


def personal_data_purge(
    *, event: Event, actor: User | None = None, today: date | None = None
) -> PurgeRecord | None:
    """Erase what the plan lists; safe to run again (the second run finds nothing)."""
    with transaction.atomic():
        plan = personal_data_purge_plan(event=event, today=today)
        if plan.is_empty:
            return None
        files: list[tuple[Storage, str]] = []
        for delegate in Delegate.objects.select_for_update().filter(pk__in=plan.people):
            if delegate.photo:
                files.append((delegate.photo.storage, delegate.photo.name))
            Delegate.objects.filter(pk=delegate.pk).update(
                **{name: EMPTY.get(name, "") for name in plan.people[delegate.pk]}
            )
        for registration_id, fields in plan.registrations.items():
            Registration.objects.filter(pk=registration_id).update(
                **{name: EMPTY.get(name, "") for name in fields}
            )
        record = PurgeRecord.objects.create(
            event=event,
            delegate_count=len(plan.people),
            reason="retention",
            ran_by=acting_user(actor),
            erased=plan.counts(),
        )
        files_delete_on_commit(files)
        return record
