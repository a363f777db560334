"""The secretariat invites a city's focal point to lead its delegation with a personal link."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from registration.models import (
    DelegationRole,
    HeadInvitation,
    OutboxEmail,
    Registration,
    RegistrationLog,
    State,
)
from registration.services.head_invitations import head_invitation_send
from registration.services.heads import head_claim_grant
from tests.factories import DelegateFactory, MemberCityFactory, UserFactory
from tests.registration.test_heads import claim
from tests.registration.test_journey import PASSWORD, form_data

pytestmark = pytest.mark.django_db

CITIES = "admin:delegates_membercity_changelist"
FOCAL_POINT = "focal.point@seongnam.example"
LINK = re.compile(r"/delegation/invitation/([A-Za-z0-9_-]+)/")


@pytest.fixture
def secretariat(db):
    user = UserFactory(email="secretariat@wego.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


@pytest.fixture
def focal_city(city):
    city.focal_point_name = "Kim Min-ji"
    city.focal_point_email = FOCAL_POINT
    city.save()
    return city


@pytest.fixture
def send_mail_now(django_capture_on_commit_callbacks):
    def request(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return request


def invite(client, city) -> str:
    """Send the invitation from the city list, as the secretariat does; the link's path.

    The link is read from the mail as sent: the outbox keeps the text without it.
    """
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse(CITIES), {"action": "invite_focal_point", "_selected_action": [city.pk]}
        )
    assert response.status_code == 302
    stored = OutboxEmail.objects.filter(kind=OutboxEmail.Kind.HEAD_INVITATION).first()
    assert LINK.search(stored.body_text) is None and LINK.search(stored.body_html) is None
    (sent,) = [m for m in mail.outbox if m.to == [stored.recipient]][-1:]
    return LINK.search(sent.body).group(0)


def sign_in(client, email):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    client.force_login(user)
    return user


def test_the_invitation_is_a_personal_link_whose_token_is_stored_hashed(
    client, secretariat, event, focal_city
):
    client.force_login(secretariat)
    path = invite(client, focal_city)

    invitation = HeadInvitation.objects.get()
    token = LINK.search(path).group(1)
    assert len(token) >= 40
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(HeadInvitation.objects.values().get())
    assert (invitation.event, invitation.city, invitation.email) == (event, focal_city, FOCAL_POINT)
    assert invitation.invited_by == secretariat
    assert invitation.expires_at > timezone.now() + timedelta(days=13)
    email = OutboxEmail.objects.get(kind=OutboxEmail.Kind.HEAD_INVITATION)
    # A city in Korea, a focal point we do not know yet: Korean.
    assert email.recipient == FOCAL_POINT and email.language == "ko"
    assert "Kim Min-ji" in email.body_text and "/ko/delegation/invitation/" in email.body_text
    page = client.get(reverse("admin:delegates_membercity_change", args=[focal_city.pk]))
    assert FOCAL_POINT in page.content.decode()


def test_the_focal_point_signs_up_with_that_address_and_becomes_head_granted(
    client, secretariat, event, focal_city, send_mail_now
):
    client.force_login(secretariat)
    path = invite(client, focal_city)
    client.logout()

    page = client.get(path)
    assert page.status_code == 200
    assert FOCAL_POINT in page.content.decode()
    signup = re.search(r'href="(/accounts/signup/\?next=[^"]+)"', page.content.decode()).group(1)

    # Signing up from the page brings them back to the link once the address is verified.
    send_mail_now(
        client.post,
        signup,
        {"email": FOCAL_POINT, "password1": PASSWORD, "password2": PASSWORD},
    )
    # The key is in the mail as sent, never in the stored row.
    (message,) = [m for m in mail.outbox if m.to == [FOCAL_POINT] and "confirm-email" in m.body]
    confirm = re.search(r"/accounts/confirm-email/[^/\s]+/", message.body).group(0)
    assert client.post(confirm)["Location"] == path
    form = client.get(path)
    assert form.status_code == 200
    assert "Register as head of the delegation of Seongnam" in form.content.decode()
    data = form_data(focal_city)
    data.pop("city")
    data["delegation_role"] = "head"
    response = send_mail_now(client.post, path, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("delegation")
    registration = Registration.objects.get(delegate__email=FOCAL_POINT)
    assert registration.city == focal_city and registration.is_granted_head
    assert registration.state == State.CONFIRMED
    entry = registration.log.get(action=RegistrationLog.Action.HEAD_GRANTED)
    assert entry.actor == secretariat
    invitation = HeadInvitation.objects.get()
    assert invitation.accepted_at is not None and invitation.registration == registration
    assert client.get(reverse("delegation_add")).status_code == 200
    # The link now leads them to their delegation; it works for nobody else.
    assert client.get(path)["Location"] == reverse("delegation")
    client.force_login(UserFactory(email=FOCAL_POINT.upper().replace("FOCAL", "other")))
    assert "already been used" in client.get(path).content.decode()


def test_a_focal_point_registered_already_accepts_and_becomes_head(
    client, secretariat, event, focal_city
):
    client.force_login(secretariat)
    path = invite(client, focal_city)
    user = sign_in(client, FOCAL_POINT)
    from registration.services.registrations import registration_submit

    registration = registration_submit(
        delegate=DelegateFactory(city=focal_city, user=user, email=FOCAL_POINT),
        event=event,
        data={"delegation_role": "delegate"},
        actor=user,
    )
    page = client.get(path)
    assert "Accept and lead the delegation" in page.content.decode()

    response = client.post(path)

    assert response["Location"] == reverse("delegation")
    registration.refresh_from_db()
    assert registration.is_granted_head
    entry = registration.log.get(action=RegistrationLog.Action.HEAD_GRANTED)
    assert entry.changes["delegation_role"] == [DelegationRole.DELEGATE, DelegationRole.HEAD]


def test_another_account_following_the_link_is_told_which_address_to_use(
    client, secretariat, event, focal_city
):
    client.force_login(secretariat)
    path = invite(client, focal_city)
    sign_in(client, "someone.else@example.org")

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 403
        text = response.content.decode()
        assert FOCAL_POINT in text and "someone.else@example.org" in text
    assert not Registration.objects.exists()
    assert HeadInvitation.objects.get().accepted_at is None


@pytest.mark.parametrize("how", ["expired", "used", "replaced", "made up"])
def test_a_link_that_no_longer_works_says_why(client, secretariat, event, focal_city, how):
    client.force_login(secretariat)
    path = invite(client, focal_city)
    if how == "expired":
        HeadInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    elif how == "used":
        HeadInvitation.objects.update(accepted_at=timezone.now())
    elif how == "replaced":
        newer = invite(client, focal_city)
        assert newer != path
    else:
        path = "/delegation/invitation/not-a-token-we-sent/"
    sign_in(client, FOCAL_POINT)

    response = client.get(path)

    expected = {
        "expired": "This invitation expired on",
        "used": "already been used",
        "replaced": "newer invitation",
        "made up": "not valid",
    }[how]
    assert response.status_code in (404, 410)
    assert expected in response.content.decode()
    data = form_data(focal_city, delegation_role="head")
    client.post(path, data)
    assert not Registration.objects.exists()


def test_resending_makes_a_fresh_link_and_only_that_one_works(
    client, secretariat, event, focal_city
):
    client.force_login(secretariat)
    old = invite(client, focal_city)
    OutboxEmail.objects.all().delete()
    new = invite(client, focal_city)
    assert HeadInvitation.objects.count() == 2
    assert HeadInvitation.objects.filter(replaced_at__isnull=False).count() == 1
    sign_in(client, FOCAL_POINT)
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200


def test_no_invitation_while_someone_else_is_the_granted_head(
    client, secretariat, event, focal_city
):
    head = claim(focal_city, event, email="head@seongnam.example")
    head_claim_grant(registration=head, actor=None)
    client.force_login(secretariat)
    response = client.post(
        reverse(CITIES), {"action": "invite_focal_point", "_selected_action": [focal_city.pk]}
    )
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("already has a head of delegation" in m for m in messages), messages
    assert not HeadInvitation.objects.exists()
    assert not OutboxEmail.objects.filter(kind=OutboxEmail.Kind.HEAD_INVITATION).exists()


def test_no_invitation_without_a_focal_point_email(secretariat, event):
    from registration.errors import RegistrationError

    with pytest.raises(RegistrationError, match="no focal point email"):
        head_invitation_send(city=MemberCityFactory(), event=event, actor=secretariat)


def test_an_accepted_invitation_leaves_another_persons_claim_to_the_secretariat(
    client, secretariat, event, focal_city
):
    other = claim(focal_city, event, email="claimant@seongnam.example")
    client.force_login(secretariat)
    path = invite(client, focal_city)
    user = sign_in(client, FOCAL_POINT)
    data = form_data(focal_city)
    data.pop("city")
    data["delegation_role"] = "head"

    client.post(path, data)

    head = Registration.objects.get(delegate__user=user)
    assert head.is_granted_head
    other.refresh_from_db()
    assert other.claims_head  # still waiting: the secretariat refuses it
    from registration.errors import RegistrationError

    with pytest.raises(RegistrationError, match="already has a head"):
        head_claim_grant(registration=other, actor=secretariat)
