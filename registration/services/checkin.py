"""Writes at the venue desk: scan, check-in, badge prints and walk-ins.

A check-in is one conditional UPDATE that only one desk can win: of two desks scanning the same
badge at once, one checks the delegate in and the other is told when and where that happened. It
never renders anything; badges are rendered ahead of time by the worker and only read here.
Every scan that is not a plain look-up, every check-in and every print writes a DeskLog row.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from delegates.models import Delegate, User
from delegates.services import delegate_save
from registration import selectors
from registration.errors import RegistrationError
from registration.models import (
    Badge,
    Category,
    DelegationRole,
    DeskLog,
    Event,
    OutboxEmail,
    Registration,
    RegistrationLog,
    State,
)
from registration.services.badges import badge_ensure
from registration.services.outbox import email_queue_for_registration

DESK_NAME_MAX_LENGTH = 40
REASON_MAX_LENGTH = 300
# What an unknown code looked like, for the log: enough to tell a shop barcode from a typo.
UNKNOWN_CODE_LOGGED_LENGTH = 60

Action = DeskLog.Action

# The delegation role a walk-in gets from the category the desk chose.
_ROLE_FOR_CATEGORY = {
    Category.PRESS: DelegationRole.PRESS,
    Category.PARTNER: DelegationRole.PARTNER,
    Category.OBSERVER: DelegationRole.OBSERVER,
    Category.STAFF: DelegationRole.STAFF,
}


class Outcome(enum.StrEnum):
    """What the desk shows after a scan or a check-in."""

    READY = "ready"  # found, confirmed, not yet checked in
    CHECKED_IN = "checked_in"
    ALREADY = "already"
    REFUSED = "refused"  # cancelled, declined, waitlisted, pending or erased
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DeskResult:
    outcome: Outcome
    registration: Registration | None = None
    # Set when this check-in also counted the first print of a badge that was ready.
    printed: bool = False


def desk_name_clean(desk: str) -> str:
    """The desk name as stored; a desk must have one, so that the log says where."""
    desk = " ".join((desk or "").split())[:DESK_NAME_MAX_LENGTH]
    if not desk:
        raise RegistrationError(_("Please choose this desk's name first."), field="desk")
    return desk


def _operator(operator: User | None) -> User | None:
    return operator if operator is not None and operator.is_authenticated else None


def _log(
    action: str,
    *,
    registration: Registration | None,
    desk: str,
    operator: User | None,
    reason: str = "",
    at: datetime | None = None,
) -> DeskLog:
    return DeskLog(
        registration=registration,
        action=action,
        desk=desk,
        operator=_operator(operator),
        reason=reason[:REASON_MAX_LENGTH],
        created_at=at or timezone.now(),
    )


def _write(logs: list[DeskLog], *, count_print_of: Badge | None = None) -> None:
    """Store desk log rows, and count a print of `count_print_of`, in ONE statement.

    The desk's hot path (every scan and check-in) writes here; one round trip without the ORM's
    statement building keeps a check-in within a few milliseconds on a small machine.
    """
    log_table = connection.ops.quote_name(DeskLog._meta.db_table)
    columns = "registration_id, action, desk, operator_id, reason, created_at"
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(logs))
    params: list[Any] = []
    for log in logs:
        params += [log.registration_id, log.action, log.desk, log.operator_id, log.reason]
        params.append(log.created_at)
    sql = f"INSERT INTO {log_table} ({columns}) VALUES {rows}"  # noqa: S608  # nosec B608
    if count_print_of is not None and connection.vendor != "postgresql":
        # SQLite (the demo's `make run`) has no UPDATE inside WITH: two statements there.
        _count_print(count_print_of, logs[0].created_at, in_memory=False)
        count_print_of = None
    if count_print_of is not None:
        badge_table = connection.ops.quote_name(Badge._meta.db_table)
        sql = (
            f"WITH counted AS (UPDATE {badge_table} SET print_count = print_count + 1, "  # noqa: S608  # nosec B608
            f"last_printed_at = %s WHERE id = %s) {sql}"
        )
        params = [logs[0].created_at, count_print_of.pk, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _refusal_or_already(
    registration: Registration, *, desk: str, operator: User | None
) -> DeskResult | None:
    """The outcome of a registration that cannot be checked in now, logged; None if it can."""
    if registration.state != State.CONFIRMED:
        _write(
            [
                _log(
                    Action.REFUSED,
                    registration=registration,
                    desk=desk,
                    operator=operator,
                    reason=registration.state,
                )
            ]
        )
        return DeskResult(Outcome.REFUSED, registration)
    if registration.checked_in_at is not None:
        _write(
            [
                _log(
                    Action.ALREADY_CHECKED_IN,
                    registration=registration,
                    desk=desk,
                    operator=operator,
                )
            ]
        )
        return DeskResult(Outcome.ALREADY, registration)
    return None


def _unknown(code: str, *, desk: str, operator: User | None) -> DeskResult:
    _write(
        [
            _log(
                Action.UNKNOWN_CODE,
                registration=None,
                desk=desk,
                operator=operator,
                reason=code[:UNKNOWN_CODE_LOGGED_LENGTH],
            )
        ]
    )
    return DeskResult(Outcome.UNKNOWN)


def _find(*, event: Event, token: str | None, registration_id: int | None) -> Registration | None:
    if registration_id is not None:
        return selectors.registration_for_desk_by_id(event=event, registration_id=registration_id)
    return selectors.registration_for_desk(event=event, token=token or "")


def desk_scan(
    *,
    event: Event,
    desk: str,
    operator: User | None,
    token: str | None = None,
    registration_id: int | None = None,
) -> DeskResult:
    """Look a scanned code (or a registration picked from a search) up.

    Changes nothing; logs what is not a plain look-up: an unknown code, a refused state, a
    delegate who is already checked in.
    """
    desk = desk_name_clean(desk)
    token = (token or "").strip()
    registration = _find(event=event, token=token, registration_id=registration_id)
    if registration is None:
        return _unknown(token or str(registration_id or ""), desk=desk, operator=operator)
    return _refusal_or_already(registration, desk=desk, operator=operator) or DeskResult(
        Outcome.READY, registration
    )


def desk_check_in(
    *,
    event: Event,
    desk: str,
    operator: User | None,
    token: str | None = None,
    registration_id: int | None = None,
    count_print: bool = True,
) -> DeskResult:
    """Check a confirmed delegate in, by badge token or (after a search) by registration id.

    One conditional UPDATE decides between desks racing for the same badge. With `count_print`,
    a badge that is already rendered is counted as printed in the same transaction: the desk
    opens it for printing right after. On PostgreSQL the UPDATE, the print count, the log rows
    and the card's look-up are one statement (one round trip, one commit); never a render.
    """
    desk = desk_name_clean(desk)
    if connection.vendor != "postgresql":
        return _check_in_in_steps(
            event=event,
            desk=desk,
            operator=operator,
            token=token,
            registration_id=registration_id,
            count_print=count_print,
        )
    if registration_id is not None:
        column, key = "id", registration_id
    else:
        column, key = "badge_token", (token or "").strip()
        if not selectors.badge_token_plausible(key):
            return _unknown(key, desk=desk, operator=operator)
    for _attempt in range(3):
        now = timezone.now()
        operator = _operator(operator)
        with connection.cursor() as cursor:
            selectors.desk_execute(
                cursor,
                f"check_in_{column}_{int(count_print)}",
                _check_in_sql(column, count_print=count_print),
                _check_in_types(column),
                [
                    event.pk,
                    key,
                    now,
                    desk,
                    operator.pk if operator is not None else None,
                    State.CONFIRMED,
                    Action.CHECKED_IN,
                    Action.PRINTED,
                ],
            )
            row = cursor.fetchone()
        if row is None:
            return _unknown(token or str(registration_id or ""), desk=desk, operator=operator)
        won, printed, *card = row
        registration = selectors.desk_registration_from_row(card)
        if won:
            # The row as it was before this statement: bring it up to date.
            registration.checked_in_at = now
            registration.checked_in_desk = desk
            registration.checked_in_by = operator
            badge = _badge_of(registration)
            if printed and badge is not None:
                badge.print_count += 1
                badge.last_printed_at = now
            return DeskResult(Outcome.CHECKED_IN, registration, printed=bool(printed))
        result = _refusal_or_already(registration, desk=desk, operator=operator)
        if result is not None:
            return result
        # The statement saw the row as it was when it started: ready. Another desk checked in
        # meanwhile (or the state changed); a fresh look says which.
        registration = _find(event=event, token=token, registration_id=registration_id)
        if registration is None:
            return _unknown(token or str(registration_id or ""), desk=desk, operator=operator)
        result = _refusal_or_already(registration, desk=desk, operator=operator)
        if result is not None:
            return result
        # Ready again (a check-in undone in between): try once more.
    raise RegistrationError(_("The check-in did not go through. Please try again."))


_check_in_statements: dict[tuple[str, bool], str] = {}


def _check_in_types(column: str) -> list[str]:
    """The check-in statement's parameters: $1 event, $2 the badge token or registration id,
    $3 now, $4 desk, $5 operator, $6 the confirmed state, $7 and $8 the log's actions."""
    key = selectors.DESK_KEY_TYPES[column]
    return ["bigint", key, "timestamptz", "varchar", "bigint", "varchar", "varchar", "varchar"]


