"""Writes for bulk badge printing: a BadgeSheetJob is created in the request and built in the worker.

The build makes sure every badge is stored (badge_ensure renders only what is missing or out of
date), then imposes the stored PDFs on the chosen layout. Progress (done/total) is written to the
job's row a few times a second, which is what the progress page polls. Each build counts its
attempt and commits it before the work starts, so a build that kills its worker every time ends
as failed after MAX_SHEET_ATTEMPTS instead of being redelivered for ever.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import time
from collections.abc import Iterable

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delegates.models import User
from delegates.selectors import acting_user
from registration.errors import RegistrationError
from registration.models import Badge, BadgeSheetJob, Registration, State
from registration.rendering.sheet_layouts import BadgeFile, badge_sheet_write
from registration.services.badges import BadgeError, badge_ensure
from registration.services.worker import BUILD_BADGE_SHEET, task_queue_on_commit

logger = logging.getLogger(__name__)

MAX_SHEET_ATTEMPTS = 3
MAX_BADGES_PER_SHEET = 20_000
PROGRESS_EVERY_SECONDS = 0.25

Status = BadgeSheetJob.Status


def sheet_job_create(
    *, registration_ids: Iterable[int], layout: str, actor: User | None
) -> BadgeSheetJob:
    """A job for the confirmed registrations among `registration_ids`, queued after commit."""
    if layout not in BadgeSheetJob.Layout.values:
        raise RegistrationError(_("Please choose a sheet layout."), field="layout")
    wanted = list(dict.fromkeys(int(pk) for pk in registration_ids))
    confirmed = set(
        Registration.objects.filter(pk__in=wanted, state=State.CONFIRMED).values_list(
            "pk", flat=True
        )
    )
    ids = [pk for pk in wanted if pk in confirmed]
    if not ids:
        raise RegistrationError(
            _("None of the selected delegates is confirmed: only confirmed delegates get a badge.")
        )
    if len(ids) > MAX_BADGES_PER_SHEET:
        raise RegistrationError(
            _("Please print at most %(max)d badges at once.") % {"max": MAX_BADGES_PER_SHEET}
        )
    with transaction.atomic():
        job = BadgeSheetJob.objects.create(
            layout=layout,
            registration_ids=ids,
            total=len(ids),
            created_by=acting_user(actor),
        )
        task_queue_on_commit(BUILD_BADGE_SHEET, job.pk)
    return job


def _start(job_id: int) -> BadgeSheetJob | None:
    """Claim the job for this attempt; None when there is nothing (more) to do."""
    with transaction.atomic():
        job = BadgeSheetJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (Status.DONE, Status.FAILED):
            return None
        if job.attempts >= MAX_SHEET_ATTEMPTS:
            job.status = Status.FAILED
            job.error = job.error or _(
                "The sheet was tried %(count)d times and never finished (the worker stopped "
                "each time). Try fewer badges at once."
            ) % {"count": job.attempts}
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "error", "finished_at"])
            return None
        job.attempts += 1
        job.status = Status.RUNNING
        job.done = 0
        job.save(update_fields=["attempts", "status", "done"])
        return job


def _fail(job: BadgeSheetJob, message: str) -> BadgeSheetJob:
    job.status = Status.FAILED
    job.error = message[:4000]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    return job


def _badge_file(badge: Badge) -> BadgeFile:
    try:
        return badge.pdf.path
    except NotImplementedError:  # a storage without local paths
        with badge.pdf.open("rb") as handle:
            return handle.read()


def sheet_job_build(*, job_id: int) -> BadgeSheetJob | None:
    """Build the job's PDF. Safe to run twice: a finished job is returned as it is."""
    job = _start(job_id)
    if job is None:
        return BadgeSheetJob.objects.filter(pk=job_id).first()
    try:
        return _build(job)
    except Exception as error:
        # Anything unexpected (storage, the task's time limit) ends the job, so that the
        # progress page stops waiting and says why.
        logger.exception("badge sheet %s failed", job.pk)
        return _fail(job, _("The sheet could not be built: %(error)s") % {"error": error})


def _build(job: BadgeSheetJob) -> BadgeSheetJob:
    registrations = Registration.objects.select_related("delegate__city", "city", "event").in_bulk(
        job.registration_ids
    )
    files: list[BadgeFile] = []
    problems: list[str] = []
    last_write = time.monotonic()
    for number, pk in enumerate(job.registration_ids, start=1):
        registration = registrations.get(pk)
        if registration is None or registration.state != State.CONFIRMED:
            problems.append(_("#%(id)s is no longer confirmed; left out.") % {"id": pk})
        else:
            try:
                files.append(_badge_file(badge_ensure(registration=registration)))
            except BadgeError as error:
                problems.append(f"{registration.delegate}: {error.message}")
        if time.monotonic() - last_write >= PROGRESS_EVERY_SECONDS:
            BadgeSheetJob.objects.filter(pk=job.pk).update(done=number)
            last_write = time.monotonic()

    if not files:
        return _fail(job, "\n".join(problems) or _("No badges to print."))

    handle, path = tempfile.mkstemp(suffix=".pdf")
    os.close(handle)
    try:
        badge_sheet_write(badge_files=files, layout=job.layout, target=path)
        with transaction.atomic():
            job = BadgeSheetJob.objects.select_for_update().get(pk=job.pk)
            if job.status == Status.DONE:  # another run finished first
                return job
            with open(path, "rb") as pdf:
                job.pdf.save(f"{secrets.token_hex(16)}.pdf", File(pdf), save=False)
            job.status = Status.DONE
            job.done = job.total
            job.error = "\n".join(problems)
            job.finished_at = timezone.now()
            job.save(update_fields=["pdf", "status", "done", "error", "finished_at"])
    finally:
        os.unlink(path)
    return job
