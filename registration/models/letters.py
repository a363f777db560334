"""Visa invitation letters issued by the secretariat."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.models.registrations import Registration
from registration.models.storage import private_storage


class VisaLetter(models.Model):
    """The visa invitation letter the secretariat issued for a registration."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="visa_letter"
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to="letters/", blank=True)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("visa letter")
        verbose_name_plural = _("visa letters")

    def __str__(self) -> str:
        return self.reference
