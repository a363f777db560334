"""The secretariat's side of personal data in the admin: erasure requests and the erase action,
the privacy notice's versions, and the record of what was purged."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from delegates.models import Delegate
from registration.models import PrivacyNotice, PurgeRecord, Registration, State
from registration.services.privacy.erasure import delegate_request_erasure
from tests.factories import UserFactory
from tests.registration.test_admin_delegates import CHANGELIST, act, messages_of


@pytest.fixture
def secretariat(db):
    user = UserFactory(email="privacy.officer@wego.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


@pytest.fixture
def staff_client(client, secretariat):
    client.force_login(secretariat)
    return client


@pytest.fixture
def asked_to_be_erased(submit, city):
    owner = UserFactory(email="erase.me@example.de")
    registration = submit(city, given_name="Jürgen", family_name="Weiß", user=owner)
    delegate_request_erasure(delegate=registration.delegate, actor=owner)
    return registration


def test_requested_erasures_have_a_filter_and_a_mark(
    staff_client, asked_to_be_erased, submit, city
):
    other = submit(city, given_name="Ana", family_name="Souza")
    page = staff_client.get(reverse(CHANGELIST), {"erasure": "requested"}).content.decode()
    assert "Weiß" in page and "erasure requested" in page
    assert "Souza" not in page
    detail = staff_client.get(
        reverse("admin:registration_registration_change", args=[asked_to_be_erased.pk])
    ).content.decode()
    assert "erasure requested on" in detail
    assert reverse("delegate_data_export", args=[asked_to_be_erased.delegate_id]) in detail
    assert other.delegate.erasure_requested_at is None


def test_erase_action_asks_for_confirmation_then_erases(staff_client, asked_to_be_erased):
    registration = asked_to_be_erased
    confirm_page = act(staff_client, "erase_selected", [registration])
    assert confirm_page.status_code == 200
    assert "cannot be undone" in confirm_page.content.decode()

    unticked = act(staff_client, "erase_selected", [registration], apply="1")
    assert "Tick the box to confirm the erasure." in unticked.content.decode()
    assert Delegate.objects.get(pk=registration.delegate_id).erased_at is None

    done = act(staff_client, "erase_selected", [registration], apply="1", understood="on")
    assert done.status_code == 302
    assert "The personal data of 1 person was erased." in messages_of(done)
    registration.refresh_from_db()
    delegate = Delegate.objects.get(pk=registration.delegate_id)
    assert registration.state == State.ERASED
    assert delegate.erased_at is not None and delegate.family_name == ""
    assert PurgeRecord.objects.filter(reason="erasure").count() == 1

    listed = staff_client.get(reverse(CHANGELIST), {"erasure": "erased"}).content.decode()
    assert "(erased)" in listed and "Weiß" not in listed

    # Erasing again is refused with a message for that person, and nothing else happens.
    again = act(staff_client, "erase_selected", [registration], apply="1", understood="on")
    assert any("already been erased" in m for m in messages_of(again))
    assert PurgeRecord.objects.filter(reason="erasure").count() == 1


def test_a_new_notice_text_is_a_new_version_and_old_consents_keep_theirs(
    staff_client, submit, city
):
    first = PrivacyNotice.objects.order_by("-version").first()
    registration = submit(city)
    Registration.objects.filter(pk=registration.pk).update(privacy_notice=first)

    add_url = reverse("admin:registration_privacynotice_add")
    form = staff_client.get(add_url)
    assert form.status_code == 200
    # The form starts from the current text, so a small change is easy.
    assert first.text_en[:40] in form.content.decode()

    blank = staff_client.post(add_url, {"text_en": first.text_en, "text_ko": ""})
    assert blank.status_code == 200
    assert PrivacyNotice.objects.count() == 1

    response = staff_client.post(
        add_url,
        {"text_en": first.text_en + "\n\nContact: privacy@wego.example", "text_ko": first.text_ko},
    )
    assert response.status_code == 302
    assert "Published as version 2" in " ".join(messages_of(response))
    assert PrivacyNotice.objects.order_by("-version").first().version == first.version + 1
    registration.refresh_from_db()
    assert registration.privacy_notice_id == first.pk

    # A published version is read-only: its page shows it, a change is refused.
    change_url = reverse("admin:registration_privacynotice_change", args=[first.pk])
    assert staff_client.get(change_url).status_code == 200
    assert staff_client.post(change_url, {"text_en": "x", "text_ko": "y"}).status_code == 403
    first.refresh_from_db()
    assert first.text_en != "x"


def test_the_same_text_again_publishes_nothing_new(staff_client):
    current = PrivacyNotice.objects.order_by("-version").first()
    staff_client.post(
        reverse("admin:registration_privacynotice_add"),
        {"text_en": current.text_en, "text_ko": current.text_ko},
    )
    assert PrivacyNotice.objects.count() == 1


def test_purge_records_are_listed_read_only(staff_client, asked_to_be_erased, secretariat):
    from registration.services.privacy.erasure import delegate_erase

    delegate_erase(delegate=asked_to_be_erased.delegate, actor=secretariat)
    response = staff_client.get(reverse("admin:registration_purgerecord_changelist"))
    assert response.status_code == 200
    assert "erasure" in response.content.decode()
    assert staff_client.get(reverse("admin:registration_purgerecord_add")).status_code == 403
