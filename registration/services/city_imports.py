"""Writes for the member-city import: the request only stores the file; the worker does the rest.

city_import_create stores the upload privately and queues the check. city_import_check reads the
file within delegates.city_files' limits and makes the preview, saving nothing.
city_import_confirm queues the import, and city_import_apply imports the file all or nothing.
Each worker step claims its job first (a second run finds it taken or finished) and counts its
attempt before it starts, so a file that kills its worker every time ends as failed after
MAX_CITY_IMPORT_ATTEMPTS instead of being redelivered for ever. The file is deleted when the job
ends, or by city_imports_sweep a day after the upload.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import tablib
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from delegates.cities import CityFileError, cell_text
from delegates.city_files import city_dataset_read, city_file_check, city_file_limits
from delegates.files import file_write_on_commit, files_delete_on_commit
from delegates.models import User
from delegates.selectors import acting_user
from delegates.services import cities_apply, cities_preview
from registration.errors import RegistrationError
from registration.models import CityImportJob, private_storage
from registration.services.worker import (
    APPLY_CITY_IMPORT,
    CHECK_CITY_IMPORT,
    task_queue_on_commit,
)

logger = logging.getLogger(__name__)

MAX_CITY_IMPORT_ATTEMPTS = 3
KEEP_FILES_FOR = timedelta(days=1)
# Waiting this long, a job's task was lost (Redis was down when it was queued, or the worker
# died with it): the sweep queues it again. Longer than any step takes within the file limits.
STALE_AFTER = timedelta(minutes=10)
PROGRESS_EVERY_SECONDS = 0.25

Status = CityImportJob.Status


def city_import_create(*, upload: UploadedFile, actor: User | None, language: str) -> CityImportJob:
    """A job for the uploaded file, which is checked by its name and size only (nothing of it is
    read here); the worker reads it once the job is committed."""
    try:
        suffix = city_file_check(name=upload.name or "", size=upload.size or 0)
    except CityFileError as error:
        raise RegistrationError(str(error), field="import_file") from error
    name = f"city-imports/{secrets.token_hex(16)}{suffix}"
    # Copied now (the size is checked): the upload is closed when the request ends, which may
    # be before the commit that writes it.
    content = ContentFile(b"".join(upload.chunks()))
    with transaction.atomic():
        job = CityImportJob.objects.create(
            file=name,
            file_name=Path(upload.name or "").name[:255],
            language=language,
            created_by=acting_user(actor),
        )
        file_write_on_commit(private_storage(), name, content)
        task_queue_on_commit(CHECK_CITY_IMPORT, job.pk)
    return job


def city_import_confirm(*, job_id: int, actor: User | None) -> CityImportJob:
    """Queue the import of a checked file. A second click finds it queued and changes nothing."""
    with transaction.atomic():
        job = CityImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise RegistrationError(_("This import does not exist."))
        if job.status in (Status.CONFIRMED, Status.APPLYING, Status.DONE):
            return job
        if job.status != Status.READY:
            raise RegistrationError(
                _("This import cannot be confirmed (%(status)s). Upload the file again.")
                % {"status": job.get_status_display()}
            )
        job.status = Status.CONFIRMED
        job.attempts = 0
        job.confirmed_by = acting_user(actor)
        job.changed_at = timezone.now()
        job.save(update_fields=["status", "attempts", "confirmed_by", "changed_at"])
        task_queue_on_commit(APPLY_CITY_IMPORT, job.pk)
    return job


def city_import_check(*, job_id: int) -> CityImportJob | None:
    """Read and check the job's file, saving no city. Safe to run twice."""
    return _run(job_id, waiting=Status.QUEUED, working=Status.CHECKING, step=_check)


def city_import_apply(*, job_id: int) -> CityImportJob | None:
    """Import the confirmed job's file, all or nothing. Safe to run twice."""
    return _run(job_id, waiting=Status.CONFIRMED, working=Status.APPLYING, step=_apply)


def city_imports_sweep(*, now: datetime | None = None) -> int:
    """Fail the jobs older than a day and delete their files; queue again the jobs whose task
    was lost. Returns how many jobs it touched."""
    now = now or timezone.now()
    touched = 0
    unfinished = CityImportJob.objects.exclude(status__in=CityImportJob.ENDED)
    for job_id in unfinished.filter(created_at__lt=now - KEEP_FILES_FOR).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            job = CityImportJob.objects.select_for_update().get(pk=job_id)
            if job.status not in CityImportJob.ENDED:
                with translation.override(job.language):
                    message = _(
                        "This import was not finished within a day, and its file has been "
                        "deleted. Nothing was imported; upload the file again."
                    )
                _end(job, Status.FAILED, error=message)
                touched += 1
    # A file whose deletion failed when its job ended.
    for job in CityImportJob.objects.filter(status__in=CityImportJob.ENDED).exclude(file=""):
        with transaction.atomic():
            files_delete_on_commit([(private_storage(), job.file.name)])
            CityImportJob.objects.filter(pk=job.pk).update(file="")
    stale = CityImportJob.objects.filter(
        status__in=CityImportJob.WORKING,
        created_at__gte=now - KEEP_FILES_FOR,
        changed_at__lt=now - STALE_AFTER,
    )
    for job in stale.only("pk", "status"):
        waiting_for_check = job.status in (Status.QUEUED, Status.CHECKING)
        task_queue_on_commit(CHECK_CITY_IMPORT if waiting_for_check else APPLY_CITY_IMPORT, job.pk)
        touched += 1
    return touched


