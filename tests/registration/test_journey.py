"""A delegate's whole journey through the pages: sign up, verify, register, edit, cancel."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from delegates.models import Delegate
from registration.models import OutboxEmail, Registration, State
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-private-passphrase"


def form_data(member_city, **overrides):
    data = {
        "honorific": "ms",
        "given_name": "Seo-yeon",
        "family_name": "Choi",
        "native_name": "최서연",
        "job_title": "International Relations Officer",
        "organisation": "Seongnam City",
        "city": member_city.code,
        "phone": "+82 10 1234 5678",
        "language": "ko",
        "delegation_role": "delegate",
        "arrival_date": "",
        "departure_date": "",
        "diet": "vegetarian",
        "consent": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def send_mail_now(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the outbox's send) as the request ends."""

    def request(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return request


def sign_up_and_verify(client, send_mail_now, email):
    response = send_mail_now(
        client.post,
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert OutboxEmail.objects.filter(recipient=email, kind="account").exists()
    (message,) = [m for m in mail.outbox if email in m.to]
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", message.body)
    assert link, message.body
    path = link.group(0)
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    return response


def test_sign_up_verify_register_edit_and_cancel(client, event, city, send_mail_now):
    session = SessionFactory(event=event, code="gala", name="Gala dinner")
    email = "seoyeon.choi@seongnam.example"

    # Before verifying, the delegate cannot reach the form.
    response = client.get(reverse("register"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    sign_up_and_verify(client, send_mail_now, email)

    response = client.get(reverse("register"))
    assert response.status_code == 200
    assert "Seongnam" in response.content.decode()

    response = send_mail_now(
        client.post, reverse("register"), form_data(city, sessions=[session.pk])
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    registration = Registration.objects.get(delegate__email=email)
    assert registration.state == State.CONFIRMED
    assert registration.language == "ko"
    assert list(registration.sessions.all()) == [session]

    page = client.get(reverse("me")).content.decode()
    assert "최서연" in page and "Confirmed" in page and "Gala dinner" in page

    # The confirmed delegate downloads the stored badge from the page.
    assert reverse("my_badge") in page
    response = client.get(reverse("my_badge"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    with registration.badge.pdf.open("rb") as stored:
        assert stored.read() == response.content

    response = client.post(
        reverse("me_edit"), form_data(city, job_title="Director of International Affairs")
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.delegate.job_title == "Director of International Affairs"
    assert registration.log.filter(action="edited").exists()
    assert list(registration.sessions.all()) == []

    assert client.get(reverse("me_cancel")).status_code == 200
    response = send_mail_now(client.post, reverse("me_cancel"), {"reason": "Schedule conflict"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == State.CANCELLED
    assert registration.emails.filter(kind="cancelled").exists()
    page = client.get(reverse("me")).content.decode()
    assert "Cancelled" in page and reverse("my_badge") not in page
    assert client.get(reverse("my_badge")).status_code == 404


def test_sign_up_does_not_reveal_whether_an_address_has_an_account(client, send_mail_now):
    sign_up_and_verify(client, send_mail_now, "known@example.org")
    client.logout()
    response = send_mail_now(
        client.post,
        reverse("account_signup"),
        {"email": "known@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    # Same answer as for a new address: "check your email", never "this address is taken".
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("account_email_verification_sent"))


def test_password_reset_does_not_reveal_unknown_addresses(client, send_mail_now):
    response = send_mail_now(
        client.post, reverse("account_reset_password"), {"email": "nobody@example.org"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("account_reset_password_done"))


def test_sign_up_works_while_the_mail_server_is_down(client, settings, send_mail_now):
    settings.EMAIL_BACKEND = "tests.registration.broken_mail.RefusingBackend"
    response = send_mail_now(
        client.post,
        reverse("account_signup"),
        {"email": "patient@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    email = OutboxEmail.objects.get(recipient="patient@example.org")
    assert email.status == OutboxEmail.Status.QUEUED
    assert "Connection refused" in email.last_error


def test_registered_person_is_linked_to_their_login(client, event, city, send_mail_now):
    sign_up_and_verify(client, send_mail_now, "linked@example.org")
    send_mail_now(client.post, reverse("register"), form_data(city))
    delegate = Delegate.objects.get(email="linked@example.org")
    assert delegate.user.email == "linked@example.org"
    # Coming back to the form shows "my registration" instead of a second form.
    assert client.get(reverse("register"))["Location"] == reverse("me")


def test_a_reason_the_system_gives_reads_in_the_readers_language(
    client, event, city, send_mail_now
):
    from django.utils import translation

    def url(name: str, language: str) -> str:
        with translation.override(language):
            return reverse(name)

    try:
        sign_up_and_verify(client, send_mail_now, "reason@example.org")
        # Registered from the Korean pages: the stored reason is still English...
        send_mail_now(client.post, url("register", "ko"), form_data(city))
        registration = Registration.objects.get(delegate__email="reason@example.org")
        entry = registration.log.get(action="confirmed")
        assert entry.reason == "Inside the city's delegation quota."
        # ...and each page shows it in its own language.
        english = client.get(url("me", "en")).content.decode()
        assert "Inside the city&#x27;s delegation quota." in english
        korean = client.get(url("me", "ko")).content.decode()
        assert "도시 대표단 배정 인원 내 등록입니다." in korean
    finally:
        # A request to a /ko/ page leaves Korean active in this thread.
        translation.activate("en")
