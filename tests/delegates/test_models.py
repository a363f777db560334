import pytest
from django.db import IntegrityError, transaction

from delegates.models import Delegate, User
from tests.factories import DelegateFactory, MemberCityFactory

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_is_stored_lower_case():
    user = User.objects.create_user("Ana.Lima@Example.ORG", "pw-long-enough")
    assert user.email == "ana.lima@example.org"
    assert User.USERNAME_FIELD == "email"
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ANA.LIMA@example.org")


def test_one_person_per_email_whatever_the_case():
    DelegateFactory(email="kim@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        DelegateFactory(email="KIM@example.org")


def test_a_delegate_has_a_member_city_or_another_city():
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegate.objects.create(email="a@b.example", given_name="A", family_name="B")
    other = Delegate.objects.create(
        email="c@d.example",
        given_name="C",
        family_name="D",
        other_city="Springfield",
        other_country="US",
    )
    assert other.city_name == "Springfield" and other.country.code == "US"


def test_a_delegate_may_have_no_login():
    delegate = DelegateFactory(user=None, city=MemberCityFactory(name_en="Kazan"))
    assert delegate.user is None and delegate.city_name == "Kazan"


def test_full_name_carries_the_honorific():
    delegate = DelegateFactory(honorific="he", given_name="Soo-mi", family_name="Eun")
    assert delegate.full_name == "H.E. Soo-mi Eun"