def _check_in_sql(column: str, *, count_print: bool) -> str:
    """The whole check-in as one PostgreSQL statement, built once per process.

    `won` is the conditional UPDATE only one desk can win; `printed` counts the first print of
    a ready badge of the registration just checked in; `logged` writes their log rows. The
    main query reads the desk card: it sees the rows as they were before the statement, and
    whether `won` and `printed` matched.
    """
    key = (column, count_print)
    if key not in _check_in_statements:
        quote = connection.ops.quote_name
        select, joins, _columns = selectors.desk_card_sql()
        registrations = quote(Registration._meta.db_table)
        badges = quote(Badge._meta.db_table)
        log = quote(DeskLog._meta.db_table)
        printed = (
            f"UPDATE {badges} SET print_count = print_count + 1, last_printed_at = $3 "  # noqa: S608  # nosec B608
            "WHERE registration_id IN (SELECT id FROM won) AND print_count = 0 "
            "AND pdf <> '' AND content_hash <> '' RETURNING registration_id"
            if count_print
            else "SELECT NULL::bigint AS registration_id WHERE false"
        )
        _check_in_statements[key] = (
            f"WITH won AS (UPDATE {registrations} SET checked_in_at = $3, "  # noqa: S608  # nosec B608
            "checked_in_desk = $4, checked_in_by_id = $5, updated_at = $3 "
            f"WHERE event_id = $1 AND {quote(column)} = $2 "
            "AND state = $6 AND checked_in_at IS NULL RETURNING id), "
            f"printed AS ({printed}), "
            f"logged AS (INSERT INTO {log} "
            "(registration_id, action, desk, operator_id, reason, created_at) "
            "SELECT id, $7, $4, $5, '', $3 FROM won "
            "UNION ALL SELECT registration_id, $8, $4, $5, '', $3 FROM printed) "
            "SELECT EXISTS (SELECT 1 FROM won), EXISTS (SELECT 1 FROM printed), "
            f"{select} FROM {joins} WHERE r.event_id = $1 AND r.{quote(column)} = $2"
        )
    return _check_in_statements[key]


