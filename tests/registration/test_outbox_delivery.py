"""What the outbox promises about repeats: one Message-ID per email, on every try and every
resend, and a lease that a slow mail server cannot outlast while its worker is still talking."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction

from registration.models import OutboxEmail
from registration.services.outbox import email_queue, email_resend, message_id_for
from registration.services.outbox_delivery import email_send, outbox_stale_take

Status = OutboxEmail.Status


def queued_email() -> OutboxEmail:
    # A reminder: account mails carry a one-time key and are never resent from the log.
    with transaction.atomic():
        return email_queue(
            kind=OutboxEmail.Kind.REMINDER,
            recipient="kim@example.org",
            language="en",
            subject="Hello",
            body_text="Plain",
        )


class FailsFirstBackend(EmailBackend):
    """A mail server that is down for the first message and takes the next."""

    calls = 0

    def send_messages(self, email_messages):
        type(self).calls += 1
        if type(self).calls == 1:
            raise ConnectionRefusedError(111, "Connection refused")
        return super().send_messages(email_messages)


@pytest.mark.django_db
def test_every_try_carries_the_same_message_id_and_the_row_keeps_it(settings):
    settings.EMAIL_BACKEND = "tests.registration.test_outbox_delivery.FailsFirstBackend"
    settings.DEFAULT_FROM_EMAIL = "WeGO EXCOM <excom@wego.example>"
    FailsFirstBackend.calls = 0
    email = queued_email()
    expected = message_id_for(email)
    assert email_send(outbox_id=email.pk).status == Status.QUEUED
    email.refresh_from_db()
    assert email.message_id == expected  # written by the failed try already
    assert email_send(outbox_id=email.pk).status == Status.SENT
    (message,) = mail.outbox
    assert message.extra_headers["Message-ID"] == expected
    assert expected.startswith(f"<outbox-{email.pk}.") and expected.endswith("@wego.example>")


@pytest.mark.django_db
def test_a_resend_keeps_the_original_message_id():
    email = queued_email()
    email_send(outbox_id=email.pk)
    again = email_resend(email=email)
    email_send(outbox_id=again.pk)
    first, second = mail.outbox
    assert again.pk != email.pk
    assert second.extra_headers["Message-ID"] == first.extra_headers["Message-ID"]
    assert OutboxEmail.objects.get(pk=again.pk).message_id == message_id_for(email)


@pytest.mark.django_db
def test_two_emails_never_share_a_message_id():
    one, two = queued_email(), queued_email()
    assert message_id_for(one) != message_id_for(two)


class SlowBackend(EmailBackend):
    """A mail server that takes its time; meanwhile, the sweep looks for abandoned rows."""

    seen_by_the_sweep: list[int] = []

    def send_messages(self, email_messages):
        time.sleep(2.5)
        type(self).seen_by_the_sweep = outbox_stale_take()
        return super().send_messages(email_messages)


@pytest.mark.django_db(transaction=True)
def test_a_slow_send_keeps_its_lease_so_no_other_worker_takes_the_row(settings):
    settings.EMAIL_BACKEND = "tests.registration.test_outbox_delivery.SlowBackend"
    settings.OUTBOX_SENDING_LEASE_SECONDS = 1  # renewed every third of a second
    email = queued_email()
    assert email_send(outbox_id=email.pk).status == Status.SENT
    assert SlowBackend.seen_by_the_sweep == []
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)
