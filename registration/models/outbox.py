"""The email outbox: every email is a row before the worker sends it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delegates.fields import EncryptedTextField
from delegates.models import Language
from registration.models.registrations import Registration


class OutboxEmail(models.Model):
    """Every email is a row here first, written in the transaction of the change that causes it."""

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("Account (sign-up, password)")
        RECEIVED = "received", _("Registration received")
        CONFIRMED = "confirmed", _("Registration confirmed")
        WAITLISTED = "waitlisted", _("Waitlisted")
        PROMOTED = "promoted", _("Promoted from the waitlist")
        DECLINED = "declined", _("Declined")
        CHANGED = "changed", _("Changed by the secretariat")
        CANCELLED = "cancelled", _("Cancellation confirmed")
        REMINDER = "reminder", _("Reminder before the event")
        HEAD_GRANTED = "head_granted", _("Head of delegation granted")
        HEAD_REFUSED = "head_refused", _("Head of delegation claim refused")
        HEAD_INVITATION = "head_invitation", _("Invitation to lead a delegation")
        COLLEAGUE_INVITATION = "colleague_invitation", _("Invitation to join a delegation")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    recipient = models.EmailField(_("recipient"))
    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("registration"),
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # An account mail's key (password reset, email confirmation) is not in the text above: a
    # placeholder stands there, and the key waits here, encrypted, until the mail is sent or
    # fails; then it is gone. The admin never shows this column (registration/admin/outbox.py).
    withheld = EncryptedTextField(blank=True, default="", editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    queued_at = models.DateTimeField(_("last queued"), default=timezone.now)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Written by the first try (and by a resend, from its original): every try and every resend
    # of one email carries the same, so that a receiving server can drop a repeat.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("email")
        verbose_name_plural = _("email log")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"
