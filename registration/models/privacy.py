"""The privacy notice people accept, and what the retention purge and erasures removed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.models.events import Event


class PrivacyNotice(models.Model):
    """A version of the privacy notice. A changed text is a new version; consents point to theirs."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    text_en = models.TextField(_("text in English"))
    text_ko = models.TextField(_("text in Korean"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")

    def __str__(self) -> str:
        return f"Privacy notice v{self.version}"

    def text_for(self, language: str) -> str:
        return self.text_ko if language == "ko" else self.text_en


class PurgeRecord(models.Model):
    """What the retention purge (or an erasure) removed, so the secretariat can show it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, null=True, related_name="purges")
    delegate_count = models.PositiveIntegerField(_("delegates"), default=0)
    erased = models.JSONField(_("what was erased"), default=dict)
    reason = models.CharField(_("reason"), max_length=40)
    ran_at = models.DateTimeField(_("when"), default=timezone.now)
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = _("personal data purge")
        verbose_name_plural = _("personal data purges")

    def __str__(self) -> str:
        return f"{self.reason} {self.ran_at:%Y-%m-%d}"
