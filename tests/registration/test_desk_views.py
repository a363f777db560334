"""The desk's pages and JSON endpoints: who may use them, what they show, how many queries."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from registration.models import Badge, DeskLog, Registration, State
from registration.services.badges import badge_ensure
from tests.factories import DelegateFactory, UserFactory

DESK = "Desk 1"


def desk_operator(email: str = "desk@wego.example", group: str = "Desk"):
    desk_group, _created = Group.objects.get_or_create(name=group)
    desk_group.permissions.add(
        Permission.objects.get(content_type__app_label="registration", codename="use_desk")
    )
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(desk_group)
    return user


@pytest.fixture
def register(event):
    """A delegate saved and registered through the services, as the registration form does."""
    from delegates.services import delegate_save
    from registration.services.registrations import registration_submit

    counter = iter(range(1000))

    def _register(city, *, email=None, **fields):
        delegate, _changes = delegate_save(
            delegate=None,
            email=email or f"person{next(counter)}@example.org",
            data={"given_name": "Ana", "family_name": "Lee", "city": city, **fields},
        )
        return registration_submit(delegate=delegate, event=event, data={}, actor=None)

    return _register


@pytest.fixture
def confirmed(register, city):
    return register(
        city,
        given_name="Soo-mi",
        family_name="Eun",
        native_name="은수미",
        phone="+82 10 1234 5678",
        passport_number="M12345678",
        accessibility_needs="Step-free route",
    )


@pytest.fixture
def desk_client(client, db):
    client.force_login(desk_operator())
    return client


def urls(registration: Registration) -> list[tuple[str, str]]:
    return [
        ("get", reverse("desk")),
        ("post", reverse("desk_scan")),
        ("post", reverse("desk_check_in")),
        ("post", reverse("desk_print")),
        ("get", reverse("desk_search") + "?q=eun"),
        ("get", reverse("desk_counters")),
        ("post", reverse("desk_walk_in")),
        ("get", reverse("desk_badge", args=[registration.pk])),
    ]


def _call(client, method, url, registration):
    data = {"token": registration.badge_token, "registration": registration.pk, "desk": DESK}
    return client.post(url, data) if method == "post" else client.get(url)


def test_anonymous_gets_the_login_page_or_403_and_nothing_changes(client, confirmed):
    for method, url in urls(confirmed):
        response = _call(client, method, url, confirmed)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]
        assert confirmed.badge_token not in response.content.decode()
        assert b"Soo-mi" not in response.content
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at is None
    assert not DeskLog.objects.exists()


@pytest.mark.parametrize("kind", ["delegate", "staff_without_desk", "desk_group_not_staff"])
def test_other_users_get_403(client, confirmed, kind):
    if kind == "delegate":
        user = UserFactory(email="someone@example.org")
        DelegateFactory(user=user, email=user.email)
    elif kind == "staff_without_desk":
        user = UserFactory(email="staff@example.org", is_staff=True)
    else:
        user = desk_operator("notstaff@example.org")
        user.is_staff = False
        user.save()
    client.force_login(user)
    for method, url in urls(confirmed):
        response = _call(client, method, url, confirmed)
        assert response.status_code == 403, url
        assert b"Soo-mi" not in response.content
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at is None
    assert not DeskLog.objects.exists()


@pytest.mark.parametrize("group", ["Desk", "Secretariat"])
def test_desk_and_secretariat_may_use_the_desk(client, confirmed, group):
    client.force_login(desk_operator(f"{group.lower()}@wego.example", group=group))

    page = client.get(reverse("desk"))
    checked = client.post(reverse("desk_check_in"), {"token": confirmed.badge_token, "desk": DESK})

    assert page.status_code == 200
    assert checked.json()["outcome"] == "checked_in"


def test_superuser_who_is_staff_may_use_the_desk(client, confirmed):
    client.force_login(UserFactory(email="root@wego.example", is_staff=True, is_superuser=True))
    assert client.get(reverse("desk")).status_code == 200


def test_the_card_shows_what_the_desk_needs_and_nothing_private(desk_client, confirmed):
    response = desk_client.post(
        reverse("desk_scan"), {"token": confirmed.badge_token, "desk": DESK}
    )

    data = response.json()
    assert data["outcome"] == "ready"
    card = data["card"]
    assert (card["given_name"], card["family_name"], card["native_name"]) == (
        "Soo-mi",
        "Eun",
        "은수미",
    )
    assert card["native_lang"] == "ko"
    assert card["city"] == "Seongnam"
    assert card["state"] == State.CONFIRMED
    assert any("Step-free route" in note["text"] for note in card["notes"])
    body = response.content.decode()
    for private in ("M12345678", "1234 5678", "passport", "/admin/", confirmed.badge_token):
        assert private not in body


def test_the_desk_page_has_no_admin_links(desk_client, event):
    body = desk_client.get(reverse("desk")).content.decode()
    assert "/admin/" not in body
    assert 'id="scan"' in body


def test_check_in_then_already_then_badge_pdf(desk_client, confirmed):
    badge_ensure(registration=confirmed)
    first = desk_client.post(
        reverse("desk_check_in"), {"registration": confirmed.pk, "desk": DESK}
    ).json()
    second = desk_client.post(
        reverse("desk_scan"), {"token": confirmed.badge_token, "desk": "Desk 2"}
    ).json()
    pdf = desk_client.get(first["card"]["badge_url"])

    assert first["outcome"] == "checked_in"
    assert first["printed"] is True
    assert second["outcome"] == "already"
    assert "Desk 1" in second["message"]
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    # Opening the PDF again is no print: only the desk's print action counts.
    assert Badge.objects.get(registration=confirmed).print_count == 1


def test_unknown_code_answers_in_words(desk_client, event):
    data = desk_client.post(reverse("desk_scan"), {"token": "nonsense", "desk": DESK}).json()
    assert data["outcome"] == "unknown"
    assert data["title"] == "Unknown code"
    assert DeskLog.objects.get().action == DeskLog.Action.UNKNOWN_CODE


def test_a_request_without_desk_name_is_refused(desk_client, confirmed):
    response = desk_client.post(reverse("desk_check_in"), {"token": confirmed.badge_token})
    assert response.status_code == 400
    assert response.json()["field"] == "desk"


def test_reprint_without_reason_is_refused_with_reason_counted(desk_client, confirmed):
    desk_client.post(reverse("desk_check_in"), {"token": confirmed.badge_token, "desk": DESK})
    first = desk_client.post(reverse("desk_print"), {"registration": confirmed.pk, "desk": DESK})
    refused = desk_client.post(reverse("desk_print"), {"registration": confirmed.pk, "desk": DESK})
    again = desk_client.post(
        reverse("desk_print"), {"registration": confirmed.pk, "desk": DESK, "reason": "Lost"}
    )

    assert first.json()["print_count"] == 1
    assert refused.status_code == 400
    assert again.json()["print_count"] == 2


@pytest.mark.parametrize("query", ["수미", "은수", "soo mi", "SOO-MI", "eun", "seongnam", "성남"])
def test_search_finds_a_delegate_by_part_of_a_name_city_or_in_any_order(
    desk_client, confirmed, query
):
    results = desk_client.get(reverse("desk_search"), {"q": query}).json()["results"]
    assert [r["id"] for r in results] == [confirmed.pk]


def test_search_ignores_accents_and_finds_by_email(desk_client, register, city):
    nunez = register(city, given_name="María", family_name="Núñez", email="maria.n@bogota.example")

    for query in ("nunez", "NÚÑEZ", "maria.n@bogota"):
        results = desk_client.get(reverse("desk_search"), {"q": query}).json()["results"]
        assert [r["id"] for r in results] == [nunez.pk], query


def test_search_of_one_letter_finds_nothing(desk_client, confirmed):
    assert desk_client.get(reverse("desk_search"), {"q": "e"}).json()["results"] == []


def test_counters_by_category(desk_client, confirmed, register, city):
    register(city)
    desk_client.post(reverse("desk_check_in"), {"token": confirmed.badge_token, "desk": DESK})

    data = desk_client.get(reverse("desk_counters")).json()

    assert (data["checked_in"], data["expected"]) == (1, 2)
    assert data["by_category"] == [
        {"category": "delegate", "label": "Delegate", "expected": 2, "checked_in": 1}
    ]


def test_walk_in_form_registers_and_then_prints(desk_client, event, city):
    response = desk_client.post(
        reverse("desk_walk_in"),
        {
            "given_name": "Amara",
            "family_name": "Okafor",
            "email": "amara@example.org",
            "city": "seongnam",
            "category": "press",
            "consent": "on",
            "desk": DESK,
        },
    )

    data = response.json()
    assert response.status_code == 200, data
    assert data["outcome"] == "checked_in"
    registration = Registration.objects.get(delegate__email="amara@example.org")
    assert registration.city == city
    printed = desk_client.post(
        reverse("desk_print"), {"registration": registration.pk, "desk": DESK}
    ).json()
    assert printed["print_count"] == 1
    assert desk_client.get(printed["badge_url"]).status_code == 200


def test_walk_in_form_errors_are_given_by_field(desk_client, event, confirmed):
    response = desk_client.post(
        reverse("desk_walk_in"),
        {"given_name": "A", "email": confirmed.delegate.email, "city": "Nowhere", "desk": DESK},
    )
    assert response.status_code == 400
    assert {"family_name", "consent"} <= set(response.json()["fields"])

    duplicate = desk_client.post(
        reverse("desk_walk_in"),
        {
            "given_name": "A",
            "family_name": "B",
            "email": confirmed.delegate.email,
            "city": "Nowhere",
            "category": "delegate",
            "consent": "on",
            "desk": DESK,
        },
    )
    assert duplicate.status_code == 400
    assert "email" in duplicate.json()["fields"]


def test_scan_and_check_in_requests_are_a_handful_of_queries(
    desk_client, confirmed, register, city, django_assert_max_num_queries
):
    badge_ensure(registration=confirmed)
    # The desk's first request fills the cache with the permission and the current event.
    desk_client.post(reverse("desk_scan"), {"token": "warm-up", "desk": DESK})

    # The user (the session comes from the cache) and the card.
    with django_assert_max_num_queries(2):
        scanned = desk_client.post(
            reverse("desk_scan"), {"token": confirmed.badge_token, "desk": DESK}
        ).json()
    # The user, the card, then the conditional UPDATE, the print's count and the log rows in
    # a transaction (a savepoint inside the test's).
    with django_assert_max_num_queries(7):
        checked = desk_client.post(
            reverse("desk_check_in"), {"token": confirmed.badge_token, "desk": DESK}
        ).json()
    # A re-scan: the user, the card and its log row.
    with django_assert_max_num_queries(3):
        again = desk_client.post(
            reverse("desk_scan"), {"token": confirmed.badge_token, "desk": DESK}
        ).json()

    assert scanned["outcome"] == "ready"
    assert (checked["outcome"], checked["printed"]) == ("checked_in", True)
    assert checked["card"]["print_count"] == 1
    assert checked["card"]["checked_in_desk"] == DESK
    assert again["outcome"] == "already"


def test_the_desk_page_offers_the_reprint_reasons_in_its_language(desk_client, event):
    from django.utils import translation

    with translation.override("ko"):
        page = desk_client.get(reverse("desk")).content.decode()
    assert '<option value="명찰 분실">' in page


def test_a_scan_asks_the_shared_cache_for_the_session_only(desk_client, confirmed, monkeypatch):
    from django.conf import settings
    from django.core.cache import caches

    desk_client.post(reverse("desk_scan"), {"token": "warm-up", "desk": DESK})
    asked = []
    for alias in {"default", settings.SESSION_CACHE_ALIAS}:
        shared = caches[alias]

        def spy(key, *args, _get=shared.get, **kwargs):
            asked.append(key)
            return _get(key, *args, **kwargs)

        monkeypatch.setattr(shared, "get", spy)
    scanned = desk_client.post(
        reverse("desk_scan"), {"token": confirmed.badge_token, "desk": DESK}
    ).json()

    # The event and the desk permission come from the process's own cache: no round trip.
    assert scanned["outcome"] == "ready"
    assert len(asked) == 1
    assert "sessions" in asked[0]


def test_unknown_codes_are_limited_per_operator_and_still_logged(desk_client, event, settings):
    settings.DESK_UNKNOWN_CODES_PER_MINUTE = 5
    answers = [
        desk_client.post(reverse("desk_scan"), {"token": f"guess-{n}", "desk": DESK})
        for n in range(7)
    ]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
    assert "unknown codes in a minute" in answers[-1].json()["error"]
    assert DeskLog.objects.filter(action=DeskLog.Action.UNKNOWN_CODE).count() == 7
    # Another operator at another desk is not held up by the first one's guesses.
    other = Client()
    other.force_login(desk_operator("desk2@wego.example"))
    assert other.post(reverse("desk_scan"), {"token": "x", "desk": "Desk 2"}).status_code == 200
