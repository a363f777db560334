"""A delegate's registration for an event, its state, and its audit trail."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from delegates.models import Delegate, Language, MemberCity
from registration.models.events import Event, Session
from registration.models.privacy import PrivacyNotice


class DelegationRole(models.TextChoices):
    HEAD = "head", _("Head of delegation")
    DELEGATE = "delegate", _("Delegate")
    ACCOMPANYING = "accompanying", _("Accompanying person")
    OBSERVER = "observer", _("Observer")
    PRESS = "press", _("Press")
    PARTNER = "partner", _("Partner")
    STAFF = "staff", _("Staff")


class Category(models.TextChoices):
    """What the badge says and which colour its band has."""

    VIP = "vip", _("VIP")
    EXCOM = "excom", _("Executive Committee")
    DELEGATE = "delegate", _("Delegate")
    SPEAKER = "speaker", _("Speaker")
    OBSERVER = "observer", _("Observer")
    PRESS = "press", _("Press")
    PARTNER = "partner", _("Partner")
    STAFF = "staff", _("Staff")


class State(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    # The person asked to be forgotten: counted, with no personal field left.
    ERASED = "erased", _("Erased")


# Registered and not out: holding a place, or waiting for one.
LIVE_STATES = (State.PENDING, State.CONFIRMED, State.WAITLISTED)


def new_badge_token() -> str:
    # 128 random bits, URL-safe: what the QR code carries. Never the database id.
    return secrets.token_urlsafe(16)


# When and how a delegate arrives and leaves: the pick-up list's columns, erased by the retention
# purge once the event is over.
TRAVEL_FIELDS = (
    "arrival_date",
    "arrival_time",
    "arrival_flight",
    "departure_date",
    "departure_time",
    "departure_flight",
)


class Registration(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("event")
    )
    delegate = models.ForeignKey(
        Delegate, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("delegate")
    )
    # Copied from the delegate when submitted, so the quota is counted per event on one table.
    city = models.ForeignKey(
        MemberCity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("city"),
    )
    delegation_role = models.CharField(
        _("role in the delegation"),
        max_length=20,
        choices=DelegationRole.choices,
        default=DelegationRole.DELEGATE,
    )
    # Choosing "head of delegation" is only a claim: the head's powers (the delegation page,
    # registering colleagues) come once the secretariat grants it, or with its invitation.
    head_granted_at = models.DateTimeField(_("head of delegation granted"), null=True, blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.DELEGATE
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    holds_place = models.BooleanField(
        _("holds a place in the city's quota"),
        default=False,
        help_text=_("Pending or confirmed inside the city's delegation quota."),
    )
    visa_letter_wanted = models.BooleanField(_("I need a visa invitation letter"), default=False)
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    arrival_time = models.TimeField(_("arrival time"), null=True, blank=True)
    arrival_flight = models.CharField(_("arrival flight"), max_length=20, blank=True)
    departure_date = models.DateField(_("departure date"), null=True, blank=True)
    departure_time = models.TimeField(_("departure time"), null=True, blank=True)
    departure_flight = models.CharField(_("departure flight"), max_length=20, blank=True)
    hotel_needed = models.BooleanField(_("I need a hotel room"), default=False)
    hotel_name = models.CharField(
        _("hotel"), max_length=200, blank=True, help_text=_("Set by the secretariat.")
    )
    staff_notes = models.CharField(
        _("notes for the desk"),
        max_length=300,
        blank=True,
        help_text=_("Shown on the desk card, e.g. 'VIP: escort to the front row'."),
    )
    sessions = models.ManyToManyField(
        Session, blank=True, related_name="registrations", verbose_name=_("sessions")
    )
    consent_given_at = models.DateTimeField(_("consent given at"))
    privacy_notice = models.ForeignKey(
        PrivacyNotice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("privacy notice accepted"),
    )
    language = models.CharField(
        _("language for emails"), max_length=5, choices=Language.choices, default=Language.EN
    )
    badge_token = models.CharField(
        _("badge token"), max_length=32, unique=True, default=new_badge_token, editable=False
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    # Set once, by one conditional UPDATE at the desk: only one desk can win.
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_desk = models.CharField(_("checked in at desk"), max_length=40, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(
        excluded_fields=["badge_token", "updated_at"], verbose_name=_("registration change")
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        permissions = [("use_desk", _("Can check delegates in at the venue desk"))]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "delegate"], name="one_registration_per_delegate_per_event"
            ),
            # Claims may wait side by side; only one of them is ever granted.
            models.UniqueConstraint(
                fields=["event", "city"],
                condition=models.Q(
                    delegation_role="head",
                    head_granted_at__isnull=False,
                    state__in=list(LIVE_STATES),
                ),
                name="one_head_per_city_delegation",
            ),
            models.CheckConstraint(
                condition=models.Q(head_granted_at__isnull=True) | models.Q(delegation_role="head"),
                name="only_heads_are_granted",
            ),
            models.CheckConstraint(
                condition=~models.Q(holds_place=True)
                | models.Q(state__in=["pending", "confirmed"]),
                name="only_live_registrations_hold_a_place",
            ),
        ]
        indexes = [models.Index(fields=["event", "city", "state"])]

    def __str__(self) -> str:
        return f"{self.delegate} – {self.event}"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES

    @property
    def is_granted_head(self) -> bool:
        return self.delegation_role == DelegationRole.HEAD and self.head_granted_at is not None

    @property
    def claims_head(self) -> bool:
        """Chose "head of delegation", and the secretariat has not granted it (yet)."""
        return self.delegation_role == DelegationRole.HEAD and self.head_granted_at is None


class RegistrationLog(models.Model):
    """The audit trail: who did what to a registration, when and why."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        EDITED = "edited", _("Edited")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waitlisted")
        PROMOTED = "promoted", _("Promoted from the waitlist")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        ERASED = "erased", _("Personal data erased")
        HEAD_GRANTED = "head_granted", _("Head of delegation granted")
        HEAD_REFUSED = "head_refused", _("Head of delegation claim refused")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="log")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration log entry")
        verbose_name_plural = _("registration log")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"
