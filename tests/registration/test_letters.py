"""Visa invitation letters: who gets one, what it says, who may download it, and the access log."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from pypdf import PdfReader

from delegates.models import PassportAccessLog
from registration.errors import RegistrationError
from registration.models import Registration, State, VisaLetter
from registration.services.letters import visa_letter_issue
from tests.factories import UserFactory

PASSPORT = {
    "passport_name": "MENSAH KWAME",
    "passport_number": "G1234567",
    "passport_nationality": "GH",
    "passport_date_of_birth": date(1979, 3, 4),
    "passport_expiry": date(2031, 8, 9),
}


@pytest.fixture
def secretariat(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


@pytest.fixture
def asked(submit, city):
    owner = UserFactory(email="kwame@example.gh")
    registration = submit(city, given_name="Kwame", family_name="Mensah", user=owner, **PASSPORT)
    Registration.objects.filter(pk=registration.pk).update(
        visa_letter_wanted=True,
        arrival_date=date(2030, 10, 13),
        departure_date=date(2030, 10, 17),
    )
    registration.refresh_from_db()
    return registration


def text_of(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def test_issue_stores_a_one_page_letter_with_the_passport_details(asked, secretariat):
    letter = visa_letter_issue(registration=asked, actor=secretariat)

    with letter.pdf.open("rb") as handle:
        pdf = handle.read()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = text_of(pdf)
    for expected in (
        "WeGO Secretariat",
        letter.reference,
        "MENSAH KWAME",
        "G1234567",
        "Ghana",
        "4 March 1979",
        "9 August 2031",
        asked.event.name,
        asked.event.venue,
        "purpose of the visit",
    ):
        assert expected in text, expected
    assert letter.issued_by == secretariat
    log = PassportAccessLog.objects.get()
    assert (log.viewer, log.place, log.delegate) == (
        secretariat,
        PassportAccessLog.Place.VISA_LETTER,
        asked.delegate,
    )


def test_issuing_again_keeps_the_reference_and_replaces_the_file(asked, secretariat):
    first = visa_letter_issue(registration=asked, actor=secretariat)
    first_name = first.pdf.name
    again = visa_letter_issue(registration=asked, actor=secretariat)
    assert VisaLetter.objects.count() == 1
    assert again.reference == first.reference
    assert again.pdf.name != first_name
    assert PassportAccessLog.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"visa_letter_wanted": False}, "did not ask"),
        ({"state": State.WAITLISTED, "holds_place": False}, "confirmed delegates only"),
    ],
)
def test_no_letter_for_those_who_did_not_ask_or_are_not_confirmed(
    asked, secretariat, change, message
):
    Registration.objects.filter(pk=asked.pk).update(**change)
    asked.refresh_from_db()
    with pytest.raises(RegistrationError, match=message):
        visa_letter_issue(registration=asked, actor=secretariat)
    assert not VisaLetter.objects.exists()


def test_no_letter_without_complete_passport_details(asked, secretariat):
    delegate = asked.delegate
    delegate.passport_number = ""
    delegate.save()
    with pytest.raises(RegistrationError, match="passport number"):
        visa_letter_issue(registration=asked, actor=secretariat)


def test_admin_action_issues_and_staff_download_is_logged(client, asked, secretariat):
    client.force_login(secretariat)
    response = client.post(
        reverse("admin:registration_registration_changelist"),
        {"action": "issue_visa_letters", "_selected_action": [asked.pk]},
    )
    assert response.status_code == 302
    assert VisaLetter.objects.filter(registration=asked).exists()
    change = client.get(reverse("admin:registration_registration_change", args=[asked.pk]))
    assert reverse("staff_visa_letter", args=[asked.pk]).encode() in change.content

    download = client.get(reverse("staff_visa_letter", args=[asked.pk]))

    assert download["Content-Type"] == "application/pdf"
    assert "G1234567" in text_of(download.content)
    assert (
        PassportAccessLog.objects.filter(
            viewer=secretariat, place=PassportAccessLog.Place.VISA_LETTER
        ).count()
        == 2
    )


def test_the_delegate_downloads_their_own_letter_once_issued(client, asked, secretariat):
    client.force_login(asked.delegate.user)
    assert client.get(reverse("my_visa_letter")).status_code == 404  # not issued yet
    assert reverse("my_visa_letter") not in client.get(reverse("me")).content.decode()

    letter = visa_letter_issue(registration=asked, actor=secretariat)
    page = client.get(reverse("me")).content.decode()
    assert reverse("my_visa_letter") in page and letter.reference in page
    response = client.get(reverse("my_visa_letter"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert "MENSAH KWAME" in text_of(response.content)

    client.force_login(UserFactory())  # someone else, with no registration
    assert client.get(reverse("my_visa_letter")).status_code == 404


def test_desk_staff_cannot_download_letters(client, asked, secretariat):
    visa_letter_issue(registration=asked, actor=secretariat)
    desk = UserFactory(is_staff=True)
    desk.groups.add(Group.objects.get(name="Desk"))
    client.force_login(desk)
    assert client.get(reverse("staff_visa_letter", args=[asked.pk])).status_code == 403
