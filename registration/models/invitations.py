"""Invitations into a city's delegation: the secretariat invites a city's focal point to lead it,
and a head of delegation invites a colleague who manages their own registration."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delegates.models import NAME_MAX_LENGTH, Language, MemberCity
from registration.models.events import Event
from registration.models.registrations import Registration


class HeadInvitation(models.Model):
    """A personal link that makes its recipient head of the city's delegation, granted.

    One row per sending: sending again replaces the open one, whose link then stops working.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        REPLACED = "replaced", _("Replaced by a newer one")
        EXPIRED = "expired", _("Expired")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="head_invitations", verbose_name=_("event")
    )
    city = models.ForeignKey(
        MemberCity,
        on_delete=models.CASCADE,
        related_name="head_invitations",
        verbose_name=_("city"),
    )
    email = models.EmailField(_("sent to"))
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    # The token itself is only in the email: a copy of the database opens no delegation.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    replaced_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    registration = models.ForeignKey(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registration"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("head of delegation invitation")
        verbose_name_plural = _("head of delegation invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "city"],
                condition=models.Q(accepted_at__isnull=True, replaced_at__isnull=True),
                name="one_open_head_invitation_per_city",
            )
        ]

    def __str__(self) -> str:
        return f"{self.city} → {self.email}"

    def status(self, at: datetime | None = None) -> str:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.replaced_at is not None:
            return self.Status.REPLACED
        if (at or timezone.now()) >= self.expires_at:
            return self.Status.EXPIRED
        return self.Status.OPEN

    def get_status_display(self) -> str:
        return str(self.Status(self.status()).label)


class ColleagueInvitation(models.Model):
    """A head of delegation asked someone who manages their own registration to join."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    city = models.ForeignKey(MemberCity, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("email"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation to join a delegation")
        verbose_name_plural = _("invitations to join a delegation")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "invited_by", "email"], name="one_colleague_invitation_per_head"
            )
        ]

    def __str__(self) -> str:
        return f"{self.city} → {self.email}"
