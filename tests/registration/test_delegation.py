"""A head of delegation registers and manages colleagues of their own city; nobody else can.

A head sees every colleague's name, role and state, but an email address only for the
registrations they made, and changes or cancels only those; someone with a login of their own
is invited to register themselves instead of being registered.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from delegates.models import Delegate
from registration.models import (
    ColleagueInvitation,
    DelegationRole,
    OutboxEmail,
    Registration,
    State,
)
from registration.services.heads import head_claim_grant
from registration.services.registrations import registration_submit
from registration.services.states import registration_cancel
from registration.services.submissions import registration_submit_by_secretariat
from tests.factories import DelegateFactory, MemberCityFactory, UserFactory
from tests.registration.test_journey import PASSWORD, form_data, sign_up_and_verify

pytestmark = pytest.mark.django_db


def secretariat_user():
    user = UserFactory(email="secretariat@wego.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


def login_as_delegate(client, event, city, *, role, email, granted=True):
    """A person with a verified login registers themselves; a head's claim is then granted by
    the secretariat unless `granted` is false."""
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    delegate = DelegateFactory(city=city, user=user, email=email)
    registration = registration_submit(
        delegate=delegate, event=event, data={"delegation_role": role}, actor=user
    )
    if role == DelegationRole.HEAD and granted:
        registration = head_claim_grant(registration=registration, actor=secretariat_user())
    client.force_login(user)
    return registration


def colleague_data(city, email, **overrides):
    data = form_data(
        city, email=email, given_name="Min-ho", family_name="Kang", native_name="강민호"
    )
    data.pop("city")
    data.update(overrides)
    return data


@pytest.fixture
def send_mail_now(django_capture_on_commit_callbacks):
    def request(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return request


def test_head_registers_a_colleague_without_a_login(client, event, city):
    head = login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
    response = client.post(
        reverse("delegation_add"), colleague_data(city, "minho@seongnam.example")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    colleague = Registration.objects.get(delegate__email="minho@seongnam.example")
    assert colleague.city == city
    assert colleague.delegate.user is None
    assert colleague.delegate.registered_by == head.delegate.user
    assert colleague.submitted_by == head.delegate.user
    page = client.get(reverse("delegation")).content.decode()
    assert "강민호" in page and "minho@seongnam.example" in page


def test_head_edits_and_cancels_a_colleague(client, event, city):
    login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
    client.post(reverse("delegation_add"), colleague_data(city, "minho@seongnam.example"))
    colleague = Registration.objects.get(delegate__email="minho@seongnam.example")
    response = client.post(
        reverse("delegation_edit", args=[colleague.pk]),
        colleague_data(city, "minho@seongnam.example", job_title="Deputy Mayor"),
    )
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.delegate.job_title == "Deputy Mayor"
    client.post(reverse("delegation_cancel", args=[colleague.pk]), {"reason": ""})
    colleague.refresh_from_db()
    assert colleague.state == State.CANCELLED


def test_colleagues_beyond_the_quota_are_waitlisted(client, event):
    city = MemberCityFactory(delegation_quota=1)
    login_as_delegate(client, event, city, role="head", email="head@small.example")
    client.post(reverse("delegation_add"), colleague_data(city, "second@small.example"))
    assert Registration.objects.get(delegate__email="second@small.example").state == "waitlisted"


def test_a_delegation_has_one_head(client, event, city):
    login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
    response = client.post(
        reverse("delegation_add"),
        colleague_data(city, "other@seongnam.example", delegation_role="head"),
    )
    assert response.status_code == 400
    assert not Registration.objects.filter(delegate__email="other@seongnam.example").exists()


def test_a_delegate_who_is_not_head_has_no_delegation_page(client, event, city):
    login_as_delegate(client, event, city, role="delegate", email="plain@seongnam.example")
    assert client.get(reverse("delegation")).status_code == 404
    assert client.get(reverse("delegation_add")).status_code == 404


def test_head_cannot_see_or_change_another_citys_delegates(client, event, city):
    other_city = MemberCityFactory(name_en="Kazan")
    outsider = registration_submit(
        delegate=DelegateFactory(city=other_city), event=event, data={}, actor=None
    )
    login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
    assert outsider.delegate.email not in client.get(reverse("delegation")).content.decode()
    assert client.get(reverse("delegation_edit", args=[outsider.pk])).status_code == 404
    response = client.post(reverse("delegation_cancel", args=[outsider.pk]))
    assert response.status_code == 404
    outsider.refresh_from_db()
    assert outsider.state == State.CONFIRMED


# What the head sees and changes: only what they made.


def test_head_page_shows_no_email_of_people_with_a_login_or_registered_by_the_secretariat(
    client, event, city
):
    own = login_as_delegate(client, event, city, role="delegate", email="own@seongnam.example")
    by_secretariat = registration_submit_by_secretariat(
        delegate=DelegateFactory(city=city, email="asked@seongnam.example", given_name="Yuna"),
        event=event,
        delegation_role=DelegationRole.DELEGATE,
        actor=secretariat_user(),
    )
    login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
    client.post(reverse("delegation_add"), colleague_data(city, "minho@seongnam.example"))

    page = client.get(reverse("delegation")).content.decode()

    # Everyone by name, role and state...
    assert own.delegate.family_name in page and by_secretariat.delegate.family_name in page
    assert "Manages their own registration" in page and "Managed by the secretariat" in page
    # ...but an email only for the colleague the head registered.
    assert "own@seongnam.example" not in page
    assert "asked@seongnam.example" not in page
    assert "minho@seongnam.example" in page
    assert reverse("delegation_edit", args=[by_secretariat.pk]) not in page
    assert reverse("delegation_cancel", args=[own.pk]) not in page


def test_head_cannot_change_or_cancel_a_registration_the_secretariat_made(
    client, event, city, send_mail_now
):
    by_secretariat = registration_submit_by_secretariat(
        delegate=DelegateFactory(city=city, email="asked@seongnam.example"),
        event=event,
        delegation_role=DelegationRole.DELEGATE,
        actor=secretariat_user(),
    )
    login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
    emails_before = OutboxEmail.objects.filter(recipient="asked@seongnam.example").count()

    assert client.get(reverse("delegation_edit", args=[by_secretariat.pk])).status_code == 404
    assert client.get(reverse("delegation_cancel", args=[by_secretariat.pk])).status_code == 404
    response = send_mail_now(
        client.post, reverse("delegation_cancel", args=[by_secretariat.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    response = client.post(
        reverse("delegation_edit", args=[by_secretariat.pk]),
        colleague_data(city, "asked@seongnam.example", job_title="Changed"),
    )
    assert response.status_code == 404

    by_secretariat.refresh_from_db()
    assert by_secretariat.state == State.CONFIRMED
    assert by_secretariat.delegate.job_title != "Changed"
    assert OutboxEmail.objects.filter(recipient="asked@seongnam.example").count() == emails_before
    assert not any("asked@seongnam.example" in m.to for m in mail.outbox if "cancel" in m.subject)


def test_head_cannot_change_or_cancel_a_registration_the_person_made(client, event, city):
    own = login_as_delegate(client, event, city, role="delegate", email="own@seongnam.example")
    login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
    assert client.get(reverse("delegation_edit", args=[own.pk])).status_code == 404
    assert client.post(reverse("delegation_cancel", args=[own.pk])).status_code == 404
    own.refresh_from_db()
    assert own.state == State.CONFIRMED


def test_head_cannot_change_what_a_previous_head_registered(client, event, city):
    first = login_as_delegate(client, event, city, role="head", email="first@seongnam.example")
    client.post(reverse("delegation_add"), colleague_data(city, "minho@seongnam.example"))
    assert "minho@seongnam.example" in client.get(reverse("delegation")).content.decode()
    colleague = Registration.objects.get(delegate__email="minho@seongnam.example")
    registration_cancel(registration=first, actor=first.delegate.user)
    login_as_delegate(client, event, city, role="head", email="second@seongnam.example")
    page = client.get(reverse("delegation")).content.decode()
    assert "minho@seongnam.example" not in page
    assert client.get(reverse("delegation_edit", args=[colleague.pk])).status_code == 404


# Someone with a login of their own is invited, never registered by the head.


def test_registering_an_existing_logins_email_invites_them_and_leaves_them_free(
    client, event, city, send_mail_now
):
    # Signed up and verified, not registered yet: only a login, no person record.
    sign_up_and_verify(client, send_mail_now, "own@seongnam.example")
    client.logout()
    login_as_delegate(client, event, city, role="head", email="head@seongnam.example")

    response = send_mail_now(
        client.post, reverse("delegation_add"), colleague_data(city, "own@seongnam.example")
    )

    assert response.status_code == 302
    assert not Delegate.objects.filter(email__iexact="own@seongnam.example").exists()
    assert not Registration.objects.filter(delegate__email="own@seongnam.example").exists()
    invitation = OutboxEmail.objects.get(
        recipient="own@seongnam.example", kind=OutboxEmail.Kind.COLLEAGUE_INVITATION
    )
    assert city.name_en in invitation.subject
    link = re.search(r"http\S+/me/register/\?city=kr-seongnam", invitation.body_text)
    assert link, invitation.body_text
    page = client.get(reverse("delegation")).content.decode()
    assert "Invitations sent" in page and "own@seongnam.example" in page

    # The person registers themselves as usual, and sees their own data.
    client.logout()
    client.post(reverse("account_login"), {"login": "own@seongnam.example", "password": PASSWORD})
    form = client.get(reverse("register") + "?city=kr-seongnam").content.decode()
    assert 'value="kr-seongnam" selected' in form
    response = send_mail_now(client.post, reverse("register"), form_data(city))
    assert response.status_code == 302, response.content.decode()[:2000]
    registration = Registration.objects.get(delegate__email="own@seongnam.example")
    assert registration.delegate.user.email == "own@seongnam.example"
    assert registration.submitted_by == registration.delegate.user
    assert "최서연" in client.get(reverse("me")).content.decode()
    assert client.get(reverse("my_data")).status_code == 200

    # On the head's page: a member now, no longer an open invitation, and no email shown.
    client.logout()
    client.force_login(Delegate.objects.get(email="head@seongnam.example").user)
    page = client.get(reverse("delegation")).content.decode()
    assert "최서연" in page
    assert "own@seongnam.example" not in page


def test_an_invitation_goes_once(client, event, city):
    DelegateFactory(
        city=city, email="own@seongnam.example", user=UserFactory(email="own@seongnam.example")
    )
    login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
    for _ in range(2):
        response = client.post(
            reverse("delegation_add"), colleague_data(city, "Own@Seongnam.example")
        )
        assert response.status_code == 302
    assert ColleagueInvitation.objects.count() == 1
    assert OutboxEmail.objects.filter(kind=OutboxEmail.Kind.COLLEAGUE_INVITATION).count() == 1


def test_a_person_record_the_head_did_not_make_is_invited_not_overwritten(client, event, city):
    known = DelegateFactory(city=city, email="known@seongnam.example", passport_number="M1234567")
    login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
    response = client.post(
        reverse("delegation_add"), colleague_data(city, "known@seongnam.example")
    )
    assert response.status_code == 302
    known.refresh_from_db()
    assert known.passport_number == "M1234567" and known.given_name == "Ana"
    assert not Registration.objects.filter(delegate=known).exists()
    assert ColleagueInvitation.objects.filter(email="known@seongnam.example").exists()


def test_a_colleague_who_signs_up_later_finds_their_registration(
    client, event, city, send_mail_now
):
    login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
    client.post(reverse("delegation_add"), colleague_data(city, "later@seongnam.example"))
    client.logout()

    sign_up_and_verify(client, send_mail_now, "later@seongnam.example")
    page = client.get(reverse("me")).content.decode()
    assert "강민호" in page and "Confirmed" in page
    # Their own page now, not the head's to change.
    client.logout()
    login_as_delegate(client, event, MemberCityFactory(), role="head", email="x@y.example")
    registration = Registration.objects.get(delegate__email="later@seongnam.example")
    assert registration.delegate.user.email == "later@seongnam.example"
    assert registration.delegation_role == DelegationRole.DELEGATE


def test_photos_are_shown_only_to_the_person_their_head_and_staff(
    client, event, city, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    from tests.registration.test_bad_input import image_file

    head = login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
    with django_capture_on_commit_callbacks(execute=True):  # the photo is written on commit
        client.post(
            reverse("delegation_add"),
            colleague_data(city, "photo@seongnam.example", photo=image_file()),
        )
    colleague = Registration.objects.get(delegate__email="photo@seongnam.example").delegate
    url = colleague.photo.url
    assert url.startswith("/media/photos/")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"

    client.logout()
    assert client.get(url).status_code == 404
    outsider = login_as_delegate(
        client, event, MemberCityFactory(), role="head", email="other@kazan.example"
    )
    assert outsider.delegate.user is not None
    assert client.get(url).status_code == 404
    desk = UserFactory(is_staff=True)
    desk.groups.add(Group.objects.get(name="Desk"))
    client.force_login(desk)
    assert client.get(url).status_code == 200
    assert head.delegate.photo.name == ""
