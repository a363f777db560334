"""Reads for the venue desk: the card a scan shows, the search, the counters, and who may use
the desk. Only what the desk card shows: no passport details, nor their decryption."""

from __future__ import annotations

from django.db.models import QuerySet

from delegates.models import User
from registration.models import (
    Event,
    Registration,
    State,
)
from registration.selectors.registrations import event_current

# Only what the desk card shows: no passport details (nor their decryption), no phone. Fewer
# columns and joins also make the look-up that every scan does cheaper to build and to run.
_DESK_FIELDS = (
    "id",
    "event_id",
    "delegate_id",
    "category",
    "state",
    "staff_notes",
    "badge_token",
    "checked_in_at",
    "checked_in_desk",
    "delegate__honorific",
    "delegate__given_name",
    "delegate__family_name",
    "delegate__native_name",
    "delegate__email",
    "delegate__job_title",
    "delegate__organisation",
    "delegate__city_id",
    "delegate__other_city",
    "delegate__other_country",
    "delegate__photo",
    "delegate__accessibility_needs",
    "delegate__city__name_en",
    "delegate__city__country",
    "badge__id",
    "badge__registration_id",
    "badge__pdf",
    "badge__content_hash",
    "badge__print_count",
    "badge__last_printed_at",
)


def _desk_registrations(event: Event) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(event=event)
        .select_related("delegate__city", "badge")
        .only(*_DESK_FIELDS)
    )


def _desk_registration(event: Event, **key: object) -> Registration | None:
    # A unique key: no ORDER BY needed, which .first() would add.
    found = list(_desk_registrations(event).filter(**key).order_by()[:1])
    return found[0] if found else None


def registration_for_desk(*, event: Event, token: str) -> Registration | None:
    """The registration a scanned badge token belongs to, with what its desk card shows."""
    token = token.strip()
    if not badge_token_plausible(token):
        return None
    return _desk_registration(event, badge_token=token)


def badge_token_plausible(token: str) -> bool:
    """Whether `token` (stripped) could be a badge token at all: not empty, not too long."""
    return bool(token) and len(token) <= Registration._meta.get_field("badge_token").max_length


def registration_for_desk_by_id(*, event: Event, registration_id: int) -> Registration | None:
    return _desk_registration(event, pk=registration_id)


DESK_SEARCH_MIN_LENGTH = 2
DESK_SEARCH_LIMIT = 20


def delegates_for_desk_search(
    *, event: Event, text: str, limit: int = DESK_SEARCH_LIMIT
) -> list[Registration]:
    """Registrations whose delegate matches every word of `text` in a name (any script), the
    city, the email or the organisation; accents and case ignored."""
    from delegates.models import fold_for_search

    words = [w for w in fold_for_search(text).split() if w]
    if not words or sum(len(w) for w in words) < DESK_SEARCH_MIN_LENGTH:
        return []
    queryset = _desk_registrations(event)
    for word in words[:5]:
        queryset = queryset.filter(delegate__search_text__icontains=word)
    return list(queryset.order_by("delegate__family_name", "delegate__given_name", "pk")[:limit])


def desk_counters(*, event: Event) -> dict[str, object]:
    """Checked in against expected (confirmed), in total and by category, in one query."""
    from django.db.models import Count, Q

    rows = (
        Registration.objects.filter(event=event, state=State.CONFIRMED)
        .values("category")
        .annotate(
            expected=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False))
        )
        .order_by()
    )
    by_category = {row["category"]: row for row in rows}
    return {
        "expected": sum(row["expected"] for row in by_category.values()),
        "checked_in": sum(row["checked_in"] for row in by_category.values()),
        "by_category": by_category,
    }


DESK_PERMISSION_CACHE_SECONDS = 60


def user_may_use_desk(*, user: User) -> bool:
    """Active staff holding `registration.use_desk` themselves or through a group (the Desk and
    Secretariat groups), or superusers: ModelBackend's rule, in one query instead of two.

    A yes is kept for a minute in the process's own cache (every scan asks, and asking Redis
    would be a round trip); taking the permission away therefore takes up to a minute, while
    deactivating the account or removing staff status (checked on the user row, which every
    request loads) takes effect at once.
    """
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    from django.contrib.auth.models import Permission
    from django.core.cache import caches
    from django.db.models import Q

    cache = caches["local"]
    key = f"desk:may-use:{user.pk}"
    if cache.get(key):
        return True
    allowed = Permission.objects.filter(
        Q(group__user=user) | Q(user=user),
        content_type__app_label="registration",
        codename="use_desk",
    ).exists()
    if allowed:
        cache.set(key, True, DESK_PERMISSION_CACHE_SECONDS)
    return allowed


DESK_EVENT_CACHE_KEY = "desk:current-event"
DESK_EVENT_CACHE_SECONDS = 30


def event_current_for_desk() -> Event | None:
    """The current event, kept for half a minute in the process's own cache: every scan needs
    it, and asking Redis would be a round trip."""
    from django.core.cache import caches

    cache = caches["local"]
    event = cache.get(DESK_EVENT_CACHE_KEY)
    if event is None:
        event = event_current()
        if event is not None:
            cache.set(DESK_EVENT_CACHE_KEY, event, DESK_EVENT_CACHE_SECONDS)
    return event
