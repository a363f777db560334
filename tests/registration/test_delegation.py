"""A head of delegation registers and manages colleagues of their own city; nobody else can."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.urls import reverse

from registration.models import DelegationRole, Registration, State
from registration.services.heads import head_claim_grant
from registration.services.registrations import registration_submit
from tests.factories import DelegateFactory, MemberCityFactory, UserFactory
from tests.registration.test_journey import form_data

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


def test_head_cannot_take_over_someone_with_their_own_account(client, event, city):
    UserFactory(email="own@seongnam.example")
    DelegateFactory(
        city=city, email="own@seongnam.example", user=UserFactory(email="own@seongnam.example")
    )
    login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
    response = client.post(reverse("delegation_add"), colleague_data(city, "own@seongnam.example"))
    assert response.status_code == 400
    assert "register themselves" in response.content.decode()


def test_a_colleague_who_signs_up_later_finds_their_registration(
    client, event, city, django_capture_on_commit_callbacks
):
    from tests.registration.test_journey import sign_up_and_verify

    login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
    client.post(reverse("delegation_add"), colleague_data(city, "later@seongnam.example"))
    client.logout()

    def send_mail_now(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    sign_up_and_verify(client, send_mail_now, "later@seongnam.example")
    page = client.get(reverse("me")).content.decode()
    assert "강민호" in page and "Confirmed" in page
    # Their own page now, not the head's to change.
    client.logout()
    login_as_delegate(client, event, MemberCityFactory(), role="head", email="x@y.example")
    registration = Registration.objects.get(delegate__email="later@seongnam.example")
    assert registration.delegate.user.email == "later@seongnam.example"
    assert registration.delegation_role == DelegationRole.DELEGATE


def test_photos_are_shown_only_to_the_person_their_head_and_staff(client, event, city):
    from tests.registration.test_bad_input import image_file

    head = login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
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