def _check_in_in_steps(
    *,
    event: Event,
    desk: str,
    operator: User | None,
    token: str | None,
    registration_id: int | None,
    count_print: bool,
) -> DeskResult:
    """desk_check_in() in separate statements, for SQLite (the demo's `make run`)."""
    with transaction.atomic():
        registration = _find(event=event, token=token, registration_id=registration_id)
        if registration is None:
            return _unknown(token or str(registration_id or ""), desk=desk, operator=operator)
        not_now = _refusal_or_already(registration, desk=desk, operator=operator)
        if not_now is not None:
            return not_now

        now = timezone.now()
        operator = _operator(operator)
        won = Registration.objects.filter(
            pk=registration.pk, state=State.CONFIRMED, checked_in_at__isnull=True
        ).update(checked_in_at=now, checked_in_desk=desk, checked_in_by=operator, updated_at=now)
        if not won:
            # Another desk was faster, or the state changed since the look-up: say which.
            registration.refresh_from_db(fields=["state", "checked_in_at", "checked_in_desk"])
            result = _refusal_or_already(registration, desk=desk, operator=operator)
            assert result is not None  # the UPDATE matched nothing, so one of the two holds
            return result

        registration.checked_in_at = now
        registration.checked_in_desk = desk
        registration.checked_in_by = operator
        logs = [
            _log(Action.CHECKED_IN, registration=registration, desk=desk, operator=operator, at=now)
        ]
        badge = _badge_of(registration)
        printed = count_print and badge is not None and badge.is_ready and badge.print_count == 0
        if printed:
            logs.append(
                _log(
                    Action.PRINTED, registration=registration, desk=desk, operator=operator, at=now
                )
            )
            badge.print_count += 1
            badge.last_printed_at = now
        _write(logs, count_print_of=badge if printed else None)
        return DeskResult(Outcome.CHECKED_IN, registration, printed=printed)


