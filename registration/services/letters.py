"""Visa invitation letters: a PDF on the secretariat's letterhead with the delegate's passport details.

The letter is rendered with WeasyPrint (only our own static files may be fetched) and stored in
private storage. Every time staff generate or download one, a PassportAccessLog row (place
VISA_LETTER) says who saw the passport details and when.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries
from weasyprint import HTML

from delegates.files import files_delete_on_commit
from delegates.models import PASSPORT_FIELDS, PassportAccessLog, User
from delegates.selectors import acting_user
from delegates.services import passport_access_log
from registration.errors import RegistrationError
from registration.models import Registration, State, VisaLetter
from registration.rendering.badge_content import format_event_dates
from registration.rendering.safe_fetcher import BadgeURLFetcher

LETTER_TEMPLATE = "letters/visa_letter.html"
# Consulates read English; the letter is in English whatever the staff member's language.
LETTER_LANGUAGE = "en"

# Overridable with a VISA_LETTER_SENDER setting (same keys).
DEFAULT_SENDER: dict[str, Any] = {
    "organisation": "World Smart Sustainable Cities Organization (WeGO)",
    "unit": "WeGO Secretariat",
    "address_lines": [
        "Seoul Global Center 7F, 38 Jong-ro, Jongno-gu",
        "Seoul 03188, Republic of Korea",
    ],
    "email": "secretariat@we-gov.org",
    "phone": "+82 2 720 2934",
    "website": "www.we-gov.org",
    "signatory_name": "Secretary General",
    "signatory_title": "WeGO Secretariat",
}

PASSPORT_REQUIRED = PASSPORT_FIELDS


def letter_sender() -> dict[str, Any]:
    return {**DEFAULT_SENDER, **getattr(settings, "VISA_LETTER_SENDER", {})}


def letter_reference(registration: Registration) -> str:
    """E.g. WEGO-EXCOM-2019-VL-00037: the event and the registration, never the person."""
    event = registration.event.slug.upper()
    prefix = event if event.startswith("WEGO") else f"WEGO-{event}"
    return f"{prefix}-VL-{registration.pk:05d}"


def _check_issuable(registration: Registration) -> None:
    delegate = registration.delegate
    if not registration.visa_letter_wanted:
        raise RegistrationError(
            _("%(name)s did not ask for a visa letter.") % {"name": delegate.full_name}
        )
    if registration.state != State.CONFIRMED:
        raise RegistrationError(
            _("%(name)s is %(state)s: visa letters are for confirmed delegates only.")
            % {"name": delegate.full_name, "state": registration.get_state_display().lower()}
        )
    missing = [name for name in PASSPORT_REQUIRED if not getattr(delegate, name)]
    if missing:
        labels = ", ".join(str(delegate._meta.get_field(name).verbose_name) for name in missing)
        raise RegistrationError(
            _("%(name)s's passport details are incomplete (%(missing)s).")
            % {"name": delegate.full_name, "missing": labels}
        )


def _long_date(value: date | None) -> str:
    return dateformat.format(value, "j F Y") if value else ""


def letter_context(*, registration: Registration, reference: str, issued_on: date) -> dict:
    delegate = registration.delegate
    event = registration.event
    nationality = delegate.passport_nationality
    return {
        "sender": letter_sender(),
        "reference": reference,
        "issued_on": _long_date(issued_on),
        "event": event,
        "event_dates": format_event_dates(event.starts_on, event.ends_on),
        "starts_on": _long_date(event.starts_on),
        "ends_on": _long_date(event.ends_on),
        "delegate": delegate,
        "registration": registration,
        "passport": {
            "name": delegate.passport_name,
            "number": delegate.passport_number,
            "nationality": dict(countries).get(nationality.upper(), nationality),
            "date_of_birth": _long_date(delegate.passport_date_of_birth),
            "expiry": _long_date(delegate.passport_expiry),
        },
        "city": delegate.city_name,
        "arrival": _long_date(registration.arrival_date),
        "departure": _long_date(registration.departure_date),
        "role": registration.get_delegation_role_display(),
    }


def visa_letter_render(*, registration: Registration, reference: str, issued_on: date) -> bytes:
    """The letter as PDF bytes; nothing is stored or logged here."""
    with translation.override(LETTER_LANGUAGE):
        context = letter_context(
            registration=registration, reference=reference, issued_on=issued_on
        )
        html = render_to_string(LETTER_TEMPLATE, context)
    return HTML(string=html, base_url=None, url_fetcher=BadgeURLFetcher()).write_pdf()


def _log_access(registration: Registration, viewer: User | None) -> None:
    passport_access_log(
        delegate_ids=[registration.delegate_id],
        viewer=viewer,
        place=PassportAccessLog.Place.VISA_LETTER,
    )


def visa_letter_issue(*, registration: Registration, actor: User | None) -> VisaLetter:
    """Generate (or generate again) the registration's letter, store it and log the access."""
    registration = Registration.objects.select_related("delegate__city", "event", "city").get(
        pk=registration.pk
    )
    _check_issuable(registration)
    reference = letter_reference(registration)
    issued_at = timezone.now()
    pdf = visa_letter_render(
        registration=registration, reference=reference, issued_on=timezone.localdate(issued_at)
    )
    with transaction.atomic():
        letter, _created = VisaLetter.objects.select_for_update().get_or_create(
            registration=registration, defaults={"reference": reference}
        )
        old_name = letter.pdf.name if letter.pdf else ""
        letter.pdf.save(f"{secrets.token_hex(16)}.pdf", ContentFile(pdf), save=False)
        letter.reference = reference
        letter.issued_at = issued_at
        letter.issued_by = acting_user(actor)
        letter.save()
        _log_access(registration, actor)
        if old_name != letter.pdf.name:
            files_delete_on_commit([(letter.pdf.storage, old_name)])
    return letter


def visa_letter_pdf(
    *, registration: Registration, viewer: User | None, log_access: bool = True
) -> tuple[VisaLetter, bytes]:
    """The stored letter for a download; staff downloads are logged as a passport access."""
    letter = VisaLetter.objects.filter(registration=registration).first()
    if letter is None or not letter.pdf:
        raise RegistrationError(_("No visa letter has been issued for this registration yet."))
    with letter.pdf.open("rb") as handle:
        content = handle.read()
    if log_access:
        _log_access(registration, viewer)
    return letter, content
