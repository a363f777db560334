"""Head of delegation is a claim until the secretariat grants it; the secretariat sees the claims
and grants or refuses them."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse

from delegates.models import Membership
from registration.models import (
    Category,
    DelegationRole,
    OutboxEmail,
    Registration,
    RegistrationLog,
    State,
)
from registration.services.heads import head_claim_grant
from registration.services.registrations import registration_submit
from tests.factories import DelegateFactory, MemberCityFactory, UserFactory
from tests.registration.test_delegation import colleague_data, login_as_delegate
from tests.registration.test_journey import form_data, sign_up_and_verify

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registration_registration_changelist"
Action = RegistrationLog.Action


@pytest.fixture
def secretariat(db):
    user = UserFactory(email="secretariat@wego.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


@pytest.fixture
def send_mail_now(django_capture_on_commit_callbacks):
    def request(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return request


def claim(city, event, email="claimant@seongnam.example", **fields):
    """A person registers themselves as head of `city`'s delegation."""
    user = UserFactory(email=email)
    delegate = DelegateFactory(city=city, user=user, email=email, **fields)
    return registration_submit(
        delegate=delegate, event=event, data={"delegation_role": "head"}, actor=user
    )


def act(client, action, registrations, **extra):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [r.pk for r in registrations], **extra},
    )


