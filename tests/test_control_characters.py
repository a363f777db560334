"""NUL and other control characters get a clear message, never an error page; names are stored
in one Unicode form; the Latin-letters fields take Latin letters only."""

from __future__ import annotations

import unicodedata

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from delegates.selectors import SECRETARIAT_GROUP
from delegates.text import is_latin_text
from registration.forms.delegate import CancelForm, DelegateForm
from tests.factories import UserFactory

HOSTILE = ["\x00", "\x07", "\x1b[31m", "\u202e", "\u2066", "\x85"]


@pytest.fixture
def secretariat_client(client, db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    client.force_login(user)
    return client


@pytest.mark.parametrize("char", HOSTILE)
@pytest.mark.parametrize(
    "url",
    [
        "admin:registration_registration_changelist",
        "admin:delegates_delegate_changelist",
        "admin:delegates_membercity_changelist",
        "admin:registration_outboxemail_changelist",
    ],
)
def test_an_admin_search_with_a_control_character_is_refused_plainly(secretariat_client, url, char):
    response = secretariat_client.get(reverse(url), {"q": f"kim{char}"})
    assert response.status_code == 400
    assert "control character" in response.content.decode()


@pytest.mark.parametrize("char", HOSTILE)
def test_a_name_with_a_control_character_gets_a_message_beside_it(db, city, char):
    form = DelegateForm(
        data={
            "given_name": "Ji-hoon",
            "family_name": "Park",
            "native_name": f"박{char}지훈",
            "job_title": "Mayor",
            "city": city.code,
            "language": "en",
        }
    )
    assert not form.is_valid()
    assert "control character" in " ".join(form.errors["native_name"])


def test_line_breaks_are_fine_in_a_longer_text_but_nul_is_not():
    assert CancelForm(data={"reason": "Flight\r\ncancelled\tsorry"}).is_valid()
    assert not CancelForm(data={"reason": "Flight\x00"}).is_valid()


def test_names_are_stored_in_one_unicode_form(db, city):
    decomposed = unicodedata.normalize("NFD", "José Müller")
    form = DelegateForm(
        data={
            "given_name": decomposed.split()[0],
            "family_name": decomposed.split()[1],
            "native_name": unicodedata.normalize("NFD", "한국"),
            "job_title": "Mayor",
            "city": city.code,
            "language": "en",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["given_name"] == "José"
    assert form.cleaned_data["family_name"] == "Müller"
    assert form.cleaned_data["native_name"] == "한국"


@pytest.mark.parametrize(
    ("value", "latin"),
    [
        ("José María O'Neil-Smith", True),
        ("Nguyễn Văn An", True),
        ("Ji-hoon", True),
        ("박지훈", False),
        ("Ivan\u202e", False),
        ("Kim 😀", False),
        ("Kim ©", False),
        ("Kim 3", False),
    ],
)
def test_latin_letters_means_letters(value, latin):
    assert is_latin_text(value) is latin
