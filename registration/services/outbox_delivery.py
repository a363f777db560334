"""The outbox's delivery: each row sent once by the worker, retried while the mail server is
down, its lease renewed while a send lasts, swept when it waited too long."""

from __future__ import annotations

import json
import logging
import smtplib
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, connections
from django.db.models import F, Q
from django.utils import timezone

from registration.models import OutboxEmail
from registration.services.outbox import message_id_for, withheld_restore

logger = logging.getLogger(__name__)

Kind = OutboxEmail.Kind
Status = OutboxEmail.Status


@dataclass(frozen=True)
class SendOutcome:
    status: str
    retry_in: int | None = None


def _lease_seconds() -> int:
    """How long a row being sent stays its worker's without a word from it.

    Sized to one SMTP wait: connecting, then the longest single reply (EMAIL_TIMEOUT each), plus
    a margin. The worker renews it three times per lease while the send lasts, so a slow server
    never lets it run out; only a worker that is gone stops renewing.
    """
    return settings.OUTBOX_SENDING_LEASE_SECONDS or int(settings.EMAIL_TIMEOUT or 20) * 2 + 10


def _retry_delay(attempts: int) -> int:
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    return min(base * 2 ** max(attempts - 1, 0), 30 * 60)


def _claim(outbox_id: int) -> OutboxEmail | None:
    """Take the row for sending, or None when it is sent, failed, or another worker holds it."""
    now = timezone.now()
    lease_expired = now - timedelta(seconds=_lease_seconds())
    claimed = OutboxEmail.objects.filter(
        Q(status=Status.QUEUED) | Q(status=Status.SENDING, claimed_at__lt=lease_expired),
        pk=outbox_id,
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not claimed:
        return None
    return OutboxEmail.objects.select_related("registration__event", "registration__delegate").get(
        pk=outbox_id
    )


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


class _ReusedConnection:
    """One open connection to the mail server per worker process, opened again when it drops.

    Opening an SMTP session (and TLS) for every email costs more than sending it.
    """

    def __init__(self) -> None:
        self.connection: Any = None
        self.backend = ""

    def send(self, message: EmailMultiAlternatives) -> None:
        if self.connection is None or self.backend != settings.EMAIL_BACKEND:
            self.close()
            self.connection = get_connection(fail_silently=False)
            self.backend = settings.EMAIL_BACKEND
        reused = self.connection.open() is False
        try:
            message.connection = self.connection
            message.send(fail_silently=False)
        except Exception as error:
            # A half-open connection is never reused: the next email starts a fresh one.
            self.close()
            dropped = isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError)
            if reused and dropped:
                # The server closed the idle connection: once more, on a fresh one.
                self.send(message)
                return
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # closing a broken connection may fail too
                logger.debug("closing the mail connection failed", exc_info=True)
        self.connection = None


_mail_connection = _ReusedConnection()


def _build_message(email: OutboxEmail) -> EmailMultiAlternatives:
    from registration.services.attachments import attachments_for

    kept = json.loads(email.withheld) if email.withheld else {}
    message = EmailMultiAlternatives(
        subject=withheld_restore(email.subject, kept),
        body=withheld_restore(email.body_text, kept),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
        headers={
            # The same on every try, so that a receiving server can tell a repeat.
            "Message-ID": message_id_for(email),
            "Content-Language": email.language,
        },
    )
    if email.body_html:
        message.attach_alternative(withheld_restore(email.body_html, kept), "text/html")
    for filename, content, mimetype in attachments_for(email):
        message.attach(filename, content, mimetype)
    return message


class _LeaseKeeper:
    """Renews the row's lease while its worker builds and sends it, until the outcome is written.

    A second worker may take a row only once its lease has run out, and a lease runs out only
    when nobody renews it: a slow mail server keeps the row with the worker talking to it.
    """

    def __init__(self, email: OutboxEmail) -> None:
        self.outbox_id = email.pk
        self.claimed_at = email.claimed_at
        self.interval = _lease_seconds() / 3
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-lease", daemon=True)

    def __enter__(self) -> _LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(self.interval)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                if not self._renew():
                    return
        finally:
            # This thread's own database connection, if it opened one.
            connections.close_all()

    def _renew(self) -> bool:
        now = timezone.now()
        try:
            renewed = OutboxEmail.objects.filter(
                pk=self.outbox_id, status=Status.SENDING, claimed_at=self.claimed_at
            ).update(claimed_at=now)
        except DatabaseError:
            # The database is away: so is every other worker's claim. Try again next time.
            connections["default"].close()
            return True
        self.claimed_at = now
        return bool(renewed)