# --- The worker's steps --------------------------------------------------------------------------


def _run(
    job_id: int,
    *,
    waiting: str,
    working: str,
    step: Callable[[CityImportJob], CityImportJob],
) -> CityImportJob | None:
    job = _claim(job_id, waiting=waiting, working=working)
    if job is None:
        return CityImportJob.objects.filter(pk=job_id).first()
    with translation.override(job.language):
        try:
            return step(job)
        except Exception as error:
            # Anything unexpected (storage, the task's time limit) ends the job, so that the
            # progress page stops waiting and says why; no city was changed.
            logger.exception("city import %s failed", job.pk)
            return _finish(
                job.pk,
                Status.FAILED,
                expected=working,
                error=_("The file could not be imported (%(error)s). Nothing was imported.")
                % {"error": str(error) or type(error).__name__},
            )


def _claim(job_id: int, *, waiting: str, working: str) -> CityImportJob | None:
    """Take the job for this attempt; None when there is nothing (more) to do."""
    with transaction.atomic():
        job = CityImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in (waiting, working):
            return None
        if job.attempts >= MAX_CITY_IMPORT_ATTEMPTS:
            with translation.override(job.language):
                message = _(
                    "The worker stopped %(count)d times before it finished with this file. "
                    "Nothing was imported. Check that it is the list of member cities."
                ) % {"count": job.attempts}
            _end(job, Status.FAILED, error=message)
            return None
        job.attempts += 1
        job.status = working
        job.changed_at = timezone.now()
        job.save(update_fields=["attempts", "status", "changed_at"])
    cache.delete(job.progress_key)
    return job


def _check(job: CityImportJob) -> CityImportJob:
    try:
        dataset = _read(job)
    except CityFileError as error:
        return _finish(job.pk, Status.REJECTED, expected=Status.CHECKING, error=str(error))
    rows = sum(1 for row in dataset if any(cell_text(value) for value in row))
    CityImportJob.objects.filter(pk=job.pk).update(rows=rows)
    report = cities_preview(dataset, progress=_progress_writer(job))
    problems = report["file_errors"]
    status = Status.REJECTED if problems or report["rejected"] else Status.READY
    return _finish(
        job.pk, status, expected=Status.CHECKING, report=report, error="\n".join(problems)
    )


def _apply(job: CityImportJob) -> CityImportJob:
    try:
        dataset = _read(job)
    except CityFileError as error:
        return _finish(job.pk, Status.REJECTED, expected=Status.APPLYING, error=str(error))
    # The cities and the job's end in one transaction: a worker killed in between leaves
    # neither, and the next attempt starts from the same database.
    with transaction.atomic():
        locked = CityImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != Status.APPLYING:
            return locked
        applied, report = cities_apply(
            dataset, user=locked.confirmed_by, progress=_progress_writer(job)
        )
        _end(locked, Status.DONE if applied else Status.REJECTED, report=report)
        return locked


def _read(job: CityImportJob) -> tablib.Dataset:
    """The stored file's rows; never more of it than the size limit allows."""
    try:
        with job.file.open("rb") as handle:
            data = handle.read(city_file_limits().max_bytes + 1)
    except (OSError, ValueError) as error:
        raise CityFileError(_("The uploaded file is no longer there. Upload it again.")) from error
    return city_dataset_read(data, name=job.file_name)


def _progress_writer(job: CityImportJob) -> Callable[[int], None]:
    last_write = 0.0

    def write(done: int) -> None:
        nonlocal last_write
        if time.monotonic() - last_write >= PROGRESS_EVERY_SECONDS:
            cache.set(job.progress_key, done, timeout=3600)
            last_write = time.monotonic()

    return write


def _finish(job_id: int, status: str, *, expected: str, **values: Any) -> CityImportJob:
    """End the step unless something else ended the job meanwhile (the sweep, another run)."""
    with transaction.atomic():
        job = CityImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != expected:
            return job
        if status in CityImportJob.ENDED:
            _end(job, status, **values)
            return job
        for name, value in values.items():
            setattr(job, name, value)
        job.status = status
        job.changed_at = timezone.now()
        job.save(update_fields=["status", "changed_at", *values])
    return job


def _end(job: CityImportJob, status: str, **values: Any) -> None:
    """The job's last status; its file goes once this commits. Call inside a transaction."""
    if job.file:
        files_delete_on_commit([(private_storage(), job.file.name)])
    for name, value in values.items():
        setattr(job, name, value)
    job.status = status
    job.file = ""
    job.changed_at = job.finished_at = timezone.now()
    job.save(update_fields=["status", "file", "changed_at", "finished_at", *values])
