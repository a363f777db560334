"""What the desk shows: a registration's card and a scan's outcome, as plain data for the page's
script. Only what the desk needs: no passport details, no phone, no admin links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from registration.models import Badge, Category, Registration, State
from registration.rendering.badge_content import CATEGORY_STYLES, detect_script_lang, text_direction
from registration.services.checkin import DeskResult, Outcome


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return formats.time_format(timezone.localtime(moment), "H:i")


def local_datetime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return local_time(moment)
    return formats.date_format(local, "SHORT_DATETIME_FORMAT")


def badge_status(badge: Badge | None) -> str:
    if badge is None or not badge.is_ready:
        return _("Not rendered yet: it is made when printed")
    if not badge.print_count:
        return _("Ready, not printed yet")
    return ngettext(
        "Printed once, at %(time)s",
        "Printed %(count)d times, last at %(time)s",
        badge.print_count,
    ) % {"count": badge.print_count, "time": local_datetime(badge.last_printed_at)}


def card_data(registration: Registration) -> dict[str, Any]:
    """The desk card of one registration, as plain data for the page's script."""
    delegate = registration.delegate
    native_lang = detect_script_lang(delegate.native_name) if delegate.native_name else None
    try:
        badge = registration.badge
    except Registration.badge.RelatedObjectDoesNotExist:
        badge = None
    country = delegate.country
    notes: list[dict[str, str]] = []
    if registration.category == Category.VIP:
        notes.append({"kind": "vip", "text": _("VIP")})
    if registration.staff_notes:
        notes.append({"kind": "staff", "text": registration.staff_notes})
    if delegate.accessibility_needs:
        notes.append(
            {
                "kind": "access",
                "text": _("Accessibility: %(needs)s") % {"needs": delegate.accessibility_needs},
            }
        )
    style = CATEGORY_STYLES.get(registration.category)
    return {
        "id": registration.pk,
        "honorific": delegate.get_honorific_display() if delegate.honorific else "",
        "given_name": delegate.given_name,
        "family_name": delegate.family_name,
        "native_name": delegate.native_name,
        "native_lang": native_lang or "",
        "native_dir": text_direction(native_lang) if native_lang else "auto",
        "email": delegate.email,
        "organisation": delegate.organisation,
        "job_title": delegate.job_title,
        "city": delegate.city_name,
        "country": str(country.name) if country else "",
        "category": registration.category,
        "category_label": str(style.label if style else registration.get_category_display()),
        "state": registration.state,
        "state_label": str(registration.get_state_display()),
        "notes": notes,
        "photo_url": delegate.photo.url if delegate.photo else "",
        "checked_in": registration.checked_in_at is not None,
        "checked_in_at": local_datetime(registration.checked_in_at),
        "checked_in_desk": registration.checked_in_desk,
        "badge_ready": bool(badge and badge.is_ready),
        "print_count": badge.print_count if badge else 0,
        "badge_status": badge_status(badge),
        "badge_url": reverse("desk_badge", args=[registration.pk]),
    }


REFUSAL_TITLES = {
    State.CANCELLED: gettext_lazy("Cancelled – not checked in"),
    State.DECLINED: gettext_lazy("Declined – not checked in"),
    State.WAITLISTED: gettext_lazy("Waitlisted – not checked in"),
    State.PENDING: gettext_lazy("Not confirmed yet – not checked in"),
    State.ERASED: gettext_lazy("Registration withdrawn – not checked in"),
}


def outcome_data(result: DeskResult) -> dict[str, Any]:
    """The outcome in words (and, through its name, in colour) with the card when there is one."""
    registration = result.registration
    if result.outcome == Outcome.UNKNOWN or registration is None:
        return {
            "outcome": Outcome.UNKNOWN,
            "title": _("Unknown code"),
            "message": _(
                "No registration of this event has this code. Nothing was changed. "
                "Scan again, or search by name."
            ),
        }
    if result.outcome == Outcome.READY:
        title = _("Found – not checked in yet")
        message = _("Check the photo, then press Enter to check in and print the badge.")
    elif result.outcome == Outcome.CHECKED_IN:
        title = _("Checked in")
        message = _("Hand over the badge. Welcome!")
    elif result.outcome == Outcome.ALREADY:
        title = _("Already checked in")
        message = _(
            "Checked in at %(time)s at %(desk)s. Reprint the badge only if it was lost."
        ) % {
            "time": local_datetime(registration.checked_in_at),
            "desk": registration.checked_in_desk or _("an unknown desk"),
        }
    else:
        title = str(REFUSAL_TITLES.get(registration.state, _("Not checked in")))
        message = _(
            "Please send the delegate to the secretariat's help desk. Nothing was changed here."
        )
    return {
        "outcome": result.outcome,
        "title": title,
        "message": message,
        "printed": result.printed,
        "card": card_data(registration),
    }