def email_send(*, outbox_id: int) -> SendOutcome:
    """Send one outbox row. Safe to call twice: a row that is sent or being sent is left alone."""
    email = _claim(outbox_id)
    if email is None:
        current = OutboxEmail.objects.filter(pk=outbox_id).values_list("status", flat=True).first()
        if current == Status.SENDING:
            return SendOutcome(status=Status.SENDING, retry_in=_lease_seconds())
        return SendOutcome(status=current or "missing")
    if email.attempts > settings.OUTBOX_MAX_ATTEMPTS:
        _finish(email, Status.FAILED, error=f"Gave up after {email.attempts - 1} attempts.")
        return SendOutcome(status=Status.FAILED)
    with _LeaseKeeper(email):
        try:
            message = _build_message(email)
            _mail_connection.send(message)
        except (TimeoutError, smtplib.SMTPException, OSError) as error:
            return _not_sent(email, error)
        _finish(email, Status.SENT)
    return SendOutcome(status=Status.SENT)


def _not_sent(email: OutboxEmail, error: Exception) -> SendOutcome:
    if _is_permanent(error):
        _finish(email, Status.FAILED, error=_describe(error))
        logger.error("email %s failed for good: %s", email.pk, _describe(error))
        return SendOutcome(status=Status.FAILED)
    delay = _retry_delay(email.attempts)
    _record(
        email,
        status=Status.QUEUED,
        last_error=_describe(error),
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    logger.warning("email %s not sent (%s); again in %ss", email.pk, _describe(error), delay)
    return SendOutcome(status=Status.QUEUED, retry_in=delay)


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        detail = error.smtp_error
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        return f"SMTP {error.smtp_code}: {detail}"
    return f"{type(error).__name__}: {error}"[:1000]


def _finish(email: OutboxEmail, status: str, *, error: str = "") -> None:
    # Sent or given up: a withheld key has done its work, or will never be sent; either way no
    # copy of it stays behind.
    fields: dict[str, Any] = {"status": status, "withheld": ""}
    if status == Status.SENT:
        fields["sent_at"] = timezone.now()
        fields["last_error"] = ""
    if error:
        fields["last_error"] = error
    _record(email, **fields)


# How long a worker waits for the database to write what became of a send. Giving up leaves a
# sent email marked as being sent, and it goes again once its lease has run out.
RECORD_PATIENCE_SECONDS = 120


def _record(email: OutboxEmail, **fields: Any) -> None:
    """Write the outcome of a send and the row's Message-ID, waiting out a database restart."""
    fields["message_id"] = message_id_for(email)
    deadline = time.monotonic() + RECORD_PATIENCE_SECONDS
    waiting = False
    while True:
        try:
            OutboxEmail.objects.filter(pk=email.pk).update(**fields)
            return
        except DatabaseError:
            connection = connections["default"]
            if connection.in_atomic_block or time.monotonic() > deadline:
                raise
            if not waiting:
                logger.warning("email %s: the database is away; its outcome waits", email.pk)
                waiting = True
            connection.close()
            time.sleep(1)


def outbox_stale_take() -> list[int]:
    """The rows to queue again: they waited too long (Redis was down) or their worker died."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.OUTBOX_STALE_AFTER_SECONDS)
    lease_expired = now - timedelta(seconds=_lease_seconds())
    stale_ids = list(
        OutboxEmail.objects.filter(
            Q(status=Status.QUEUED, queued_at__lt=stale_before, next_attempt_at__lte=now)
            | Q(status=Status.SENDING, claimed_at__lt=lease_expired)
        ).values_list("pk", flat=True)[:1000]
    )
    if stale_ids:
        OutboxEmail.objects.filter(pk__in=stale_ids, status=Status.QUEUED).update(queued_at=now)
    return stale_ids
