"""What happened at the venue desk."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.models.registrations import Registration


class DeskLog(models.Model):
    """Every scan, check-in and print at the venue desk: who, where, when, with what outcome."""

    class Action(models.TextChoices):
        CHECKED_IN = "checked_in", _("Checked in")
        ALREADY_CHECKED_IN = "already", _("Already checked in")
        REFUSED = "refused", _("Not checked in (state)")
        UNKNOWN_CODE = "unknown", _("Unknown code")
        PRINTED = "printed", _("Badge printed")
        REPRINTED = "reprinted", _("Badge reprinted")
        WALK_IN = "walk_in", _("Walk-in registered")

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, null=True, blank=True, related_name="desk_log"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    desk = models.CharField(_("desk"), max_length=40, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("desk log entry")
        verbose_name_plural = _("desk log")

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.desk}"
