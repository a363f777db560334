"""Celery tasks: thin wrappers that load by primary key and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from registration.services import mail
from registration.services.badges import BadgeError, badge_ensure

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def send_outbox_email(self, outbox_id: int) -> str:
    outcome = mail.email_send(outbox_id=outbox_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        # Eager (in-process) runs leave the row queued for the sweep instead of blocking.
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_badge(registration_id: int) -> str:
    from registration.models import Registration

    registration = (
        Registration.objects.select_related("delegate__city", "city", "event")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return "missing"
    try:
        return badge_ensure(registration=registration).content_hash
    except BadgeError as error:
        return f"failed: {error.message}"


@shared_task(acks_late=True)
def requeue_stale_emails() -> int:
    return mail.outbox_requeue_stale()


@shared_task(acks_late=True)
def send_event_reminders() -> int:
    from registration.models import Event
    from registration.services.registrations import event_reminders_queue

    return sum(event_reminders_queue(event=event) for event in Event.objects.filter(is_active=True))


@shared_task(acks_late=True)
def purge_expired_personal_data() -> int:
    from registration.services.privacy import events_past_retention, personal_data_purge

    return sum(1 for event in events_past_retention() if personal_data_purge(event=event))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_badge_sheet(job_id: int) -> str:
    from registration.services.sheets import sheet_job_build

    job = sheet_job_build(job_id=job_id)
    return job.status if job is not None else "missing"
