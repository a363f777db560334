"""Reads. Querysets carry their joins so that a list never costs one query per row."""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from delegates.models import Delegate, MemberCity, User
from delegates.selectors import user_is_secretariat
from registration.delegation_selectors import head_sees_photo
from registration.models import (
    Event,
    PrivacyNotice,
    Registration,
    State,
    VisaLetter,
)

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper


def event_current() -> Event | None:
    """The active event that is next or under way; else the latest active one."""
    today = timezone.localdate()
    active = Event.objects.filter(is_active=True)
    upcoming = active.filter(ends_on__gte=today).order_by("starts_on").first()
    return upcoming or active.order_by("-starts_on").first()


def registration_for_user(*, user: User, event: Event) -> Registration | None:
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.select_related("event", "city", "delegate__city__region")
        .prefetch_related("sessions")
        .filter(delegate__user=user, event=event)
        .first()
    )


def registration_for_delegate(*, delegate: Delegate | None, event: Event) -> Registration | None:
    if delegate is None:
        return None
    return (
        Registration.objects.select_related("event", "city", "delegate__city__region")
        .prefetch_related("sessions")
        .filter(delegate=delegate, event=event)
        .first()
    )


def city_places_taken(*, event: Event, city: MemberCity) -> int:
    return Registration.objects.filter(event=event, city=city, holds_place=True).count()


def privacy_notice_current() -> PrivacyNotice | None:
    return PrivacyNotice.objects.order_by("-version").first()


# Venue desk

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


def _first(queryset: QuerySet[Registration]) -> Registration | None:
    # A unique key: no ORDER BY needed, which .first() would add.
    found = list(queryset.order_by()[:1])
    return found[0] if found else None


def _desk_columns() -> list[tuple[type, list[str]]]:
    """_DESK_FIELDS per model, as attribute names, in the order the fast look-up selects them."""
    from registration.models import Badge

    prefixes = (("", Registration), ("delegate__", Delegate))
    per_model: dict[type, list[str]] = {Registration: [], Delegate: [], MemberCity: [], Badge: []}
    for name in _DESK_FIELDS:
        if name.startswith("delegate__city__"):
            per_model[MemberCity].append(name.removeprefix("delegate__city__"))
        elif name.startswith("badge__"):
            per_model[Badge].append(name.removeprefix("badge__"))
        else:
            for prefix, model in reversed(prefixes):
                if name.startswith(prefix):
                    per_model[model].append(name.removeprefix(prefix))
                    break
    per_model[Delegate].insert(0, "id")
    per_model[MemberCity].insert(0, "id")
    # Model.from_db() takes the values in the order of the model's fields.
    return [
        (
            model,
            [
                f.attname
                for f in model._meta.concrete_fields
                if f.name in fields or f.attname in fields
            ],
        )
        for model, fields in per_model.items()
    ]


DeskColumns = list[tuple[type, list[str]]]
_desk_card: tuple[str, str, DeskColumns] | None = None
_desk_sql: dict[str, str] = {}


def desk_card_sql() -> tuple[str, str, DeskColumns]:
    """The desk card as plain SQL (PostgreSQL), built once per process: the select list, the
    FROM clause with its joins (the registration is `r`) and the columns per model, for
    desk_registration_from_row(). The scan's look-up and the check-in's statement share it."""
    global _desk_card
    if _desk_card is None:
        from django.db import connection

        from registration.models import Badge

        quote = connection.ops.quote_name
        columns = _desk_columns()
        aliases = {Registration: "r", Delegate: "d", MemberCity: "c", Badge: "b"}
        select = ", ".join(
            f"{aliases[model]}.{quote(model._meta.get_field(attname).column)}"
            for model, attnames in columns
            for attname in attnames
        )
        joins = (
            f"{quote(Registration._meta.db_table)} r "
            f"INNER JOIN {quote(Delegate._meta.db_table)} d ON d.id = r.delegate_id "
            f"LEFT JOIN {quote(MemberCity._meta.db_table)} c ON c.id = d.city_id "
            f"LEFT JOIN {quote(Badge._meta.db_table)} b ON b.registration_id = r.id"
        )
        _desk_card = (select, joins, columns)
    return _desk_card


# The types of the columns the desk looks a registration up by, for its prepared statements.
DESK_KEY_TYPES = {"badge_token": "varchar", "id": "bigint"}


def _desk_lookup_sql(column: str) -> str:
    """The scan's look-up as one plain statement, built once per process: every scan runs it,
    and building the ORM query costs more than running it (a millisecond or two here)."""
    if column not in _desk_sql:
        from django.db import connection

        select, joins, _columns = desk_card_sql()
        _desk_sql[column] = (
            f"SELECT {select} FROM {joins} "  # noqa: S608  # nosec B608
            f"WHERE r.event_id = $1 AND r.{connection.ops.quote_name(column)} = $2 LIMIT 1"
        )
    return _desk_sql[column]


