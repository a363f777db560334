"""Bad input gets a clear message beside the field, and nothing is saved."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from delegates.models import Delegate
from registration.models import OutboxEmail, Registration
from tests.factories import EventFactory, UserFactory
from tests.registration.test_journey import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="member@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    return user


def errors_of(response, field):
    form = next(
        form
        for name in ("person_form", "attendance_form", "consent_form")
        if (form := response.context.get(name)) is not None and field in form.fields
    )
    return form.errors.get(field, [])


def assert_nothing_saved():
    assert not Registration.objects.exists()
    assert not Delegate.objects.exists()
    assert not OutboxEmail.objects.exists()


def post(client, member_city, **overrides):
    return client.post(reverse("register"), form_data(member_city, **overrides))


def image_file(name="photo.jpg", size=(400, 500), fmt="JPEG", exif=None):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 80))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, format=fmt, **kwargs)
    buffer.seek(0)
    buffer.name = name
    return buffer


@pytest.mark.parametrize("field", ["given_name", "family_name", "job_title", "city"])
def test_required_person_fields(client, event, city, member, field):
    response = post(client, city, **{field: ""})
    assert response.status_code == 400
    assert errors_of(response, field) == ["This field is required."]
    assert_nothing_saved()


def test_name_over_200_characters_is_refused(client, event, city, member):
    response = post(client, city, family_name="A" * 201)
    assert "at most 200 characters" in errors_of(response, "family_name")[0]
    response = post(client, city, native_name="가" * 201)
    assert "at most 200 characters" in errors_of(response, "native_name")[0]
    assert_nothing_saved()


def test_name_in_another_script_belongs_in_its_own_field(client, event, city, member):
    response = post(client, city, given_name="서연")
    assert "Latin letters" in errors_of(response, "given_name")[0]
    assert_nothing_saved()


def test_accented_latin_names_are_accepted(client, event, city, member):
    response = post(client, city, given_name="José Ñúñez", family_name="Müller-Lüdenscheidt")
    assert response.status_code == 302
    assert Delegate.objects.get().given_name == "José Ñúñez"


def test_other_city_needs_name_and_country(client, event, city, member):
    response = post(client, city, city="other")
    assert errors_of(response, "other_city") == ["Please give the name of your city."]
    assert errors_of(response, "other_country") == ["Please choose the country of your city."]
    assert_nothing_saved()
    response = post(client, city, city="other", other_city="Springfield", other_country="US")
    assert response.status_code == 302
    assert Registration.objects.get().state == "pending"


def test_unknown_city_code_is_refused(client, event, city, member):
    response = post(client, city, city="atlantis")
    assert errors_of(response, "city")
    assert_nothing_saved()


def test_phone_with_letters_is_refused(client, event, city, member):
    response = post(client, city, phone="call me maybe")
    assert "phone number" in errors_of(response, "phone")[0]
    assert_nothing_saved()


def test_travel_dates_must_make_sense(client, event, city, member):
    day = event.starts_on
    response = post(
        client,
        city,
        arrival_date=day.isoformat(),
        departure_date=(day - timedelta(days=1)).isoformat(),
        arrival_flight="not a flight!",
    )
    assert errors_of(response, "departure_date") == ["Departure cannot be before arrival."]
    assert "flight number" in errors_of(response, "arrival_flight")[0]
    response = post(client, city, arrival_date=(day - timedelta(days=100)).isoformat())
    assert "Please give a date between" in errors_of(response, "arrival_date")[0]
    assert_nothing_saved()


def test_visa_letter_asks_for_the_passport_details(client, event, city, member):
    response = post(client, city, visa_letter_wanted="on")
    for field in (
        "passport_name",
        "passport_number",
        "passport_nationality",
        "passport_date_of_birth",
        "passport_expiry",
    ):
        assert "needed for the visa letter" in errors_of(response, field)[0]
    response = post(
        client,
        city,
        visa_letter_wanted="on",
        passport_name="CHOI SEOYEON",
        passport_number="M1234 5678",
        passport_nationality="KR",
        passport_date_of_birth="1985-03-02",
        passport_expiry=(event.ends_on - timedelta(days=1)).isoformat(),
    )
    assert errors_of(response, "passport_expiry") == [
        "Your passport must still be valid after the event."
    ]
    assert_nothing_saved()


def test_passport_details_are_not_kept_without_a_visa_letter(client, event, city, member):
    response = post(client, city, passport_number="M12345678", passport_name="CHOI")
    assert response.status_code == 302
    assert Delegate.objects.get().passport_number == ""


def test_consent_is_required(client, event, city, member):
    response = post(client, city, consent="")
    assert "agree" in errors_of(response, "consent")[0]
    assert_nothing_saved()


def test_html_in_a_field_is_kept_as_text_and_escaped(client, event, city, member):
    script = "<script>alert('x')</script>"
    response = post(client, city, organisation=script, job_title="<b>Chief</b>")
    assert response.status_code == 302
    assert Delegate.objects.get().organisation == script
    page = client.get(reverse("me")).content.decode()
    assert script not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;Chief&lt;/b&gt;" in page


def test_a_photo_must_be_a_real_image(client, event, city, member):
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "photo.jpg"
    response = post(client, city, photo=fake)
    assert "not a photo" in errors_of(response, "photo")[0]
    assert_nothing_saved()


def test_a_photo_over_5_mb_is_refused(client, event, city, member):
    big = io.BytesIO(b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024 + 10))
    big.name = "big.jpg"
    response = post(client, city, photo=big)
    assert "larger than 5 MB" in errors_of(response, "photo")[0]
    assert_nothing_saved()


def test_a_photo_is_re_encoded_without_its_exif(
    client, event, city, member, django_capture_on_commit_callbacks
):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    exif[0x8825] = {2: (37.0, 24.0, 0.0)}  # GPS position
    # The photo is written once the registration is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, city, photo=image_file(name="me.png", exif=exif))
    assert response.status_code == 302
    photo = Delegate.objects.get().photo
    assert photo.name.startswith("photos/") and photo.name.endswith(".jpg")
    with Image.open(photo.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert b"SecretCam" not in photo.open("rb").read()


def test_a_tiny_photo_is_refused(client, event, city, member):
    response = post(client, city, photo=image_file(size=(20, 20)))
    assert "too small" in errors_of(response, "photo")[0]


def test_closed_registration_shows_a_message_and_saves_nothing(client, city, member):
    EventFactory(
        registration_opens_at=timezone.now() - timedelta(days=30),
        registration_closes_at=timezone.now() - timedelta(days=1),
    )
    response = client.get(reverse("register"))
    assert "Registration is not open" in response.content.decode()
    response = post(client, city)
    assert "Registration is not open" in response.content.decode()
    assert_nothing_saved()


def test_errors_are_listed_at_the_top_and_beside_their_fields(client, event, city, member):
    response = post(client, city, given_name="", family_name="B" * 300)
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert 'href="#id_given_name"' in page
    assert 'aria-invalid="true"' in page
