"""One attendance: the event, a delegate's registration for it, and what happened to it."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from delegates.models import Delegate, Language, MemberCity

RETENTION_DAYS = 90


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
            models.UniqueConstraint(
                fields=["event", "city"],
                condition=models.Q(delegation_role="head", state__in=list(LIVE_STATES)),
                name="one_head_per_city_delegation",
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

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("email")
        verbose_name_plural = _("email log")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


def private_storage() -> Storage:
    """Files that are never served by URL: badges and letters go out through a checked view."""
    return storages["private"]


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
