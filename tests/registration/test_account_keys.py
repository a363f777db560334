"""Account mails through the outbox: the person's link works; the stored row, the email log and a
resend hold no working key."""

from __future__ import annotations

import importlib
import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from registration.models import OutboxEmail
from registration.services.outbox import KEY_PLACEHOLDER
from registration.services.outbox_delivery import email_send
from tests.factories import UserFactory
from tests.roles import administrator, secretariat_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-private-passphrase"
RESET_LINK = re.compile(r"/accounts/password/reset/key/[0-9a-z]+-([^/\s]+)/")
CONFIRM_LINK = re.compile(r"/accounts/confirm-email/([^/\s]+)/")
Status = OutboxEmail.Status


@pytest.fixture
def person(db):
    user = UserFactory(email="kim@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def ask_for_reset(client, person, django_capture_on_commit_callbacks):
    def ask():
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("account_reset_password"), {"email": person.email})
        assert response.status_code == 302
        return OutboxEmail.objects.get(kind=OutboxEmail.Kind.ACCOUNT, recipient=person.email)

    return ask


def stored_columns(email: OutboxEmail) -> str:
    """Everything the database holds for the row, as a backup would have it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT subject, body_text, body_html, withheld, last_error"
            " FROM registration_outboxemail WHERE id = %s",
            [email.pk],
        )
        return " ".join(cursor.fetchone())


def admin_pages(client, email: OutboxEmail) -> str:
    pages = [
        client.get(reverse("admin:registration_outboxemail_changelist")),
        client.get(reverse("admin:registration_outboxemail_change", args=[email.pk])),
    ]
    assert all(page.status_code == 200 for page in pages)
    return " ".join(page.content.decode() for page in pages)


def test_a_reset_link_works_for_the_person_and_is_kept_nowhere(client, person, ask_for_reset):
    email = ask_for_reset()
    (message,) = mail.outbox
    link = RESET_LINK.search(message.body)
    assert link, message.body
    key = link.group(1)

    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.withheld == ""
    assert KEY_PLACEHOLDER in email.body_text
    assert key not in stored_columns(email)

    for staff in (administrator(), secretariat_user()):
        staff_client = Client()
        staff_client.force_login(staff)
        pages = admin_pages(staff_client, email)
        assert key not in pages
        assert KEY_PLACEHOLDER in pages

    # The person's own link still works: it sets the new password.
    set_password = client.get(link.group(0))
    assert set_password.status_code == 302
    form = client.get(set_password["Location"])
    assert form.status_code == 200
    done = client.post(
        set_password["Location"],
        {"password1": "n3w-and-l0ng-pass", "password2": "n3w-and-l0ng-pass"},
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password("n3w-and-l0ng-pass")


def test_a_key_waits_encrypted_while_the_mail_server_is_down(settings, ask_for_reset):
    settings.EMAIL_BACKEND = "tests.registration.broken_mail.RefusingBackend"
    email = ask_for_reset()
    email.refresh_from_db()
    assert email.status == Status.QUEUED
    assert email.withheld  # decrypted by the field: the key is kept for the next try
    kept_key = next(iter(json.loads(email.withheld).values()))
    assert kept_key not in stored_columns(email)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert email_send(outbox_id=email.pk).status == Status.SENT
    (message,) = mail.outbox
    assert RESET_LINK.search(message.body).group(1) == kept_key
    email.refresh_from_db()
    assert email.withheld == ""
    assert kept_key not in stored_columns(email)


def test_a_mail_that_fails_for_good_drops_its_key(settings, ask_for_reset):
    settings.EMAIL_BACKEND = "tests.registration.broken_mail.RejectingBackend"
    email = ask_for_reset()
    email.refresh_from_db()
    assert (email.status, email.withheld) == (Status.FAILED, "")


def test_the_confirmation_link_works_and_is_kept_nowhere(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    link = CONFIRM_LINK.search(message.body)
    key = link.group(1)
    email = OutboxEmail.objects.get(recipient="new@example.org")
    assert key not in stored_columns(email)
    assert KEY_PLACEHOLDER in email.body_text

    assert client.post(link.group(0)).status_code == 302
    assert EmailAddress.objects.get(email="new@example.org").verified


def test_an_account_mail_is_not_sent_again_from_the_email_log(client, ask_for_reset):
    email = ask_for_reset()
    client.force_login(secretariat_user())
    response = client.post(
        reverse("admin:registration_outboxemail_changelist"),
        {"action": "resend", "_selected_action": [email.pk]},
        follow=True,
    )
    assert "are not sent again" in response.content.decode()
    assert OutboxEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_migration_cuts_stored_keys_and_keeps_a_waiting_ones(db):
    migration = importlib.import_module("registration.migrations.0007_outbox_withheld_keys")
    link = "https://excom.example/ko/accounts/password/reset/key/3-cq1x2-4d5e6f7a8b9c/"
    sent = OutboxEmail.objects.create(
        kind="account",
        recipient="a@example.org",
        language="en",
        subject="Password reset",
        body_text=f"Open {link} to choose a password.",
        body_html=f'<a href="{link}">{link}</a>',
        status=Status.SENT,
    )
    waiting = OutboxEmail.objects.create(
        kind="account",
        recipient="b@example.org",
        language="en",
        subject="Confirm",
        body_text="Open https://excom.example/accounts/confirm-email/MQ:1vA:x-Y_z/ please.",
    )

    migration.withhold_stored_keys(apps, None)

    sent.refresh_from_db()
    assert "cq1x2-4d5e6f7a8b9c" not in stored_columns(sent)
    assert f"key/3-{KEY_PLACEHOLDER}/" in sent.body_text and sent.withheld == ""
    assert sent.body_html.count(KEY_PLACEHOLDER) == 2
    waiting.refresh_from_db()
    assert "MQ:1vA:x-Y_z" not in stored_columns(waiting)
    assert email_send(outbox_id=waiting.pk).status == Status.SENT
    (message,) = mail.outbox
    assert "/accounts/confirm-email/MQ:1vA:x-Y_z/" in message.body
