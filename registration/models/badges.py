"""A registration's stored badge, and sheets of many badges for printing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.models.registrations import Registration
from registration.models.storage import private_storage


class Badge(models.Model):
    """The stored PDF of a registration's badge, rebuilt only when what it shows changes."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="badge", verbose_name=_("registration")
    )
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to="badges/", blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
    render_attempts = models.PositiveSmallIntegerField(_("render attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    print_count = models.PositiveIntegerField(_("times printed"), default=0)
    last_printed_at = models.DateTimeField(_("last printed"), null=True, blank=True)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")

    def __str__(self) -> str:
        return f"Badge of {self.registration}"

    @property
    def is_ready(self) -> bool:
        return bool(self.pdf) and bool(self.content_hash)


class BadgeSheetJob(models.Model):
    """Many stored badges laid out in one PDF, built by the worker while a progress bar runs."""

    class Layout(models.TextChoices):
        A6 = "a6", _("A6, one badge per page")
        A4_FOUR_UP = "a4_four_up", _("A4, four A6 badges with cut marks")
        CR80 = "cr80", _("CR80 card (85.6 × 54 mm) for card printers")
        A6_DOUBLE_SIDED = "a6_double_sided", _("A6 double-sided (front and back)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    layout = models.CharField(_("layout"), max_length=20, choices=Layout.choices)
    registration_ids = models.JSONField(_("registrations"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("badges done"), default=0)
    total = models.PositiveIntegerField(_("badges"), default=0)
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to="sheets/", blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("badge sheet")
        verbose_name_plural = _("badge sheets")

    def __str__(self) -> str:
        return f"{self.get_layout_display()}: {self.total} badges"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
