"""The event and the parts of its programme a delegate signs up for."""

from __future__ import annotations

from datetime import date, datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RETENTION_DAYS = 90


class Event(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    venue = models.CharField(_("venue"), max_length=300)
    venue_address = models.CharField(_("venue address"), max_length=300, blank=True)
    host_city = models.CharField(_("host city"), max_length=200)
    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    edit_deadline = models.DateTimeField(
        _("edit deadline"), help_text=_("Delegates may change their registration until then.")
    )
    confirm_within_quota = models.BooleanField(
        _("confirm member cities within quota at once"),
        default=True,
        help_text=_(
            "When on, a full or associate member city's registrations inside its quota are "
            "confirmed at once; all others wait for the secretariat."
        ),
    )
    retention_until = models.DateField(
        _("keep personal data until"),
        null=True,
        blank=True,
        help_text=_(
            "After this day passport details, photos, needs, phone numbers and flights of this "
            "event's delegates are erased. Empty: 90 days after the event."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="event_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_for_registration(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.registration_opens_at <= at < self.registration_closes_at

    @property
    def personal_data_kept_until(self) -> date:
        from datetime import timedelta

        return self.retention_until or self.ends_on + timedelta(days=RETENTION_DAYS)

    def is_editable(self, at: datetime | None = None) -> bool:
        return (at or timezone.now()) < self.edit_deadline

    @property
    def days(self) -> list[date]:
        from datetime import timedelta

        return [
            self.starts_on + timedelta(days=n)
            for n in range((self.ends_on - self.starts_on).days + 1)
        ]


class Session(models.Model):
    """A part of the programme a delegate signs up for (opening, gala dinner, ...)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    name_ko = models.CharField(_("name in Korean"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "starts_at"]
        verbose_name = _("programme session")
        verbose_name_plural = _("programme sessions")
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="session_code_unique_per_event")
        ]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        if get_language() == "ko" and self.name_ko:
            return self.name_ko
        return self.name
