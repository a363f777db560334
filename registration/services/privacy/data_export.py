"""A person's copy of everything held about them."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.db.models.fields.files import FieldFile
from django.utils import timezone

from delegates.models import PASSPORT_FIELDS, Delegate, PassportAccessLog, User
from delegates.services import passport_access_log
from registration.models import (
    Badge,
    Registration,
    VisaLetter,
)
from registration.services.privacy.retention import RETAINED_REGISTRATION_FIELDS_CLEARED


def _iso(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _add_file(files: dict[str, bytes], name: str, stored: FieldFile) -> str:
    with stored.open("rb") as handle:
        files[name] = handle.read()
    return name


def _passport_views(delegate: Delegate) -> list[dict[str, Any]]:
    """Who saw the person's passport details in full, when and where, newest first (this export
    included)."""
    views = PassportAccessLog.objects.filter(delegate=delegate).select_related("viewer")
    return [
        {
            "when": _iso(view.viewed_at),
            "who": (
                "you"
                if view.viewer_id is not None and view.viewer_id == delegate.user_id
                else (view.viewer.email if view.viewer else "no longer known (a deleted account)")
            ),
            "where": view.get_place_display(),
        }
        for view in views
    ]


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
            entry["badge"] = _add_file(files, f"badge-{registration.event.slug}.pdf", badge.pdf)
        letter = VisaLetter.objects.filter(registration=registration).first()
        if letter and letter.pdf:
            entry["visa_letter"] = _add_file(
                files, f"visa-letter-{letter.reference}.pdf", letter.pdf
            )
        entries.append(entry)
    if delegate.photo:
        _add_file(files, "photo.jpg", delegate.photo)
    if any(getattr(delegate, name) for name in PASSPORT_FIELDS):
        passport_access_log(
            delegate_ids=[delegate.pk], viewer=viewer, place=PassportAccessLog.Place.EXPORT
        )
    document = {
        "exported_at": _iso(timezone.now()),
        "about": "Everything the WeGO EXCOM registration system holds about you.",
        "person": person,
        "registrations": entries,
        "passport_details_seen_by": _passport_views(delegate),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
