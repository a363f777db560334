"""A double-click or a network retry of a form gives the same outcome page: one registration or
one account, every answer a page the person expects, never an error page."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from delegates.models import User
from registration.models import OutboxEmail, Registration
from tests.factories import EventFactory, MemberCityFactory, UserFactory
from tests.registration.test_journey import form_data


def posts_at_once(
    presses: int, url: str, data: dict, *, user: User | None = None
) -> list[tuple[int, str]]:
    """(status, redirect target) of `presses` identical posts sent at the same moment."""
    barrier = threading.Barrier(presses)
    answers: list[tuple[int, str]] = []
    failures: list[BaseException] = []

    def press() -> None:
        client = Client()
        if user is not None:
            client.force_login(user)
        try:
            barrier.wait(timeout=30)
            response = client.post(url, data)
            answers.append((response.status_code, response.get("Location", "")))
        except BaseException as error:  # collected: a thread's error must fail the test
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(presses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    return answers


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("presses", [2, 20])
def test_identical_posts_at_once_register_once_and_all_land_on_my_registration(presses):
    EventFactory()
    city = MemberCityFactory(delegation_quota=5)
    user = UserFactory(email="twice@example.org")
    answers = posts_at_once(presses, reverse("register"), form_data(city), user=user)
    assert answers == [(302, reverse("me"))] * presses
    assert Registration.objects.filter(delegate__email="twice@example.org").count() == 1
    # One "received" (or "confirmed") email, not one per press.
    assert OutboxEmail.objects.filter(recipient="twice@example.org").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("presses", [2, 20])
def test_identical_sign_ups_at_once_make_one_account_and_no_error_page(presses):
    password = "a-long-enough-passphrase-7"
    answers = posts_at_once(
        presses,
        reverse("account_signup"),
        {"email": "new@example.org", "password1": password, "password2": password},
    )
    assert User.objects.filter(email__iexact="new@example.org").count() == 1
    assert all(status in {200, 302} for status, _target in answers), answers
