"""Personal data: encrypted passports, key rotation, consent versions, retention, export, erasure."""

import io
import json
import os
import zipfile
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from delegates.models import Delegate, PassportAccessLog, User
from registration.errors import RegistrationError
from registration.models import PrivacyNotice, PurgeRecord, Registration, State
from registration.services.badges import badge_ensure
from registration.services.privacy.erasure import delegate_erase, delegate_request_erasure
from registration.services.privacy.notices import privacy_notice_publish
from registration.services.privacy.retention import personal_data_purge, personal_data_purge_plan
from registration.services.registrations import registration_submit
from tests.factories import DelegateFactory, EventFactory, MemberCityFactory, UserFactory
from tests.registration.test_bad_input import image_file

pytestmark = pytest.mark.django_db

PASSPORT = {
    "passport_name": "CHOI SEOYEON",
    "passport_number": "M12345678",
    "passport_nationality": "KR",
    "passport_date_of_birth": date(1985, 3, 2),
    "passport_expiry": date(2030, 1, 31),
}


def raw_column(delegate, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM delegates_delegate WHERE id = %s", [delegate.pk])  # noqa: S608
        return cursor.fetchone()[0]


def with_photo(delegate):
    from django.core.files.base import ContentFile

    from delegates.photos import photo_clean

    upload = image_file()
    upload.size = len(upload.getvalue())
    cleaned = photo_clean(upload)
    delegate.photo.save("p.jpg", ContentFile(cleaned.read()), save=True)
    return delegate


# Encryption at rest ---------------------------------------------------------------------------


def test_the_database_holds_no_clear_passport_detail():
    delegate = DelegateFactory(**PASSPORT)
    for column, clear in [
        ("passport_number", "M12345678"),
        ("passport_name", "CHOI"),
        ("passport_date_of_birth", "1985"),
        ("passport_nationality", "KR"),
    ]:
        stored = raw_column(delegate, column)
        assert clear not in stored and stored.startswith("gAAAA")
    delegate = Delegate.objects.get(pk=delegate.pk)
    assert delegate.passport_number == "M12345678"
    assert delegate.passport_date_of_birth == date(1985, 3, 2)


def test_empty_passport_details_stay_empty():
    delegate = DelegateFactory()
    assert raw_column(delegate, "passport_number") == ""
    assert Delegate.objects.get(pk=delegate.pk).passport_expiry is None


def test_rotation_re_encrypts_with_the_newest_key_and_old_rows_still_read(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    delegate = DelegateFactory(**PASSPORT)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert Delegate.objects.get(pk=delegate.pk).passport_number == "M12345678"
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "of 1 people" in out.getvalue()
    token = raw_column(delegate, "passport_number")
    assert Fernet(new_key.encode()).decrypt(token.encode()) == b"M12345678"
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Delegate.objects.get(pk=delegate.pk).passport_expiry == date(2030, 1, 31)


# Consent --------------------------------------------------------------------------------------


def test_consent_records_the_notice_version_and_old_consents_keep_theirs():
    event = EventFactory()
    first = registration_submit(delegate=DelegateFactory(), event=event, data={}, actor=None)
    current = PrivacyNotice.objects.order_by("-version").first()
    assert first.privacy_notice == current and first.consent_given_at
    newer = privacy_notice_publish(text_en=current.text_en + " Changed.", text_ko=current.text_ko)
    assert newer.version == current.version + 1
    assert privacy_notice_publish(text_en=newer.text_en, text_ko=newer.text_ko) == newer
    second = registration_submit(delegate=DelegateFactory(), event=event, data={}, actor=None)
    first.refresh_from_db()
    assert (first.privacy_notice, second.privacy_notice) == (current, newer)


# Retention ------------------------------------------------------------------------------------


def past_event():
    ended = timezone.localdate() - timedelta(days=200)
    return EventFactory(starts_on=ended - timedelta(days=2), ends_on=ended)


def registered_with_everything(event, **delegate_fields):
    delegate = with_photo(
        DelegateFactory(
            phone="+82 10 1234 5678",
            diet="halal",
            dietary_notes="no pork",
            accessibility_needs="wheelchair",
            **PASSPORT,
            **delegate_fields,
        )
    )
    registration = Registration.objects.create(
        event=event,
        delegate=delegate,
        city=delegate.city,
        state=State.CONFIRMED,
        holds_place=True,
        consent_given_at=timezone.now(),
        arrival_flight="KE 902",
        arrival_date=event.starts_on,
        hotel_needed=True,
        hotel_name="Pangyo Hotel",
    )
    return delegate, registration


def test_purge_erases_exactly_the_listed_fields_and_files_and_runs_twice(
    django_capture_on_commit_callbacks,
):
    event = past_event()
    delegate, registration = registered_with_everything(event)
    photo_path = delegate.photo.path
    plan = personal_data_purge_plan(event=event)
    assert set(plan.people[delegate.pk]) == {
        "passport_name",
        "passport_number",
        "passport_nationality",
        "passport_date_of_birth",
        "passport_expiry",
        "photo",
        "diet",
        "dietary_notes",
        "accessibility_needs",
        "phone",
    }
    assert set(plan.registrations[registration.pk]) == {"arrival_date", "arrival_flight"}

    out = io.StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert "would erase from 1 people and 1 registrations" in out.getvalue()
    assert Delegate.objects.get(pk=delegate.pk).passport_number == "M12345678"

    with django_capture_on_commit_callbacks(execute=True):  # files go once the purge commits
        call_command("purge_personal_data", stdout=io.StringIO())
    delegate = Delegate.objects.get(pk=delegate.pk)
    registration.refresh_from_db()
    assert delegate.passport_number == "" and delegate.passport_expiry is None
    assert not delegate.photo and delegate.phone == "" and delegate.diet == ""
    assert delegate.accessibility_needs == ""
    assert registration.arrival_flight == "" and registration.arrival_date is None
    # Everything else stays: names, email, city, state, hotel, counts.
    assert delegate.family_name and delegate.email and delegate.city
    assert registration.state == State.CONFIRMED and registration.hotel_name == "Pangyo Hotel"
    record = PurgeRecord.objects.get(reason="retention")
    assert record.delegate_count == 1 and record.erased["passport_number"] == 1

    out = io.StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "nothing left to erase" in out.getvalue()
    assert PurgeRecord.objects.count() == 1
    assert personal_data_purge(event=event) is None
    assert not os.path.exists(photo_path)


def test_purge_waits_for_events_still_within_retention():
    out = io.StringIO()
    delegate, _ = registered_with_everything(EventFactory())
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert "No event is past its retention date" in out.getvalue()
    assert Delegate.objects.get(pk=delegate.pk).passport_number == "M12345678"


def test_a_person_attending_a_later_event_keeps_what_it_needs():
    city = MemberCityFactory()
    delegate, _old = registered_with_everything(past_event(), city=city)
    Registration.objects.create(
        event=EventFactory(),
        delegate=delegate,
        city=city,
        state=State.CONFIRMED,
        consent_given_at=timezone.now(),
    )
    plan = personal_data_purge_plan(event=_old.event)
    assert delegate.pk not in plan.people
    assert _old.pk in plan.registrations


# A delegate's own copy ------------------------------------------------------------------------


@pytest.fixture
def delegate_with_login(client):
    user = UserFactory(email="own@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    delegate = with_photo(
        DelegateFactory(user=user, email=user.email, native_name="최서연", **PASSPORT)
    )
    registration = registration_submit(delegate=delegate, event=EventFactory(), data={}, actor=user)
    badge_ensure(registration=registration)
    client.force_login(user)
    return delegate


def test_a_delegate_downloads_everything_held_about_them(client, delegate_with_login):
    response = client.get(reverse("my_data_export"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"data.json", "photo.jpg"} <= names
    assert any(n.startswith("badge-") for n in names)
    data = json.loads(archive.read("data.json"))
    assert data["person"]["name_in_own_script"] == "최서연"
    assert data["person"]["passport"]["number"] == "M12345678"
    (registration,) = data["registrations"]
    assert registration["state"] == "confirmed"
    assert registration["consent"]["privacy_notice_version"] == 1
    assert registration["emails"][0]["kind"] == "confirmed"
    assert PassportAccessLog.objects.filter(
        delegate=delegate_with_login, place=PassportAccessLog.Place.EXPORT
    ).exists()


def test_nobody_else_can_download_a_delegates_data(client, delegate_with_login):
    client.logout()
    assert client.get(reverse("my_data_export")).status_code == 302
    other = UserFactory(email="other@example.org")
    client.force_login(other)
    assert client.get(reverse("my_data_export")).status_code == 404
    url = reverse("delegate_data_export", args=[delegate_with_login.pk])
    assert client.get(url).status_code == 403
    staff_desk = UserFactory(is_staff=True)
    client.force_login(staff_desk)
    assert client.get(url).status_code == 403


def test_the_secretariat_downloads_a_delegates_data(client, delegate_with_login):
    from django.contrib.auth.models import Group

    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="Secretariat"))
    client.force_login(staff)
    response = client.get(reverse("delegate_data_export", args=[delegate_with_login.pk]))
    assert response.status_code == 200
    assert PassportAccessLog.objects.filter(viewer=staff).exists()


# Erasure --------------------------------------------------------------------------------------


def test_erasure_end_to_end(client, delegate_with_login, django_capture_on_commit_callbacks):
    delegate = delegate_with_login
    registration = delegate.registrations.get()
    old_token = registration.badge_token
    badge_path = registration.badge.pdf.path
    photo_path = delegate.photo.path
    city = registration.city
    # Someone is waiting for the place this person holds.
    city.delegation_quota = 1
    city.save()
    waiting = registration_submit(
        delegate=DelegateFactory(city=city), event=registration.event, data={}, actor=None
    )
    assert waiting.state == State.WAITLISTED

    response = client.post(reverse("my_data_erase"), {"confirm": "yes"})
    assert response.status_code == 302
    delegate.refresh_from_db()
    assert delegate.erasure_requested_at is not None
    assert "asked for your data to be erased" in client.get(reverse("my_data")).content.decode()

    secretariat = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        record = delegate_erase(delegate=delegate, actor=secretariat)
    assert record.reason == "erasure"

    delegate = Delegate.objects.get(pk=delegate.pk)
    for name in (
        "given_name",
        "family_name",
        "native_name",
        "job_title",
        "organisation",
        "phone",
        "passport_number",
        "passport_name",
        "dietary_notes",
        "search_text",
    ):
        assert getattr(delegate, name) == "", name
    assert not delegate.photo and delegate.user is None and delegate.erased_at
    assert "own@example.org" not in delegate.email
    assert not User.objects.filter(email="own@example.org").exists()
    registration.refresh_from_db()
    assert registration.state == State.ERASED and not registration.holds_place
    assert registration.badge_token != old_token
    assert not Registration.objects.filter(badge_token=old_token).exists()
    assert Registration.objects.filter(event=registration.event).count() == 2  # still counted
    assert not registration.emails.exclude(recipient="erased@invalid").exists()
    assert delegate.history.count() == 0 and registration.history.count() == 0
    assert not os.path.exists(badge_path) and not os.path.exists(photo_path)
    waiting.refresh_from_db()
    assert waiting.state == State.CONFIRMED
    with pytest.raises(RegistrationError, match="already been erased"):
        delegate_erase(delegate=delegate, actor=secretariat)


def test_erasure_request_needs_confirmation(client, delegate_with_login):
    client.post(reverse("my_data_erase"), {})
    delegate_with_login.refresh_from_db()
    assert delegate_with_login.erasure_requested_at is None


def test_an_erasure_request_for_someone_else_is_refused(delegate_with_login):
    intruder = UserFactory(email="intruder@example.org")
    with pytest.raises(RegistrationError, match="Only the person themselves"):
        delegate_request_erasure(delegate=delegate_with_login, actor=intruder)
    delegate_with_login.refresh_from_db()
    assert delegate_with_login.erasure_requested_at is None


def test_the_desk_refuses_an_erased_persons_old_badge(delegate_with_login):
    from registration.services.checkin import Outcome, desk_check_in, desk_scan

    registration = delegate_with_login.registrations.get()
    old_token = registration.badge_token
    event = registration.event
    assert desk_scan(event=event, desk="Desk 1", operator=None, token=old_token).outcome == (
        Outcome.READY
    )
    delegate_erase(delegate=delegate_with_login, actor=None)
    assert desk_scan(event=event, desk="Desk 1", operator=None, token=old_token).outcome == (
        Outcome.UNKNOWN
    )
    result = desk_check_in(event=event, desk="Desk 1", operator=None, token=old_token)
    assert result.outcome == Outcome.UNKNOWN
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    # Even by its new token an erased registration is not let in.
    result = desk_scan(event=event, desk="Desk 1", operator=None, token=registration.badge_token)
    assert result.outcome == Outcome.REFUSED
