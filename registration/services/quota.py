"""The delegation quota of a member city: its lock, and the state a place inside it gives.

The quota holds under concurrency because every change of who holds a place locks the city's
row first (SELECT ... FOR UPDATE) inside the transaction, always before the registration's.
"""

from __future__ import annotations

from delegates.models import MemberCity
from registration.models import Event, State


def city_lock(city_id: int | None) -> MemberCity | None:
    """Lock the city's row: every change of who holds one of its places takes this lock first."""
    if city_id is None:
        return None
    return MemberCity.objects.select_for_update().get(pk=city_id)


def state_inside_quota(event: Event, city: MemberCity) -> str:
    """Confirmed at once, or pending for the secretariat, for a place inside the quota."""
    if event.confirm_within_quota and city.confirms_within_quota:
        return State.CONFIRMED
    return State.PENDING
