"""Writes at the venue desk: scan, check-in and badge prints (walk-ins: walk_ins.py).

A check-in is one conditional UPDATE that only one desk can win: of two desks scanning the same
badge at once, one checks the delegate in and the other is told when and where that happened. It
never renders anything; badges are rendered ahead of time by the worker and only read here.
Every scan that is not a plain look-up, every check-in and every print writes a DeskLog row,
through desk_log_write() alone.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from delegates.models import User
from delegates.selectors import acting_user
from registration.errors import RegistrationError
from registration.models import Badge, DeskLog, Event, Registration, State
from registration.selectors import desk as desk_selectors
from registration.services.badges import badge_ensure

DESK_NAME_MAX_LENGTH = 40
REASON_MAX_LENGTH = 300
# What an unknown code looked like, for the log: enough to tell a shop barcode from a typo.
UNKNOWN_CODE_LOGGED_LENGTH = 60
# Tries of a check-in whose UPDATE lost to a change that was undone before the desk looked again.
CHECK_IN_ATTEMPTS = 3

Action = DeskLog.Action

# Reasons the desk writes or offers, stored in English and translated only when shown, so that
# the log reads the same whichever language each operator's page was in.
WALK_IN_REASON = gettext_noop("Confirmed at the desk, outside the city's quota.")
REPRINT_REASONS = (
    gettext_noop("Badge lost"),
    gettext_noop("Badge damaged"),
    gettext_noop("Printer jam"),
    gettext_noop("Name corrected"),
)
_STORED_REASONS = frozenset({WALK_IN_REASON, *REPRINT_REASONS})


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


def desk_operator(operator: User | None) -> User | None:
    """The operator as stored: an anonymous user (a script, a test) is nobody."""
    return operator if operator is not None and operator.is_authenticated else None


def desk_log_write(
    *actions: str,
    registration: Registration | None,
    desk: str,
    operator: User | None,
    reason: str = "",
    at: datetime | None = None,
) -> None:
    """Write one desk log row per action, in one INSERT. Nothing else writes the desk log.

    `reason` is stored as given: a registration's state, a code as scanned, an operator's own
    words, or one of the English texts above, which desk_log_reason_shown() translates.
    """
    at = at or timezone.now()
    operator = desk_operator(operator)
    rows = [
        DeskLog(
            registration=registration,
            action=action,
            desk=desk,
            operator=operator,
            reason=reason[:REASON_MAX_LENGTH],
            created_at=at,
        )
        for action in actions
    ]
    if len(rows) == 1:
        # bulk_create() opens a transaction of its own: two more round trips for a re-scan.
        rows[0].save(force_insert=True)
    else:
        DeskLog.objects.bulk_create(rows)


def desk_log_reason_shown(*, action: str, reason: str) -> str:
    """A stored reason in the active language: a state by its label, the desk's own reasons
    translated, anything else (a scanned code, an operator's words) as it was written."""
    if action == Action.REFUSED and reason in State.values:
        return str(State(reason).label)
    if reason in _STORED_REASONS:
        return _(reason)
    return reason


def reprint_reason_stored(reason: str) -> str:
    """The reason as stored: one the page offers goes back to its English text, whichever
    language the operator picked it in; anything else stays the operator's own words."""
    reason = " ".join((reason or "").split())
    wanted = reason.casefold()
    for offered in REPRINT_REASONS:
        if wanted in (offered.casefold(), _(offered).casefold()):
            return offered
    return reason


def _refusal_or_already(
    registration: Registration, *, desk: str, operator: User | None
) -> DeskResult | None:
    """The outcome of a registration that cannot be checked in now, logged; None if it can."""
    if registration.state != State.CONFIRMED:
        desk_log_write(
            Action.REFUSED,
            registration=registration,
            desk=desk,
            operator=operator,
            reason=registration.state,
        )
        return DeskResult(Outcome.REFUSED, registration)
    if registration.checked_in_at is not None:
        desk_log_write(
            Action.ALREADY_CHECKED_IN, registration=registration, desk=desk, operator=operator
        )
        return DeskResult(Outcome.ALREADY, registration)
    return None


class TooManyUnknownCodes(RegistrationError):
    """More unknown codes in a minute than a queue of real badges gives: someone is guessing."""

    status = 429


def _unknown(code: str, *, desk: str, operator: User | None) -> DeskResult:
    desk_log_write(
        Action.UNKNOWN_CODE,
        registration=None,
        desk=desk,
        operator=operator,
        reason=code[:UNKNOWN_CODE_LOGGED_LENGTH],
    )
    _count_unknown_code(desk=desk, operator=operator)
    return DeskResult(Outcome.UNKNOWN)


def _count_unknown_code(*, desk: str, operator: User | None) -> None:
    """Limit unknown codes per operator (per desk without one): every one is still logged.

    Badge tokens carry 128 random bits, so guessing is hopeless anyway; the limit keeps a shared
    desk account from being used to flood the log, and tells a real operator what is wrong.
    """
    who = f"operator-{operator.pk}" if acting_user(operator) else f"desk-{desk}"
    key = f"desk:unknown-codes:{who}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # the cache lost the key (Redis restarted): count afresh
        cache.set(key, 1, timeout=120)
        count = 1
    if count > settings.DESK_UNKNOWN_CODES_PER_MINUTE:
        raise TooManyUnknownCodes(
            _(
                "More than %(limit)d unknown codes in a minute. Please check the scanner and "
                "the badge, wait a moment, or search the delegate by name."
            )
            % {"limit": settings.DESK_UNKNOWN_CODES_PER_MINUTE}
        )


def _look_up(
    *, event: Event, desk: str, operator: User | None, token: str, registration_id: int | None
) -> Registration | DeskResult:
    """The registration with its desk card, or the outcome (logged) that ends the desk's step."""
    if registration_id is not None:
        found = desk_selectors.registration_for_desk_by_id(
            event=event, registration_id=registration_id
        )
    else:
        found = desk_selectors.registration_for_desk(event=event, token=token)
    if found is None:
        return _unknown(token or str(registration_id or ""), desk=desk, operator=operator)
    return _refusal_or_already(found, desk=desk, operator=operator) or found


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
    found = _look_up(
        event=event,
        desk=desk_name_clean(desk),
        operator=operator,
        token=(token or "").strip(),
        registration_id=registration_id,
    )
    return found if isinstance(found, DeskResult) else DeskResult(Outcome.READY, found)


def _first_print_counted(registration: Registration, now: datetime) -> bool:
    """Count the first print of the registration's badge if it is rendered and never printed."""
    badge = _badge_of(registration)
    if badge is None or not badge.is_ready or badge.print_count:
        return False
    # Conditional, like the check-in: a print counted meanwhile at another desk is not redone.
    if not Badge.objects.filter(pk=badge.pk, print_count=0).update(
        print_count=1, last_printed_at=now
    ):
        return False
    badge.print_count = 1
    badge.last_printed_at = now
    return True


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
    opens it for printing right after. Never a render.
    """
    desk = desk_name_clean(desk)
    operator = desk_operator(operator)
    token = (token or "").strip()
    for _attempt in range(CHECK_IN_ATTEMPTS):
        found = _look_up(
            event=event, desk=desk, operator=operator, token=token, registration_id=registration_id
        )
        if isinstance(found, DeskResult):
            return found
        now = timezone.now()
        with transaction.atomic():
            won = Registration.objects.filter(
                pk=found.pk, state=State.CONFIRMED, checked_in_at__isnull=True
            ).update(
                checked_in_at=now, checked_in_desk=desk, checked_in_by=operator, updated_at=now
            )
            if won:
                printed = count_print and _first_print_counted(found, now)
                actions = [Action.CHECKED_IN, *([Action.PRINTED] if printed else [])]
                desk_log_write(*actions, registration=found, desk=desk, operator=operator, at=now)
        if won:
            found.checked_in_at = now
            found.checked_in_desk = desk
            found.checked_in_by = operator
            return DeskResult(Outcome.CHECKED_IN, found, printed=printed)
        # Another desk was faster, or the state changed since the look-up: the next look says
        # which (and is logged as such).
    raise RegistrationError(_("The check-in did not go through. Please try again."))


def _badge_of(registration: Registration) -> Badge | None:
    try:
        return registration.badge
    except Badge.DoesNotExist:
        return None


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
    reason = reprint_reason_stored(reason)
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
        Badge.objects.filter(pk=badge.pk).update(
            print_count=F("print_count") + 1, last_printed_at=now
        )
        badge.print_count += 1
        badge.last_printed_at = now
        desk_log_write(
            action, registration=registration, desk=desk, operator=operator, reason=reason, at=now
        )
    return badge
