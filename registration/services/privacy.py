"""Personal data: a delegate's own copy, erasure on request, and the retention purge.

Korea's Personal Information Protection Act and the GDPR ask that personal data be kept no
longer than needed and be given back or erased on request; docs/privacy.md says what is kept.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from allauth.account.models import EmailAddress
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from delegates.files import files_delete_on_commit
from delegates.models import PASSPORT_FIELDS, Delegate, PassportAccessLog, User
from delegates.selectors import acting_user
from delegates.services import passport_access_log
from registration.errors import RegistrationError
from registration.models import (
    Badge,
    Event,
    OutboxEmail,
    PrivacyNotice,
    PurgeRecord,
    Registration,
    RegistrationLog,
    State,
    VisaLetter,
    new_badge_token,
)

logger = logging.getLogger(__name__)

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
RETAINED_REGISTRATION_FIELDS_CLEARED = (
    "arrival_date",
    "arrival_time",
    "arrival_flight",
    "departure_date",
    "departure_time",
    "departure_flight",
)
EMPTY = {
    "passport_date_of_birth": None,
    "passport_expiry": None,
    "arrival_date": None,
    "arrival_time": None,
    "departure_date": None,
    "departure_time": None,
}


def privacy_notice_publish(*, text_en: str, text_ko: str) -> PrivacyNotice:
    """A changed notice is a new version; consents already given keep pointing to theirs."""
    text_en, text_ko = text_en.strip(), text_ko.strip()
    if not text_en or not text_ko:
        raise RegistrationError(_("The notice needs its English and its Korean text."))
    with transaction.atomic():
        current = PrivacyNotice.objects.select_for_update().order_by("-version").first()
        if current and (current.text_en, current.text_ko) == (text_en, text_ko):
            return current
        return PrivacyNotice.objects.create(
            version=(current.version + 1) if current else 1, text_en=text_en, text_ko=text_ko
        )


def _has_value(instance: Any, name: str) -> bool:
    value = getattr(instance, name)
    return bool(value) if not hasattr(value, "name") else bool(value.name)


# ----------------------------------------------------------------------------------------------
# A delegate's own copy


def _iso(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def delegate_data_export(*, delegate: Delegate, viewer: User) -> bytes:
    """Everything held about the person, as a ZIP: data.json, badges and visa letters."""
    registrations = list(
        Registration.objects.filter(delegate=delegate)
        .select_related("event", "city", "privacy_notice")
        .prefetch_related("sessions", "log", "emails")
    )
    person = {
        "email": delegate.email,
        "honorific": delegate.get_honorific_display() if delegate.honorific else "",
        "given_name": delegate.given_name,
        "family_name": delegate.family_name,
        "name_in_own_script": delegate.native_name,
        "job_title": delegate.job_title,
        "organisation": delegate.organisation,
        "city": delegate.city_name,
        "country": delegate.country.name if delegate.country else "",
        "phone": delegate.phone,
        "preferred_language": delegate.language,
        "photo": "photo.jpg" if delegate.photo else None,
        "dietary_needs": delegate.get_diet_display() if delegate.diet else "",
        "dietary_details": delegate.dietary_notes,
        "accessibility_needs": delegate.accessibility_needs,
        "passport": {
            name.removeprefix("passport_"): _iso(getattr(delegate, name))
            for name in PASSPORT_FIELDS
        },
        "account": {"email": delegate.user.email, "created": _iso(delegate.user.date_joined)}
        if delegate.user_id
        else None,
        "erasure_requested_at": _iso(delegate.erasure_requested_at),
    }
    files: dict[str, bytes] = {}
    entries = []
    for registration in registrations:
        entry = {
            "event": registration.event.name,
            "event_dates": [_iso(registration.event.starts_on), _iso(registration.event.ends_on)],
            "state": registration.state,
            "delegation_role": registration.delegation_role,
            "category": registration.category,
            "sessions": [s.name for s in registration.sessions.all()],
            "visa_letter_wanted": registration.visa_letter_wanted,
            "hotel_needed": registration.hotel_needed,
            "hotel": registration.hotel_name,
            **{
                name: _iso(getattr(registration, name))
                for name in RETAINED_REGISTRATION_FIELDS_CLEARED
            },
            "consent": {
                "given_at": _iso(registration.consent_given_at),
                "privacy_notice_version": registration.privacy_notice.version
                if registration.privacy_notice
                else None,
            },
            "submitted_at": _iso(registration.submitted_at),
            "checked_in_at": _iso(registration.checked_in_at),
            "history": [
                {"when": _iso(e.created_at), "what": e.action, "reason": e.reason}
                for e in registration.log.all()
            ],
            "emails": [
                {
                    "kind": e.kind,
                    "subject": e.subject,
                    "status": e.status,
                    "sent_at": _iso(e.sent_at),
                }
                for e in registration.emails.all()
            ],
        }
        badge = Badge.objects.filter(registration=registration).first()
        if badge and badge.pdf:
            name = f"badge-{registration.event.slug}.pdf"
            with badge.pdf.open("rb") as handle:
                files[name] = handle.read()
            entry["badge"] = name
        letter = VisaLetter.objects.filter(registration=registration).first()
        if letter and letter.pdf:
            name = f"visa-letter-{letter.reference}.pdf"
            with letter.pdf.open("rb") as handle:
                files[name] = handle.read()
            entry["visa_letter"] = name
        entries.append(entry)
    if delegate.photo:
        with delegate.photo.open("rb") as handle:
            files["photo.jpg"] = handle.read()
    if any(getattr(delegate, name) for name in PASSPORT_FIELDS):
        passport_access_log(
            delegate_ids=[delegate.pk], viewer=viewer, place=PassportAccessLog.Place.EXPORT
        )
    document = {
        "exported_at": _iso(timezone.now()),
        "about": "Everything the WeGO EXCOM registration system holds about you.",
        "person": person,
        "registrations": entries,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# ----------------------------------------------------------------------------------------------
# Erasure on request


def delegate_request_erasure(*, delegate: Delegate, actor: User) -> Delegate:
    """The person asks to be forgotten; the secretariat carries it out (delegate_erase)."""
    if delegate.user_id != actor.pk:
        raise RegistrationError(
            _("Only the person themselves can ask for their data to be erased.")
        )
    if delegate.erased_at:
        raise RegistrationError(_("This person's data has already been erased."))
    with transaction.atomic():
        Delegate.objects.filter(pk=delegate.pk, erasure_requested_at__isnull=True).update(
            erasure_requested_at=timezone.now()
        )
    delegate.refresh_from_db()
    return delegate


def delegate_erase(*, delegate: Delegate, actor: User | None) -> PurgeRecord:
    """Erase every personal field of a person; their registrations stay counted as "erased".

    Their places in the quota are freed for the waitlist, their badge token stops working,
    their files are deleted, and their login goes.
    """
    from registration.services.states import registration_free_place

    with transaction.atomic():
        delegate = Delegate.objects.select_for_update().get(pk=delegate.pk)
        if delegate.erased_at:
            raise RegistrationError(_("This person's data has already been erased."))
        files: list[tuple[Storage, str]] = []
        if delegate.photo:
            files.append((delegate.photo.storage, delegate.photo.name))
        registrations = list(
            Registration.objects.select_for_update(of=("self",))
            .filter(delegate=delegate)
            .select_related("event")
        )
        for registration in registrations:
            registration_free_place(
                registration=registration,
                actor=actor,
                reason=gettext_lazy("Erased at the person's request."),
            )
            for badge in Badge.objects.filter(registration=registration):
                if badge.pdf:
                    files.append((badge.pdf.storage, badge.pdf.name))
                badge.delete()
            for letter in VisaLetter.objects.filter(registration=registration):
                if letter.pdf:
                    files.append((letter.pdf.storage, letter.pdf.name))
                letter.delete()
            Registration.objects.filter(pk=registration.pk).update(
                state=State.ERASED,
                holds_place=False,
                badge_token=new_badge_token(),
                hotel_name="",
                staff_notes="",
                decline_reason="",
                checked_in_desk="",
                **{name: EMPTY.get(name, "") for name in RETAINED_REGISTRATION_FIELDS_CLEARED},
            )
            RegistrationLog.objects.filter(registration=registration).update(reason="", changes={})
            registration.history.all().delete()
        user = delegate.user
        placeholder = f"erased-{delegate.pk}@erased.invalid"
        # Their registrations' emails, and account emails (verification, password) to them.
        OutboxEmail.objects.filter(
            Q(registration__in=registrations) | Q(recipient__iexact=delegate.email)
        ).update(recipient="erased@invalid", subject="", body_text="", body_html="", last_error="")
        Delegate.objects.filter(pk=delegate.pk).update(
            user=None,
            email=placeholder,
            honorific="",
            given_name="",
            family_name="",
            native_name="",
            job_title="",
            organisation="",
            other_city="(erased)" if delegate.city_id is None else "",
            phone="",
            photo="",
            language=delegate.language,
            passport_name="",
            passport_number="",
            passport_nationality="",
            passport_date_of_birth="",
            passport_expiry="",
            diet="",
            dietary_notes="",
            accessibility_needs="",
            search_text="",
            registered_by=None,
            erased_at=timezone.now(),
        )
        delegate.history.all().delete()
        if user is not None and not user.is_staff:
            EmailAddress.objects.filter(user=user).delete()
            user.delete()
        record = PurgeRecord.objects.create(
            event=None,
            delegate_count=1,
            reason="erasure",
            ran_by=acting_user(actor),
            erased={
                "delegate": delegate.pk,
                "registrations": [r.pk for r in registrations],
                "files": len(files),
                "login": user is not None and not user.is_staff,
            },
        )
        files_delete_on_commit(files)
        return record


# ----------------------------------------------------------------------------------------------
# Retention


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
