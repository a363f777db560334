"""Celery tasks: thin wrappers that load by primary key and call a service.

Tasks import services; services never import tasks. A service that needs work done by the
worker names the task (`registration.services.worker.task_queue_on_commit`), and the task is
queued only once the service's transaction has committed.
"""

from __future__ import annotations

import logging
import threading
from functools import partial
from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django import db
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import RedisError

from excom.circuit import redis_circuit
from registration.models import Event, Registration
from registration.services import outbox_delivery
from registration.services.badge_sheets import sheet_job_build
from registration.services.badges import BadgeError, badge_ensure
from registration.services.city_imports import (
    city_import_apply,
    city_import_check,
    city_imports_sweep,
)
from registration.services.privacy.retention import events_past_retention, personal_data_purge
from registration.services.reminders import event_reminders_queue

logger = logging.getLogger(__name__)

# What publishing raises when Redis is away: kombu's wrapper once its one retry is spent, or the
# client's own error before kombu sees it.
BROKER_ERRORS = (BrokerOperationalError, RedisError, ConnectionError, OSError)


class AfterCommitTask(DjangoTask):
    """A task queued after commit, for which a broker that is down is no error.

    Each row it works on (outbox email, badge, sheet job) stays where the sweep or the next
    reader finds it, so the person's action is saved and the work happens later. While Redis is
    known to be down (excom/circuit.py) nothing is tried: the request does not wait for it.
    """

    def queue_now(self, *args: Any, even_if_redis_seems_down: bool = False) -> None:
        """Publish the task now, or leave its row for the sweep.

        `even_if_redis_seems_down`: try all the same; for the sweep, for which no person waits
        and which runs only when Redis has just delivered it.
        """
        if self.app.conf.task_always_eager:
            self.delay(*args)
            return
        if not (redis_circuit.allow() or even_if_redis_seems_down):
            return
        try:
            self.delay(*args)
        except BROKER_ERRORS as error:
            redis_circuit.failure(error)
        except Exception:  # not the broker: a fault of ours, which must show in the log
            logger.exception("%s%r not queued now; it is picked up later", self.name, args)
        else:
            redis_circuit.success()

    def delay_on_commit(self, *args: Any, **kwargs: Any) -> None:
        transaction.on_commit(partial(self.queue_now, *args))


@shared_task(
    bind=True, base=AfterCommitTask, acks_late=True, reject_on_worker_lost=True, max_retries=None
)
def send_outbox_email(self, outbox_id: int) -> str:
    outcome = outbox_delivery.email_send(outbox_id=outbox_id)
    if outcome.retry_in is not None:
        if not self.request.is_eager:
            raise self.retry(countdown=outcome.retry_in)
        if settings.OUTBOX_RETRY_IN_PROCESS:
            _retry_in_process(outbox_id, outcome.retry_in)
    return outcome.status


def _retry_in_process(outbox_id: int, delay: float) -> None:
    """Without a worker (`make run`), a timer in this process sends the email again later.

    A request must not wait for a mail server that is down, and no beat runs to sweep.
    """

    def again() -> None:
        try:
            send_outbox_email.apply(args=[outbox_id])
        finally:
            db.connections.close_all()

    timer = threading.Timer(delay, again)
    timer.daemon = True
    timer.start()


@shared_task(base=AfterCommitTask, acks_late=True, reject_on_worker_lost=True)
def render_badge(registration_id: int) -> str:
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


@shared_task(base=AfterCommitTask, acks_late=True, reject_on_worker_lost=True)
def build_badge_sheet(job_id: int) -> str:
    job = sheet_job_build(job_id=job_id)
    return job.status if job is not None else "missing"


# Within the file limits (delegates/city_files.py) a step takes seconds; these end one that
# does not, and the job then says why (registration/services/city_imports.py).
CITY_IMPORT_LIMITS = {"soft_time_limit": 180, "time_limit": 240}


@shared_task(base=AfterCommitTask, acks_late=True, reject_on_worker_lost=True, **CITY_IMPORT_LIMITS)
def check_city_import(job_id: int) -> str:
    job = city_import_check(job_id=job_id)
    return job.status if job is not None else "missing"


@shared_task(base=AfterCommitTask, acks_late=True, reject_on_worker_lost=True, **CITY_IMPORT_LIMITS)
def apply_city_import(job_id: int) -> str:
    job = city_import_apply(job_id=job_id)
    return job.status if job is not None else "missing"


@shared_task(acks_late=True)
def sweep_city_imports() -> int:
    """Beat's sweep: city imports left for a day end and lose their file; lost tasks are queued
    again."""
    return city_imports_sweep()


@shared_task(acks_late=True)
def requeue_stale_emails() -> int:
    """Beat's sweep: queue again what waited too long (Redis was down, a worker died)."""
    stale_ids = outbox_delivery.outbox_stale_take()
    for outbox_id in stale_ids:
        send_outbox_email.queue_now(outbox_id, even_if_redis_seems_down=True)
    return len(stale_ids)


@shared_task(acks_late=True)
def send_event_reminders() -> int:
    return sum(event_reminders_queue(event=event) for event in Event.objects.filter(is_active=True))


@shared_task(acks_late=True)
def purge_expired_personal_data() -> int:
    return sum(1 for event in events_past_retention() if personal_data_purge(event=event))