_desk_prepared: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()
_desk_prepared_names = itertools.count(1)


def desk_execute(
    cursor: CursorWrapper, key: str, sql: str, types: Sequence[str], params: Sequence[Any]
) -> None:
    """Run one of the desk's hot statements (PostgreSQL; `sql` takes $1, $2, ... of `types`)
    as a prepared statement of the cursor's connection.

    PostgreSQL then plans it once per connection instead of on every scan: planning the
    look-up's joins costs more than running it (0.3 ms against 0.1 ms here, 0.7 ms for the
    check-in). The first use on a connection prepares and runs it in the same round trip; a
    statement that fails is prepared afresh, under a new name, the next time.
    """
    prepared = _desk_prepared.setdefault(cursor.db.connection, {})
    arguments = ", ".join(["%s"] * len(params))
    name = prepared.pop(key, None)
    if name is None:
        name = f"desk_{key}_{next(_desk_prepared_names)}"
        statement = f"PREPARE {name} ({', '.join(types)}) AS {sql}; EXECUTE {name} ({arguments})"
    else:
        statement = f"EXECUTE {name} ({arguments})"
    cursor.execute(statement, params)
    prepared[key] = name


def desk_registration_from_row(row: Sequence[Any]) -> Registration:
    """The registration (with its delegate, city and badge) from a row of desk_card_sql()'s
    select list, as the ORM would have built it."""
    from django.db import connection

    from registration.models import Badge

    instances = {}
    start = 0
    for model, attnames in desk_card_sql()[2]:
        values = row[start : start + len(attnames)]
        start += len(attnames)
        instances[model] = (
            model.from_db(connection.alias, attnames, values) if values[0] is not None else None
        )
    registration, delegate = instances[Registration], instances[Delegate]
    Registration.delegate.field.set_cached_value(registration, delegate)
    Delegate.city.field.set_cached_value(delegate, instances[MemberCity])
    Registration.badge.related.set_cached_value(registration, instances[Badge])
    if instances[Badge] is not None:
        Badge.registration.field.set_cached_value(instances[Badge], registration)
    return registration


def _desk_lookup(event: Event, column: str, value: object) -> Registration | None:
    """One registration with what its desk card shows, like _desk_registrations(...).first().

    On PostgreSQL a plain statement whose rows need no conversion; elsewhere (the SQLite demo)
    the ORM query.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return _first(_desk_registrations(event).filter(**{column: value}))
    with connection.cursor() as cursor:
        desk_execute(
            cursor,
            f"lookup_{column}",
            _desk_lookup_sql(column),
            ["bigint", DESK_KEY_TYPES[column]],
            [event.pk, value],
        )
        row = cursor.fetchone()
    return None if row is None else desk_registration_from_row(row)


def registration_for_desk(*, event: Event, token: str) -> Registration | None:
    """The registration a scanned badge token belongs to, with what its desk card shows."""
    token = token.strip()
    if not badge_token_plausible(token):
        return None
    return _desk_lookup(event, "badge_token", token)


def badge_token_plausible(token: str) -> bool:
    """Whether `token` (stripped) could be a badge token at all: not empty, not too long."""
    return bool(token) and len(token) <= Registration._meta.get_field("badge_token").max_length


def registration_for_desk_by_id(*, event: Event, registration_id: int) -> Registration | None:
    return _desk_lookup(event, "id", registration_id)


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


def photo_visible_to(*, user: User, delegate: Delegate) -> bool:
    """Photos are personal data: the person, their head of delegation, the desk, the secretariat."""
    if not user.is_authenticated:
        return False
    if delegate.user_id == user.pk:
        return True
    if user.is_staff and (user.has_perm("registration.use_desk") or user_is_secretariat(user=user)):
        return True
    return head_sees_photo(user=user, delegate=delegate)


DESK_PERMISSION_CACHE_SECONDS = 60


def user_may_use_desk(*, user: User) -> bool:
    """Active staff holding `registration.use_desk` themselves or through a group (the Desk and
    Secretariat groups), or superusers: ModelBackend's rule, in one query instead of two.

    A yes is kept in the cache for a minute (every scan asks); taking the permission away
    therefore takes up to a minute, while deactivating the account or removing staff status
    (checked on the user row, which every request loads) takes effect at once.
    """
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    from django.contrib.auth.models import Permission
    from django.core.cache import cache
    from django.db.models import Q

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
    """The current event, kept in the cache for half a minute: every scan needs it."""
    from django.core.cache import cache

    event = cache.get(DESK_EVENT_CACHE_KEY)
    if event is None:
        event = event_current()
        if event is not None:
            cache.set(DESK_EVENT_CACHE_KEY, event, DESK_EVENT_CACHE_SECONDS)
    return event


def visa_letter_for(*, registration: Registration) -> VisaLetter | None:
    """The issued visa letter of a registration, if there is one."""
    return VisaLetter.objects.filter(registration=registration).exclude(pdf="").first()
