"""The outbox: every email is a row first; the worker sends from that row, exactly once."""

from __future__ import annotations

import html
import json
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from registration.errors import RegistrationError
from registration.models import OutboxEmail, Registration
from registration.services.worker import SEND_EMAIL, task_queue_on_commit

logger = logging.getLogger(__name__)

Kind = OutboxEmail.Kind
Status = OutboxEmail.Status

# What the stored copy of an account mail shows where its key was (the email log, every backup).
KEY_PLACEHOLDER = "[key withheld]"


def _withhold(
    texts: dict[str, str], secrets: Iterable[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The texts with every secret replaced by a placeholder, and placeholder -> secret.

    A secret may stand in a text as it is, quoted in a link or escaped in HTML: each form gets a
    placeholder of its own, so that the mail goes out exactly as it was written.
    """
    kept: dict[str, str] = {}
    for secret in secrets:
        forms = {secret, quote(secret, safe=""), quote(secret), html.escape(secret)}
        for form in sorted(forms, key=len, reverse=True):
            if not any(form in text for text in texts.values()):
                continue
            placeholder = KEY_PLACEHOLDER if not kept else f"[key withheld {len(kept) + 1}]"
            kept[placeholder] = form
            texts = {name: text.replace(form, placeholder) for name, text in texts.items()}
    return texts, kept


def _restore(text: str, kept: dict[str, str]) -> str:
    for placeholder, secret in kept.items():
        text = text.replace(placeholder, secret)
    return text


def email_queue(
    *,
    kind: str,
    recipient: str,
    language: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    registration: Registration | None = None,
    secrets: Iterable[str] = (),
) -> OutboxEmail:
    """Write the email to the outbox; the send is queued once the surrounding transaction commits.

    `secrets` (an account mail's key) are kept out of the stored subject and text: the row holds
    them encrypted apart until the mail is sent, and then no more.
    """
    texts, kept = _withhold(
        {
            "subject": " ".join(subject.split())[:300],
            "body_text": body_text,
            "body_html": body_html,
        },
        [secret for secret in secrets if secret],
    )
    email = OutboxEmail.objects.create(
        kind=kind,
        recipient=recipient,
        language=language,
        registration=registration,
        withheld=json.dumps(kept) if kept else "",
        **texts,
    )
    task_queue_on_commit(SEND_EMAIL, email.pk)
    return email


def email_queue_rendered(
    *,
    kind: str,
    recipient: str,
    language: str,
    context: dict[str, Any],
    registration: Registration | None = None,
    secrets: Iterable[str] = (),
) -> OutboxEmail:
    """Render `templates/emails/<kind>.*` in `language` and put the email in the outbox.

    `secrets` (a personal link's token) are withheld from the stored text, as in `email_queue`.
    """
    context = {"site_url": settings.SITE_URL, "LANGUAGE_CODE": language, **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{kind}_subject.txt", context)
        body_text = render_to_string(f"emails/{kind}.txt", context)
        body_html = render_to_string(f"emails/{kind}.html", context)
    return email_queue(
        kind=kind,
        recipient=recipient,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        registration=registration,
        secrets=secrets,
    )


def email_queue_for_registration(
    *, registration: Registration, kind: str, extra_context: dict[str, Any] | None = None
) -> OutboxEmail:
    """Render `templates/emails/<kind>.*` in the delegate's language and put it in the outbox."""
    return email_queue_rendered(
        kind=kind,
        recipient=registration.delegate.email,
        language=registration.language,
        context={
            "registration": registration,
            "delegate": registration.delegate,
            "event": registration.event,
            **(extra_context or {}),
        },
        registration=registration,
    )


@dataclass(frozen=True)
class SendOutcome:
    status: str
    retry_in: int | None = None


def _lease_seconds() -> int:
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
        subject=_restore(email.subject, kept),
        body=_restore(email.body_text, kept),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
        headers={
            # One Message-ID per outbox row, so that a receiving server can tell a repeat.
            "Message-ID": make_msgid(idstring=f"outbox-{email.pk}", domain="excom.wego"),
            "Content-Language": email.language,
        },
    )
    if email.body_html:
        message.attach_alternative(_restore(email.body_html, kept), "text/html")
    for filename, content, mimetype in attachments_for(email):
        message.attach(filename, content, mimetype)
    return message


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
    try:
        message = _build_message(email)
        _mail_connection.send(message)
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        if _is_permanent(error):
            _finish(email, Status.FAILED, error=_describe(error))
            logger.error("email %s failed for good: %s", email.pk, _describe(error))
            return SendOutcome(status=Status.FAILED)
        delay = _retry_delay(email.attempts)
        OutboxEmail.objects.filter(pk=email.pk).update(
            status=Status.QUEUED,
            last_error=_describe(error),
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        logger.warning("email %s not sent (%s); again in %ss", email.pk, _describe(error), delay)
        return SendOutcome(status=Status.QUEUED, retry_in=delay)
    _finish(email, Status.SENT)
    return SendOutcome(status=Status.SENT)


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
    OutboxEmail.objects.filter(pk=email.pk).update(**fields)


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


def email_resend(*, email: OutboxEmail) -> OutboxEmail:
    """Send a failed (or sent) email once more, as a new outbox row with the same content.

    Not an account mail: its key is no longer kept, and an old key may be spent or expired. The
    person asks for a fresh one, which allauth makes with a new key.
    """
    if email.kind == Kind.HEAD_INVITATION:
        raise RegistrationError(
            _(
                "An invitation's link works once and was not kept. Please send a new invitation "
                "from the city's page; the old link then stops working."
            )
        )
    if email.kind == Kind.ACCOUNT:
        raise RegistrationError(
            _(
                "Account emails (sign-up, password) are not sent again: their links work once "
                "and expire. Please ask %(recipient)s to request a new one on the sign-in page "
                "(“Forgot your password?”, or signing in again for a new confirmation link)."
            )
            % {"recipient": email.recipient}
        )
    with transaction.atomic():
        return email_queue(
            kind=email.kind,
            recipient=email.recipient,
            language=email.language,
            subject=email.subject,
            body_text=email.body_text,
            body_html=email.body_html,
            registration=email.registration,
        )
