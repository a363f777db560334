"""The outbox: every email is a row first; the worker sends from that row.

SMTP cannot promise exactly once: a worker killed after the server accepted a message and before
the row says so sends it again. What this module promises is at least once, never two sends
from the same row at the same time (the lease, renewed while a send lasts), and the same
Message-ID on every try and on a resend, so that receiving servers can drop the copy.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
from collections.abc import Iterable
from email.utils import parseaddr
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
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


def withheld_restore(text: str, kept: dict[str, str]) -> str:
    """`text` with each placeholder put back as the secret it stands for (only while sending)."""
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
    message_id: str = "",
) -> OutboxEmail:
    """Write the email to the outbox; the send is queued once the surrounding transaction commits.

    `secrets` (an account mail's key) are kept out of the stored subject and text: the row holds
    them encrypted apart until the mail is sent, and then no more. `message_id`: a resend's, its
    original's; otherwise the row's own (`message_id_for`).
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
        message_id=message_id,
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


def message_id_for(email: OutboxEmail) -> str:
    """The row's Message-ID: stored once known, and the same on every try until then.

    The hash covers the row's creation time, so that a number used again after a restore from
    a backup does not repeat an earlier email's Message-ID.
    """
    if email.message_id:
        return email.message_id
    seed = f"{email.pk}|{email.created_at.isoformat()}|{email.recipient}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:12]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "excom.wego"
    return f"<outbox-{email.pk}.{digest}@{domain}>"


def email_resend(*, email: OutboxEmail) -> OutboxEmail:
    """Send a failed (or sent) email once more, as a new outbox row with the same content and
    the same Message-ID.

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
            # The same Message-ID: a receiving server that has the first drops the copy.
            message_id=message_id_for(email),
        )
