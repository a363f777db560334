"""The roles hold: the desk reaches no admin page (city import and export included), and the
secretariat cannot make anyone a superuser, change groups or set another person's password."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from delegates.cities import COLUMNS
from delegates.models import MemberCity
from tests.factories import MemberCityFactory, RegionFactory, UserFactory
from tests.roles import administrator, desk_user, secretariat_user

IMPORT = "admin:delegates_membercity_import"
CONFIRM = "admin:delegates_membercity_import_confirm"
EXPORT = "admin:delegates_membercity_export"
roles_migration = importlib.import_module("registration.migrations.0006_roles_hold")


@pytest.fixture
def seongnam(db):
    region = RegionFactory(code="asia-pacific", name="Asia & Pacific")
    return MemberCityFactory(
        code="kr-seongnam",
        name_en="Seongnam",
        region=region,
        delegation_quota=3,
        focal_point_name="Focal Person",
        focal_point_email="focal@seongnam.example",
        focal_point_phone="+82 31 000 0000",
    )


def city_file(quota: int) -> bytes:
    rows = [
        ",".join(COLUMNS),
        f"kr-seongnam,Seongnam,성남시,KR,asia-pacific,full,yes,{quota},,,,yes",
        "xx-new,Newtown,,KR,asia-pacific,full,no,3,,,,yes",
    ]
    return "\n".join(rows).encode()


def export_form() -> dict[str, str]:
    return {"format": "0", "resource": "0", **{f"membercityresource_{c}": "on" for c in COLUMNS}}


# The desk


def test_a_desk_operator_gets_403_on_the_admin_index(client, db):
    client.force_login(desk_user())
    assert client.get(reverse("admin:index")).status_code == 403


def test_a_desk_operator_cannot_import_cities(client, seongnam):
    client.force_login(desk_user())

    assert client.get(reverse(IMPORT)).status_code == 403
    preview = client.post(
        reverse(IMPORT),
        {"import_file": SimpleUploadedFile("c.csv", city_file(40)), "format": "0", "resource": "0"},
    )
    assert preview.status_code == 403
    confirmed = client.post(reverse(CONFIRM, args=[1]))
    assert confirmed.status_code == 403

    seongnam.refresh_from_db()
    assert seongnam.delegation_quota == 3
    assert not MemberCity.objects.filter(code="xx-new").exists()


def test_a_desk_operator_cannot_export_cities(client, seongnam):
    client.force_login(desk_user())

    assert client.get(reverse(EXPORT)).status_code == 403
    response = client.post(reverse(EXPORT), export_form())
    assert response.status_code == 403
    assert b"focal@seongnam.example" not in response.content


def test_the_secretariat_imports_and_exports_cities(client, seongnam):
    client.force_login(secretariat_user())

    assert client.get(reverse(IMPORT)).status_code == 200
    exported = client.post(reverse(EXPORT), export_form())
    assert exported.status_code == 200
    assert b"focal@seongnam.example" in exported.content


@pytest.mark.parametrize("permission", ["view_membercity", "change_membercity"])
def test_a_staff_user_outside_the_secretariat_gets_403_even_with_a_city_permission(
    client, seongnam, permission
):
    staff = UserFactory(email="helper@wego.example", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename=permission))
    client.force_login(staff)

    assert client.get(reverse(IMPORT)).status_code == 403
    assert client.post(reverse(EXPORT), export_form()).status_code == 403


def test_a_signed_in_delegate_gets_403_on_the_admin_and_a_visitor_the_login(client, db):
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:login"))
    client.force_login(UserFactory(email="delegate@example.org"))
    assert client.get(reverse("admin:index")).status_code == 403


# Accounts are the administrators'


@pytest.fixture
def root(db):
    return administrator()


def test_the_secretariat_cannot_open_or_change_accounts(client, root):
    colleague = secretariat_user()
    client.force_login(colleague)

    assert client.get(reverse("admin:delegates_user_changelist")).status_code == 403
    assert client.get(reverse("admin:delegates_user_change", args=[root.pk])).status_code == 403
    response = client.post(
        reverse("admin:delegates_user_change", args=[colleague.pk]),
        {
            "email": colleague.email,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name="Secretariat").pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 403
    colleague.refresh_from_db()
    assert not colleague.is_superuser
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert b"delegates/user/" not in client.get(reverse("admin:index")).content


def test_the_secretariat_cannot_set_another_persons_password(client, root):
    client.force_login(secretariat_user())
    url = reverse("admin:auth_user_password_change", args=[root.pk])

    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {"password1": "a new Passw0rd!", "password2": "a new Passw0rd!", "usable_password": "true"},
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password("correct-horse-battery")
    assert not root.check_password("a new Passw0rd!")


def test_the_secretariat_cannot_add_a_user(client, db):
    client.force_login(secretariat_user())
    response = client.post(
        reverse("admin:delegates_user_add"),
        {"email": "new@wego.example", "password1": "x-Passw0rd!", "password2": "x-Passw0rd!"},
    )
    assert response.status_code == 403
    assert not UserFactory._meta.model.objects.filter(email="new@wego.example").exists()


def test_an_administrator_manages_accounts(client, root):
    client.force_login(root)
    assert client.get(reverse("admin:delegates_user_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 200
    url = reverse("admin:auth_user_password_change", args=[root.pk])
    assert client.get(url).status_code == 200


# The groups


def codes(group: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=group).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_desk_group_holds_the_desk_permission_only(db):
    assert codes("Desk") == {"registration.use_desk"}


def test_the_secretariat_group_holds_its_apps_but_no_accounts_or_audit_trails(db):
    held = codes("Secretariat")
    wanted = {
        f"{app}.{codename}"
        for app, codename in roles_migration.secretariat_permissions(Permission).values_list(
            "content_type__app_label", "codename"
        )
    }
    assert held == wanted
    assert "registration.change_registration" in held
    assert "delegates.change_membercity" in held
    assert not {code for code in held if code.endswith(("_user", "_passportaccesslog"))}
    assert not {code for code in held if code.startswith(("auth.", "account."))}


def test_the_roles_migration_can_run_again(db):
    secretariat = Group.objects.get(name="Secretariat")
    secretariat.permissions.add(Permission.objects.get(codename="change_user"))
    roles_migration.hold_roles(apps, None)
    roles_migration.hold_roles(apps, None)
    assert "delegates.change_user" not in codes("Secretariat")
    assert codes("Desk") == {"registration.use_desk"}
    assert Group.objects.filter(name__in=["Secretariat", "Desk"]).count() == 2
