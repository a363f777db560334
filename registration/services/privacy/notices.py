"""The privacy notice: a changed text is published as the next version."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from registration.errors import RegistrationError
from registration.models import (
    PrivacyNotice,
)


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