def _badge_of(registration: Registration) -> Badge | None:
    try:
        return registration.badge
    except Badge.DoesNotExist:
        return None


def _count_print(badge: Badge, now: datetime, *, in_memory: bool = True) -> None:
    Badge.objects.filter(pk=badge.pk).update(print_count=F("print_count") + 1, last_printed_at=now)
    if in_memory:
        badge.print_count += 1
        badge.last_printed_at = now


def badge_render_now(*, registration: Registration) -> Badge:
    """Render a missing badge at the desk (a walk-in, or the worker is behind)."""
    # The desk loads only what its card shows; the badge needs the whole registration.
    full = Registration.objects.select_related("event", "delegate__city", "city").get(
        pk=registration.pk
    )
    return badge_ensure(registration=full)


def badge_print(
    *, registration: Registration, desk: str, operator: User | None, reason: str = ""
) -> Badge:
    """Count a print of the badge (a reprint needs a reason) and return the badge to send.

    A badge that is not rendered yet (a walk-in, or a change the worker has not caught up with)
    is rendered here, once: a few tens of milliseconds in a warm process.
    """
    desk = desk_name_clean(desk)
    reason = " ".join((reason or "").split())
    if registration.state != State.CONFIRMED:
        raise RegistrationError(
            _("A %(state)s registration has no badge to print.")
            % {"state": registration.get_state_display().lower()}
        )
    badge = _badge_of(registration)
    if badge is None or not badge.is_ready:
        badge = badge_render_now(registration=registration)
    with transaction.atomic():
        badge = Badge.objects.select_for_update().get(pk=badge.pk)
        if badge.print_count > 0 and not reason:
            raise RegistrationError(
                _("This badge was printed before. Please give the reason for the reprint."),
                field="reason",
            )
        now = timezone.now()
        action = Action.REPRINTED if badge.print_count else Action.PRINTED
        _count_print(badge, now)
        _log(
            action, registration=registration, desk=desk, operator=operator, reason=reason, at=now
        ).save()
    return badge


def _existing_registration(event: Event, email: str) -> Registration | None:
    return (
        Registration.objects.filter(event=event, delegate__email__iexact=email)
        .select_related("delegate")
        .first()
    )


