"""A member-city file on its way in: read and checked by the worker, shown, then applied."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.models.storage import private_storage


class CityImportJob(models.Model):
    """One uploaded file of member cities and what became of it.

    The file is kept (privately) only while the job needs it: from the upload to the end, or a
    day at most. `report` holds delegates.services.import_report's data: the preview's rows and
    every rejected row, or after applying, what was applied.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be read")
        CHECKING = "checking", _("Reading and checking the rows")
        READY = "ready", _("Checked: waiting for your confirmation")
        REJECTED = "rejected", _("Rejected: nothing was imported")
        CONFIRMED = "confirmed", _("Confirmed: waiting to be imported")
        APPLYING = "applying", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed: nothing was imported")

    # The worker has something to do (the progress page keeps asking).
    WORKING = (Status.QUEUED, Status.CHECKING, Status.CONFIRMED, Status.APPLYING)
    ENDED = (Status.REJECTED, Status.DONE, Status.FAILED)

    file = models.FileField(
        _("file"), storage=private_storage, upload_to="city-imports/", blank=True
    )
    file_name = models.CharField(_("file name"), max_length=255)
    # The messages are written by the worker, which has no request: in the uploader's language.
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("city import")
        verbose_name_plural = _("city imports")
        indexes = [models.Index(fields=["status", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def progress_key(self) -> str:
        """Where the worker counts the rows it has checked: in the cache, because the rows are
        checked inside a transaction that the progress page could not see into."""
        return f"city-import-progress:{self.pk}"
