"""Behind the reverse proxy the login limits count per client, not per proxy."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

PROXY = "10.0.0.2"
RATE_LIMITED = "Too many failed login attempts"


def failed_login(client: Client, client_address: str, n: int) -> str:
    response = client.post(
        reverse("account_login"),
        {"login": f"nobody{n}@example.org", "password": "wrong-password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_address,
    )
    return response.content.decode()


def test_one_client_locked_out_does_not_lock_out_the_others(settings, db):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client = Client()
    for n in range(11):
        failed_login(client, "203.0.113.7", n)
    assert RATE_LIMITED in failed_login(client, "203.0.113.7", 99)
    # Another delegate behind the same proxy is told the password is wrong, not locked out.
    assert RATE_LIMITED not in failed_login(Client(), "198.51.100.9", 100)


def test_without_the_proxy_setting_everyone_behind_the_proxy_shares_one_limit(settings, db):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    client = Client()
    for n in range(11):
        failed_login(client, "203.0.113.7", n)
    assert RATE_LIMITED in failed_login(Client(), "198.51.100.9", 100)


def test_a_header_set_by_the_proxy_can_name_the_client(settings, db):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    client = Client()
    for n in range(11):
        client.post(
            reverse("account_login"),
            {"login": f"nobody{n}@example.org", "password": "wrong-password"},
            REMOTE_ADDR=PROXY,
            HTTP_X_REAL_IP="203.0.113.7",
        )
    other = Client().post(
        reverse("account_login"),
        {"login": "someone@example.org", "password": "wrong-password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_REAL_IP="198.51.100.9",
    )
    assert RATE_LIMITED not in other.content.decode()
