"""Writes for badges: render a registration's badge when what it prints changed, and store it.

`badge_facts` is the one place that reads what a badge prints from the registration, its delegate,
city and event; everything after it (registration.rendering) works on those plain values.

The render itself (tens of milliseconds, a second in a cold process) runs outside any transaction
and holds no row lock. Before it starts, the attempt is counted and committed, so a render that
kills its worker every time is seen and stopped at MAX_RENDER_ATTEMPTS instead of looping.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from delegates.files import files_delete_on_commit
from registration.errors import RegistrationError
from registration.models import Badge, Registration
from registration.rendering.badge_content import (
    BADGE_LANGUAGE,
    BadgeFacts,
    badge_content_hash,
    badge_context,
)
from registration.rendering.badge_pdf import render_badge_pdf
from registration.services.worker import RENDER_BADGE, task_queue_on_commit

logger = logging.getLogger(__name__)

MAX_RENDER_ATTEMPTS = 3
# Written before a render starts and cleared when it ends: if it is still there on the next
# call, the previous render never finished (the worker was killed or ran out of memory).
UNFINISHED_MARK = "Rendering started at {at} and did not finish."


class BadgeError(RegistrationError):
    """The badge could not be made; the message says why."""


def _photo_path(registration: Registration) -> str | None:
    photo = registration.delegate.photo
    if not photo:
        return None
    try:
        path = Path(photo.path)
    except NotImplementedError:
        # A storage without local paths: the renderer only reads local files.
        return None
    return str(path) if path.is_file() else None


def badge_facts(registration: Registration) -> BadgeFacts:
    """What the registration's badge prints, read from it, its delegate, city and event.

    Queries for whichever of those were not loaded with the registration (select_related).
    """
    delegate = registration.delegate
    event = registration.event
    city = registration.city or delegate.city
    with translation.override(BADGE_LANGUAGE):
        honorific = delegate.get_honorific_display() if delegate.honorific else ""
        if city is not None:
            city_name, country = city.name_en, city.country.name if city.country else ""
        else:
            other = delegate.other_country
            city_name, country = delegate.other_city, other.name if other else ""
    return BadgeFacts(
        event_name=event.name,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        event_place=event.host_city,
        honorific=honorific,
        given_name=delegate.given_name,
        family_name=delegate.family_name,
        native_name=delegate.native_name,
        job_title=delegate.job_title,
        organisation=delegate.organisation,
        city=city_name,
        country=country,
        category=str(registration.category),
        badge_token=registration.badge_token,
        photo_path=_photo_path(registration),
    )


def _is_current(badge: Badge, content_hash: str) -> bool:
    return (
        bool(badge.pdf)
        and badge.content_hash == content_hash
        and badge.pdf.storage.exists(badge.pdf.name)
    )


def badge_ensure(*, registration: Registration) -> Badge:
    """The registration's badge, rendered and stored if it is missing or out of date.

    Safe to run twice, also at the same time: a second call finds the badge current and returns
    it; of two renders racing, the first to commit is kept and the other file is never stored.
    """
    context = badge_context(badge_facts(registration))
    content_hash = badge_content_hash(context)

    with transaction.atomic():
        badge, _created = Badge.objects.get_or_create(registration=registration)
        badge = Badge.objects.select_for_update().get(pk=badge.pk)
        if _is_current(badge, content_hash):
            return badge
        if badge.last_error and badge.render_attempts >= MAX_RENDER_ATTEMPTS:
            raise BadgeError(
                _("The badge failed %(count)d times and is not tried again: %(error)s")
                % {"count": badge.render_attempts, "error": badge.last_error}
            )
        if not badge.last_error:
            # The last render ended well: this is a new round of attempts for new content.
            badge.render_attempts = 0
        badge.render_attempts += 1
        badge.last_error = UNFINISHED_MARK.format(at=timezone.now().isoformat())
        badge.save(update_fields=["render_attempts", "last_error"])

    try:
        pdf = render_badge_pdf(context)
    except Exception as error:
        Badge.objects.filter(pk=badge.pk).update(
            last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        logger.exception("Badge of registration %s failed to render", registration.pk)
        raise BadgeError(
            _("The badge could not be rendered: %(error)s") % {"error": error}
        ) from error

    with transaction.atomic():
        badge = Badge.objects.select_for_update().get(pk=badge.pk)
        if _is_current(badge, content_hash):
            # Another worker stored the same content while this one rendered.
            return badge
        old_name = badge.pdf.name if badge.pdf else ""
        # A random name: the file says nothing about whose badge it is or how many there are.
        badge.pdf.save(f"{secrets.token_hex(16)}.pdf", ContentFile(pdf), save=False)
        new_name = badge.pdf.name
        try:
            badge.content_hash = content_hash
            badge.rendered_at = timezone.now()
            badge.last_error = ""
            badge.save(update_fields=["pdf", "content_hash", "rendered_at", "last_error"])
        except Exception:
            badge.pdf.storage.delete(new_name)
            raise
        if old_name != new_name:
            files_delete_on_commit([(badge.pdf.storage, old_name)])
    return badge


def badge_pdf_bytes(*, registration: Registration) -> bytes:
    """The stored badge PDF, rendered first when it is missing or out of date."""
    badge = badge_ensure(registration=registration)
    with badge.pdf.open("rb") as handle:
        return handle.read()


def badge_queue_render(*, registration: Registration) -> None:
    """Render the badge in the worker once the transaction commits (a no-op if it is current).

    A broker that is down is no error: the badge is rendered when it is first needed instead.
    """
    task_queue_on_commit(RENDER_BADGE, registration.pk)