def _already_registered(email: str) -> RegistrationError:
    return RegistrationError(
        _("%(email)s is already registered for this event. Please search for the name instead.")
        % {"email": email},
        field="email",
    )


def walk_in_register(
    *, event: Event, data: dict[str, Any], desk: str, operator: User | None
) -> Registration:
    """Register and check in a person who arrives without a registration.

    Confirmed at once and outside the city's quota (the secretariat decides at the desk), but
    never a second registration for the same email. `data`: given_name, family_name, email,
    category and either city (a MemberCity) or other_city; native_name and other_country
    are optional.
    """
    desk = desk_name_clean(desk)
    operator = _operator(operator)
    email = (data.get("email") or "").strip().lower()
    if not email:
        raise RegistrationError(_("Please give an email address."), field="email")
    category = data.get("category") or Category.DELEGATE
    if category not in Category.values:
        raise RegistrationError(_("Please choose a category."), field="category")
    person = {
        field: data[field]
        for field in (
            "given_name",
            "family_name",
            "native_name",
            "city",
            "other_city",
            "other_country",
        )
        if field in data
    }
    if not person.get("city") and not (person.get("other_city") or "").strip():
        raise RegistrationError(_("Please choose the city or write its name."), field="city")
    try:
        with transaction.atomic():
            if _existing_registration(event, email) is not None:
                raise _already_registered(email)
            existing = Delegate.objects.filter(email__iexact=email).first()
            if existing is not None:
                # A person known from an earlier event: keep what they wrote themselves.
                person = {k: v for k, v in person.items() if not getattr(existing, k, None)}
            delegate, _changes = delegate_save(
                delegate=existing,
                email=email,
                data=person,
                registered_by=operator if existing is None else None,
            )
            now = timezone.now()
            registration = Registration.objects.create(
                event=event,
                delegate=delegate,
                city=delegate.city,
                delegation_role=_ROLE_FOR_CATEGORY.get(category, DelegationRole.DELEGATE),
                category=category,
                state=State.CONFIRMED,
                holds_place=False,
                consent_given_at=now,
                privacy_notice=selectors.privacy_notice_current(),
                language=delegate.language,
                submitted_by=operator,
                submitted_at=now,
                state_changed_at=now,
                staff_notes=_("Walk-in at %(desk)s") % {"desk": desk},
                checked_in_at=now,
                checked_in_desk=desk,
                checked_in_by=operator,
            )
            RegistrationLog.objects.bulk_create(
                [
                    RegistrationLog(
                        registration=registration,
                        action=RegistrationLog.Action.SUBMITTED,
                        to_state=State.CONFIRMED,
                        actor=operator,
                        reason=_("Walk-in at the venue desk (%(desk)s).") % {"desk": desk},
                        created_at=now,
                    ),
                    RegistrationLog(
                        registration=registration,
                        action=RegistrationLog.Action.CONFIRMED,
                        from_state=State.PENDING,
                        to_state=State.CONFIRMED,
                        actor=operator,
                        reason=_("Confirmed at the desk, outside the city's quota."),
                        created_at=now,
                    ),
                ]
            )
            DeskLog.objects.bulk_create(
                [
                    _log(
                        Action.WALK_IN,
                        registration=registration,
                        desk=desk,
                        operator=operator,
                        at=now,
                    ),
                    _log(
                        Action.CHECKED_IN,
                        registration=registration,
                        desk=desk,
                        operator=operator,
                        at=now,
                    ),
                ]
            )
            email_queue_for_registration(registration=registration, kind=OutboxEmail.Kind.CONFIRMED)
            return registration
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise RegistrationError(" ".join(messages), field=field) from error
    except IntegrityError as error:
        # The same person registered at two desks at once: the database constraint decides.
        if "one_registration_per_delegate_per_event" in str(error) or "email" in str(error):
            raise _already_registered(email) from error
        raise
