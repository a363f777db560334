"""The outbox in one process: claiming, failing for good, giving up, sweeping, resending."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from registration.models import OutboxEmail
from registration.services.outbox import email_queue, email_resend
from registration.services.outbox_delivery import email_send
from registration.tasks import requeue_stale_emails
from tests.registration.broken_mail import RefusingBackend

pytestmark = pytest.mark.django_db

Status = OutboxEmail.Status


def queued_email(**overrides):
    values = {
        "kind": OutboxEmail.Kind.ACCOUNT,
        "recipient": "kim@example.org",
        "language": "en",
        "subject": "Hello",
        "body_text": "Plain",
        "body_html": "<p>Rich</p>",
    }
    values.update(overrides)
    with transaction.atomic():
        return email_queue(**values)


def test_an_email_is_sent_once_however_often_its_task_runs():
    email = queued_email()
    assert email_send(outbox_id=email.pk).status == Status.SENT
    assert email_send(outbox_id=email.pk).status == Status.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.alternatives[0][0] == "<p>Rich</p>"
    assert f"outbox-{email.pk}" in message.extra_headers["Message-ID"]
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)


def test_a_row_another_worker_is_sending_is_left_alone():
    email = queued_email()
    OutboxEmail.objects.filter(pk=email.pk).update(status=Status.SENDING, claimed_at=timezone.now())
    outcome = email_send(outbox_id=email.pk)
    assert outcome.status == Status.SENDING and outcome.retry_in
    assert mail.outbox == []


def test_a_permanent_smtp_refusal_ends_as_failed_with_the_reason(settings):
    settings.EMAIL_BACKEND = "tests.registration.broken_mail.RejectingBackend"
    email = queued_email()
    assert email_send(outbox_id=email.pk).status == Status.FAILED
    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert "No such user" in email.last_error


def test_a_temporary_failure_is_retried_later_with_growing_delays(settings):
    settings.EMAIL_BACKEND = "tests.registration.broken_mail.RefusingBackend"
    settings.OUTBOX_RETRY_BASE_SECONDS = 10
    email = queued_email()
    first = email_send(outbox_id=email.pk)
    second = email_send(outbox_id=email.pk)
    assert (first.status, first.retry_in) == (Status.QUEUED, 10)
    assert second.retry_in == 20
    email.refresh_from_db()
    assert email.next_attempt_at > timezone.now()


def test_sending_gives_up_after_the_bound(settings):
    settings.EMAIL_BACKEND = "tests.registration.broken_mail.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 2
    email = queued_email()
    statuses = [email_send(outbox_id=email.pk).status for _ in range(3)]
    assert statuses == [Status.QUEUED, Status.QUEUED, Status.FAILED]
    email.refresh_from_db()
    assert "Gave up after 2 attempts" in email.last_error


def test_the_sweep_queues_again_what_waited_too_long(settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_STALE_AFTER_SECONDS = 60
    fresh = queued_email()
    stale = queued_email()
    dead_worker = queued_email()
    long_ago = timezone.now() - timedelta(minutes=10)
    OutboxEmail.objects.filter(pk=stale.pk).update(queued_at=long_ago)
    OutboxEmail.objects.filter(pk=dead_worker.pk).update(status=Status.SENDING, claimed_at=long_ago)
    assert requeue_stale_emails() == 2  # runs them in-process here (no Redis in this test)
    assert {m.to[0] for m in mail.outbox} == {"kim@example.org"}
    assert OutboxEmail.objects.get(pk=fresh.pk).status == Status.QUEUED
    assert OutboxEmail.objects.get(pk=stale.pk).status == Status.SENT
    assert OutboxEmail.objects.get(pk=dead_worker.pk).status == Status.SENT


def test_resend_makes_a_new_row_with_the_same_content(settings):
    settings.EMAIL_BACKEND = "tests.registration.broken_mail.RejectingBackend"
    email = queued_email(kind=OutboxEmail.Kind.CHANGED)
    email_send(outbox_id=email.pk)
    again = email_resend(email=email)
    assert again.pk != email.pk
    assert (again.subject, again.recipient, again.status) == ("Hello", email.recipient, "queued")


def test_the_email_row_is_written_or_rolled_back_with_the_change():
    with pytest.raises(RuntimeError), transaction.atomic():
        email_queue(
            kind="account", recipient="a@b.example", language="en", subject="s", body_text="t"
        )
        raise RuntimeError("the change failed")
    assert not OutboxEmail.objects.exists()


class FailsOnceBackend(RefusingBackend):
    """A mail server that is down for the first try and back for the next."""

    calls = 0

    def send_messages(self, email_messages):
        type(self).calls += 1
        if type(self).calls == 1:
            return super().send_messages(email_messages)
        mail.outbox.extend(email_messages)
        return len(email_messages)


@pytest.mark.django_db(transaction=True)
def test_without_a_worker_a_failed_email_is_sent_again_in_process(settings):
    settings.OUTBOX_RETRY_IN_PROCESS = True
    settings.OUTBOX_RETRY_BASE_SECONDS = 1
    settings.EMAIL_BACKEND = "tests.registration.test_outbox.FailsOnceBackend"
    FailsOnceBackend.calls = 0
    email = queued_email()  # committed: sent at once in-process, and refused
    assert OutboxEmail.objects.get(pk=email.pk).status == Status.QUEUED
    deadline = time.monotonic() + 10
    while OutboxEmail.objects.get(pk=email.pk).status != Status.SENT:
        assert time.monotonic() < deadline, "the email was not sent again"
        time.sleep(0.1)
    assert FailsOnceBackend.calls == 2
