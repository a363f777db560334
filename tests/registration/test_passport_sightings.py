"""Every sight of passport details is logged or does not happen: the admin's history pages show
none, a head's colleague page is logged, administrators read the log, and the person's own data
export says who saw their details."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from django.urls import reverse

from delegates.models import PassportAccessLog
from delegates.services import delegate_save
from registration.services.registrations import registration_submit
from tests.factories import DelegateFactory, UserFactory
from tests.registration.test_delegation import login_as_delegate
from tests.roles import administrator, desk_user, secretariat_user

pytestmark = pytest.mark.django_db

PASSPORT = {
    "passport_name": "MENSAH KWAME",
    "passport_number": "G1234567",
    "passport_nationality": "GH",
    "passport_date_of_birth": date(1980, 5, 17),
    "passport_expiry": date(2031, 1, 31),
}


@pytest.fixture
def traveller(city):
    owner = UserFactory(email="kwame@accra.example")
    delegate = DelegateFactory(city=city, user=owner, email=owner.email, **PASSPORT)
    # A second version in the change history.
    delegate_save(delegate=delegate, email=delegate.email, data={"job_title": "Mayor"})
    return delegate


def test_a_history_page_shows_no_passport_details(client, traveller):
    version = traveller.history.order_by("history_id").first()
    url = reverse(
        "admin:delegates_delegate_simple_history", args=[traveller.pk, version.history_id]
    )
    for user in (secretariat_user(), administrator()):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        content = page.content.decode()
        assert "Mayor" in content or "Director of Smart City Policy" in content
        for value in ("G1234567", "MENSAH KWAME", "1980-05-17", "2031-01-31"):
            assert value not in content
        assert 'name="passport_number"' not in content
    assert not PassportAccessLog.objects.exists()


def test_a_revert_from_the_history_keeps_the_passport_details(client, traveller):
    first = traveller.history.order_by("history_id").first()
    client.force_login(secretariat_user())
    page = client.get(
        reverse("admin:delegates_delegate_simple_history", args=[traveller.pk, first.history_id])
    )
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"photo"}
    }
    data["city"] = traveller.city_id
    response = client.post(page.wsgi_request.path, {**data, "_change_history": "1"})
    assert response.status_code == 302
    traveller.refresh_from_db()
    assert traveller.passport_number == "G1234567"
    assert traveller.passport_expiry == date(2031, 1, 31)


def test_the_change_page_logs_any_passport_detail_shown(client, city):
    only_a_name = DelegateFactory(city=city, passport_name="ONLY NAME")
    staff = secretariat_user()
    client.force_login(staff)
    page = client.get(reverse("admin:delegates_delegate_change", args=[only_a_name.pk]))
    assert "ONLY NAME" in page.content.decode()
    log = PassportAccessLog.objects.get()
    assert (log.delegate, log.viewer) == (only_a_name, staff)


def test_the_passport_access_log_is_for_administrators_only(client, traveller):
    staff = secretariat_user()
    client.force_login(staff)
    client.get(reverse("admin:delegates_delegate_change", args=[traveller.pk]))
    log = PassportAccessLog.objects.get()
    changelist = reverse("admin:delegates_passportaccesslog_changelist")
    detail = reverse("admin:delegates_passportaccesslog_change", args=[log.pk])

    for outsider in (staff, desk_user()):
        client.force_login(outsider)
        assert client.get(changelist).status_code == 403
        assert client.get(detail).status_code == 403

    client.force_login(administrator())
    listing = client.get(changelist)
    assert listing.status_code == 200
    assert staff.email in listing.content.decode()
    assert "G1234567" not in listing.content.decode()
    assert client.get(detail).status_code == 200
    assert client.get(reverse("admin:delegates_passportaccesslog_add")).status_code == 403
    assert client.post(detail, {"place": "export"}).status_code == 403
    delete = reverse("admin:delegates_passportaccesslog_delete", args=[log.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert PassportAccessLog.objects.filter(pk=log.pk, place="admin").exists()


def test_a_heads_colleague_page_with_passport_details_is_logged(client, event, city):
    head = login_as_delegate(client, event, city, role="head", email="head@seongnam.example")
    colleague = DelegateFactory(city=city, email="minho@seongnam.example", **PASSPORT)
    registration = registration_submit(
        delegate=colleague, event=event, data={}, actor=head.delegate.user
    )

    page = client.get(reverse("delegation_edit", args=[registration.pk]))
    assert page.status_code == 200
    assert "G1234567" in page.content.decode()
    log = PassportAccessLog.objects.get()
    assert (log.delegate, log.viewer, log.place) == (
        colleague,
        head.delegate.user,
        PassportAccessLog.Place.DELEGATION,
    )


def test_the_persons_own_pages_are_not_logged(client, event, city):
    own = login_as_delegate(client, event, city, role="delegate", email="own@seongnam.example")
    delegate_save(delegate=own.delegate, email=own.delegate.email, data=PASSPORT)
    assert client.get(reverse("me_edit")).status_code == 200
    assert not PassportAccessLog.objects.exists()


def test_the_data_export_says_who_saw_the_passport_details(client, traveller):
    staff = secretariat_user()
    client.force_login(staff)
    client.get(reverse("admin:delegates_delegate_change", args=[traveller.pk]))

    client.force_login(traveller.user)
    response = client.get(reverse("my_data_export"))
    assert response.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    seen = data["passport_details_seen_by"]
    assert [(view["who"], view["where"]) for view in seen] == [
        ("you", "Delegate's own data export"),
        (staff.email, "Admin page"),
    ]
    assert all(view["when"] for view in seen)