def test_a_fresh_sign_up_claiming_head_has_no_head_powers(client, event, city, send_mail_now):
    colleague = registration_submit(
        delegate=DelegateFactory(city=city, email="colleague@seongnam.example"),
        event=event,
        data={},
        actor=None,
    )
    sign_up_and_verify(client, send_mail_now, "anyone@example.org")

    response = send_mail_now(
        client.post, reverse("register"), form_data(city, delegation_role="head")
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    registration = Registration.objects.get(delegate__email="anyone@example.org")
    assert registration.delegation_role == DelegationRole.HEAD
    assert registration.claims_head and not registration.is_granted_head
    # An ordinary registration: the quota decides its state, as for any delegate.
    assert registration.state == State.CONFIRMED
    assert registration.category == Category.DELEGATE

    page = client.get(reverse("delegation"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Your claim awaits the secretariat" in text
    assert "colleague@seongnam.example" not in text
    assert colleague.delegate.family_name not in text
    assert "awaits the secretariat" in client.get(reverse("me")).content.decode()
    assert client.get(reverse("delegation_add")).status_code == 404
    response = client.post(reverse("delegation_add"), colleague_data(city, "new@example.org"))
    assert response.status_code == 404
    assert not Registration.objects.filter(delegate__email="new@example.org").exists()
    assert client.get(reverse("delegation_edit", args=[colleague.pk])).status_code == 404
    assert client.post(reverse("delegation_cancel", args=[colleague.pk])).status_code == 404
    colleague.refresh_from_db()
    assert colleague.state == State.CONFIRMED


def test_changing_ones_own_role_to_head_only_claims_it(client, event, city):
    registration = login_as_delegate(client, event, city, role="delegate", email="me@x.example")
    response = client.post(
        reverse("me_edit"), form_data(city, delegation_role="head", email="me@x.example")
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.claims_head
    assert client.get(reverse("delegation_add")).status_code == 404


def test_the_secretariat_grants_a_claim(client, secretariat, event, city):
    registration = claim(city, event)
    client.force_login(secretariat)

    response = act(client, "grant_head", [registration])

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.is_granted_head
    assert registration.log.filter(action=Action.HEAD_GRANTED, actor=secretariat).exists()
    email = OutboxEmail.objects.get(registration=registration, kind=OutboxEmail.Kind.HEAD_GRANTED)
    assert "/delegation/" in email.body_text
    client.force_login(registration.delegate.user)
    assert client.get(reverse("delegation_add")).status_code == 200


def test_refusing_asks_a_reason_then_keeps_the_registration_as_a_delegates(
    client, secretariat, event, city
):
    registration = claim(city, event)
    client.force_login(secretariat)

    form_page = act(client, "refuse_head", [registration])
    assert form_page.status_code == 200
    assert "Reason for refusing" in form_page.content.decode()
    assert act(client, "refuse_head", [registration], apply="1", reason=" ").status_code == 200
    registration.refresh_from_db()
    assert registration.claims_head

    done = act(
        client,
        "refuse_head",
        [registration],
        apply="1",
        reason="The mayor leads this delegation.",
    )

    assert done.status_code == 302
    registration.refresh_from_db()
    assert registration.delegation_role == DelegationRole.DELEGATE
    assert registration.state == State.CONFIRMED
    entry = registration.log.get(action=Action.HEAD_REFUSED)
    assert entry.actor == secretariat and entry.reason == "The mayor leads this delegation."
    email = OutboxEmail.objects.get(registration=registration, kind=OutboxEmail.Kind.HEAD_REFUSED)
    assert "The mayor leads this delegation." in email.body_text
    client.force_login(registration.delegate.user)
    assert client.get(reverse("delegation")).status_code == 404


def test_a_head_the_secretariat_registers_is_granted(client, secretariat, event, city):
    person = DelegateFactory(city=city, email="mayor@seongnam.example")
    client.force_login(secretariat)
    response = client.post(
        reverse("admin:registration_registration_add"),
        {"delegate": person.pk, "delegation_role": "head", "consent": "on"},
    )
    assert response.status_code == 302
    registration = Registration.objects.get(delegate=person)
    assert registration.is_granted_head
    assert registration.log.filter(action=Action.HEAD_GRANTED, actor=secretariat).exists()


def test_a_second_claim_cannot_be_granted_while_a_head_is_granted(client, secretariat, event, city):
    first = claim(city, event, email="first@seongnam.example")
    second = claim(city, event, email="second@seongnam.example")
    client.force_login(secretariat)
    act(client, "grant_head", [first])

    response = act(client, "grant_head", [second])

    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("already has a head" in m for m in messages), messages
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_granted_head and second.claims_head
    # Granting again is refused, and so is refusing a granted head.
    act(client, "grant_head", [first])
    act(client, "refuse_head", [first], apply="1", reason="No.")
    first.refresh_from_db()
    assert first.is_granted_head
    assert first.log.filter(action=Action.HEAD_GRANTED).count() == 1


def test_the_head_of_an_executive_committee_city_gets_the_excom_badge_once_granted(event):
    excom = MemberCityFactory(is_executive_committee=True)
    registration = claim(excom, event)
    assert registration.category == Category.DELEGATE
    head_claim_grant(registration=registration, actor=None)
    registration.refresh_from_db()
    assert registration.category == Category.EXCOM
    assert registration.log.get(action=Action.HEAD_GRANTED).changes["category"] == [
        "delegate",
        "excom",
    ]


def test_the_delegate_list_filters_claims_and_granted_heads(client, secretariat, event, city):
    claimed = claim(city, event, email="claim@seongnam.example", family_name="Claimer")
    granted = claim(MemberCityFactory(), event, email="head@b.example", family_name="Headman")
    head_claim_grant(registration=granted, actor=None)
    plain = registration_submit(
        delegate=DelegateFactory(city=city, family_name="Plainone"),
        event=event,
        data={},
        actor=None,
    )
    client.force_login(secretariat)

    page = client.get(reverse(CHANGELIST), {"head": "claimed"}).content.decode()
    assert "Claimer" in page and "Headman" not in page and "Plainone" not in page
    assert 'staff-tag-warning">claimed<' in page
    page = client.get(reverse(CHANGELIST), {"head": "granted"}).content.decode()
    assert "Headman" in page and "Claimer" not in page and "Plainone" not in page
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert all(str(r.delegate.family_name) in page for r in (claimed, granted, plain))


def test_the_dashboard_counts_the_claims_and_links_to_them(client, secretariat, event, city):
    claim(city, event, email="one@seongnam.example")
    claim(city, event, email="two@seongnam.example")
    granted = claim(MemberCityFactory(), event, email="head@b.example")
    head_claim_grant(registration=granted, actor=None)
    client.force_login(secretariat)

    response = client.get(reverse("staff_dashboard"))

    assert response.context["board"].head_claims == 2
    link = f"{reverse(CHANGELIST)}?event__id__exact={event.pk}&amp;head=claimed"
    assert link in response.content.decode()


def test_pending_and_waitlisted_claims_count_too(event):
    guests = MemberCityFactory(membership=Membership.NON_MEMBER, delegation_quota=1)
    pending = claim(guests, event, email="a@guest.example")
    waiting = claim(guests, event, email="b@guest.example")
    assert (pending.state, waiting.state) == (State.PENDING, State.WAITLISTED)
    assert pending.claims_head and waiting.claims_head


def test_existing_heads_are_migrated_as_granted(event, city):
    registration = claim(city, event)
    assert registration.head_granted_at is None
    migration = importlib.import_module("registration.migrations.0005_head_of_delegation_claims")

    migration.grant_existing_heads(apps, None)

    registration.refresh_from_db()
    assert registration.head_granted_at == registration.submitted_at
