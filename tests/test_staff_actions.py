"""What staff do with people's data is in the staff action log: admin form saves (with a link to
the history, never a value), exports, list downloads, a person's data export, badge sheets, the
city import and export, erasures. Administrators alone read it."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from delegates.cities import COLUMNS
from delegates.models import Delegate, MemberCity, StaffActionLog
from registration.models import BadgeSheetJob, CityImportJob, Registration
from registration.services.privacy.erasure import delegate_erase
from tests.roles import administrator, desk_user, secretariat_user

pytestmark = pytest.mark.django_db

Action = StaffActionLog.Action


@pytest.fixture
def staff(db):
    return secretariat_user()


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def form_data(page) -> dict:
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if value is None or value is False or value == "":
            continue
        data[name] = value.pk if hasattr(value, "pk") else value
    return data


def only_entry(**filters) -> StaffActionLog:
    (entry,) = StaffActionLog.objects.filter(**filters)
    return entry


def test_a_delegate_changed_in_the_admin_is_logged_without_values(
    staff_client, staff, submit, city
):
    delegate = submit(city, given_name="Ana", family_name="Old").delegate
    url = reverse("admin:delegates_delegate_change", args=[delegate.pk])
    data = form_data(staff_client.get(url))
    data.update({"family_name": "New", "passport_number": "X9876543"})

    assert staff_client.post(url, data).status_code == 302

    entry = only_entry(action=Action.CHANGED)
    assert (entry.actor, entry.model, entry.object_ids) == (
        staff,
        "delegates.delegate",
        [delegate.pk],
    )
    assert set(entry.detail.split(", ")) == {"family_name", "passport_number"}
    assert "X9876543" not in str(entry.__dict__) and "New" not in entry.detail
    assert entry.history_id == delegate.history.order_by("-history_id").first().history_id


def test_a_registration_and_a_city_changed_in_the_admin_are_logged(staff_client, submit, city):
    registration = submit(city)
    url = reverse("admin:registration_registration_change", args=[registration.pk])
    data = form_data(staff_client.get(url))
    data.update(
        {"hotel_name": "Courtyard Pangyo", "log-TOTAL_FORMS": "0", "log-INITIAL_FORMS": "0"}
    )
    assert staff_client.post(url, data).status_code == 302

    city_url = reverse("admin:delegates_membercity_change", args=[city.pk])
    city_data = form_data(staff_client.get(city_url))
    city_data["delegation_quota"] = 9
    assert staff_client.post(city_url, city_data).status_code == 302

    assert only_entry(model="registration.registration").detail == "hotel_name"
    city_entry = only_entry(model="delegates.membercity")
    assert (city_entry.action, city_entry.object_ids) == (Action.CHANGED, [city.pk])
    assert city_entry.detail == "delegation_quota"


def test_the_admin_export_of_delegates_is_logged(staff_client, staff, submit, city):
    first, second = submit(city), submit(city)
    response = staff_client.post(
        reverse("admin:registration_registration_changelist"),
        {"action": "export_csv", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 200
    entry = only_entry(action=Action.EXPORTED)
    assert (entry.actor, entry.model, entry.detail) == (
        staff,
        "registration.registration",
        "delegates.csv",
    )
    assert sorted(entry.object_ids) == sorted([first.pk, second.pk])


def test_the_city_export_and_import_are_logged(staff_client, staff, city):
    exported = staff_client.post(
        reverse("admin:delegates_membercity_export"),
        {"format": "0", "resource": "0", **{f"membercityresource_{c}": "on" for c in COLUMNS}},
    )
    assert exported.status_code == 200
    entry = only_entry(action=Action.EXPORTED)
    assert (entry.actor, entry.model, entry.object_ids) == (
        staff,
        "delegates.membercity",
        [city.pk],
    )

    rows = [",".join(COLUMNS), f"xx-new,Newtown,,KR,{city.region.code},full,no,3,,,,yes"]
    # The worker checks the file, then applies it once confirmed (in-process here).
    with TestCase.captureOnCommitCallbacks(execute=True):
        staff_client.post(
            reverse("admin:delegates_membercity_import"),
            {"import_file": SimpleUploadedFile("c.csv", "\n".join(rows).encode())},
        )
    job = CityImportJob.objects.get()
    with TestCase.captureOnCommitCallbacks(execute=True):
        staff_client.post(reverse("admin:delegates_membercity_import_confirm", args=[job.pk]))
    entry = only_entry(action=Action.IMPORTED)
    assert entry.object_ids == [MemberCity.objects.get(code="xx-new").pk]
    assert entry.detail == "created 1, updated 0"


def test_list_downloads_badge_sheets_and_data_exports_are_logged(staff_client, staff, submit, city):
    registration = submit(city)
    Registration.objects.filter(pk=registration.pk).update(arrival_date=date(2030, 10, 13))
    assert (
        staff_client.get(reverse("staff_list_download", args=["pickup", "csv"])).status_code == 200
    )
    listing = only_entry(detail="pickup.csv")
    assert (listing.action, listing.object_ids) == (Action.DOWNLOADED, [registration.pk])

    job = BadgeSheetJob.objects.create(
        layout="a6", registration_ids=[registration.pk], status=BadgeSheetJob.Status.DONE
    )
    job.pdf.save("sheet.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    assert staff_client.get(reverse("staff_sheet_download", args=[job.pk])).status_code == 200
    sheet = only_entry(model="registration.registration", detail__startswith="badges-")
    assert sheet.object_ids == [registration.pk]

    url = reverse("delegate_data_export", args=[registration.delegate_id])
    assert staff_client.get(url).status_code == 200
    export = only_entry(model="delegates.delegate")
    assert (export.action, export.actor, export.object_ids) == (
        Action.DOWNLOADED,
        staff,
        [registration.delegate_id],
    )


def test_an_erasure_is_logged(staff, submit, city):
    delegate = submit(city).delegate
    record = delegate_erase(delegate=delegate, actor=staff)
    entry = only_entry(action=Action.ERASED)
    assert (entry.actor, entry.model, entry.object_ids) == (
        staff,
        "delegates.delegate",
        [delegate.pk],
    )
    assert str(record.pk) in entry.detail
    assert Delegate.objects.get(pk=delegate.pk).erased_at is not None


def test_the_staff_action_log_is_for_administrators_only(client, staff, submit, city):
    delegate = submit(city).delegate
    delegate_erase(delegate=delegate, actor=staff)
    entry = StaffActionLog.objects.get()
    changelist = reverse("admin:delegates_staffactionlog_changelist")
    detail = reverse("admin:delegates_staffactionlog_change", args=[entry.pk])

    for outsider in (staff, desk_user()):
        client.force_login(outsider)
        assert client.get(changelist).status_code == 403
        assert client.get(detail).status_code == 403

    client.force_login(administrator())
    listing = client.get(changelist)
    assert listing.status_code == 200
    assert staff.email in listing.content.decode()
    assert client.get(detail).status_code == 200
    assert client.get(reverse("admin:delegates_staffactionlog_add")).status_code == 403
    delete = reverse("admin:delegates_staffactionlog_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert StaffActionLog.objects.filter(pk=entry.pk).exists()


def test_a_change_links_to_its_version_in_the_history(client, submit, city):
    delegate = submit(city).delegate
    root = administrator()
    client.force_login(root)
    url = reverse("admin:delegates_delegate_change", args=[delegate.pk])
    data = form_data(client.get(url))
    data["job_title"] = "Mayor"
    client.post(url, data)
    entry = StaffActionLog.objects.get(action=Action.CHANGED)
    listing = client.get(reverse("admin:delegates_staffactionlog_changelist")).content.decode()
    version = reverse(
        "admin:delegates_delegate_simple_history", args=[delegate.pk, entry.history_id]
    )
    assert version in listing
    assert client.get(version).status_code == 200
