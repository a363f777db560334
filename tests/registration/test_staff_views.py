"""The staff dashboard and the operational lists under /staff/."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, time

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from delegates.models import PassportAccessLog
from registration.models import Registration, State
from tests.factories import MemberCityFactory, RegionFactory, UserFactory


@pytest.fixture
def secretariat(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


@pytest.fixture
def staff_client(client, secretariat):
    client.force_login(secretariat)
    return client


@pytest.fixture
def people(submit, city):
    africa = RegionFactory(code="africa", name="Africa")
    accra = MemberCityFactory(name_en="Accra", country="GH", region=africa, delegation_quota=1)
    kim = submit(city, given_name="Ji-woo", family_name="Kim", diet="vegetarian")
    lee = submit(city, given_name="Min", family_name="Lee", diet="halal", dietary_notes="no nuts")
    mensah = submit(
        accra,
        given_name="Kwame",
        family_name="Mensah",
        passport_number="G1234567",
        passport_name="MENSAH KWAME",
    )
    waiting = submit(accra)  # over Accra's quota: waitlisted
    Registration.objects.filter(pk=kim.pk).update(
        checked_in_at=timezone.now(),
        hotel_needed=True,
        hotel_name="Courtyard Pangyo",
        arrival_date=date(2030, 10, 13),
        arrival_time=time(18, 40),
        arrival_flight="KE902",
    )
    Registration.objects.filter(pk=lee.pk).update(
        arrival_date=date(2030, 10, 13), arrival_time=time(7, 5), arrival_flight="OZ201"
    )
    Registration.objects.filter(pk=mensah.pk).update(visa_letter_wanted=True)
    return {"kim": kim, "lee": lee, "mensah": mensah, "waiting": waiting, "accra": accra}


def test_dashboard_totals_and_tables(staff_client, people, event):
    response = staff_client.get(reverse("staff_dashboard"))

    assert response.status_code == 200
    board = response.context["board"]
    states = {code: n for code, _label, n in board.by_state}
    assert states[State.CONFIRMED] == 3
    assert states[State.WAITLISTED] == 1
    assert board.total == 4
    assert board.checked_in == 1
    assert dict(board.by_region)["Africa"] == 2
    assert dict(board.by_country)["Ghana"] == 2
    accra = next(row for row in board.cities if row.city == people["accra"])
    assert (accra.confirmed, accra.quota, accra.percent) == (1, 1, 100)
    assert sum(n for _day, n in board.per_day) == 4

    page = response.content.decode()
    # Charts from Chart.js (a static file from npm) with the same numbers as the tables.
    assert "vendor/chart.js/chart.umd.js" in page
    assert "staff/dashboard.js" in page
    assert "<table" in page and "Accra" in page
    data = json.loads(page.split('id="staff-chart-data" type="application/json">')[1].split("<")[0])
    assert sum(data["state"]["values"]) == 4
    assert "style=" not in page.split('<div class="staff-page">')[1]
    assert f"<bdi>{event.name}</bdi>" in page


def test_dashboard_is_for_the_secretariat_only(client, event):
    assert client.get(reverse("staff_dashboard")).status_code == 302
    desk = UserFactory(is_staff=True)
    desk.groups.add(Group.objects.get(name="Desk"))
    client.force_login(desk)
    assert client.get(reverse("staff_dashboard")).status_code == 403
    client.force_login(UserFactory(is_staff=False))
    assert client.get(reverse("staff_dashboard")).status_code == 403


def test_lists_page_counts_catering(staff_client, people):
    response = staff_client.get(reverse("staff_lists"))
    assert response.status_code == 200
    catering = dict(response.context["catering"])
    assert catering["Vegetarian"] == 1
    assert catering["Halal"] == 1
    for slug in ("catering", "rooming", "pickup", "visa-letters", "badge-collection"):
        assert reverse("staff_list_download", args=[slug, "xlsx"]) in response.content.decode()


def download_csv(client, slug: str) -> list[list[str]]:
    response = client.get(reverse("staff_list_download", args=[slug, "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_catering_rooming_and_pickup_lists(staff_client, people):
    catering = download_csv(staff_client, "catering")
    assert [row[0] for row in catering[1:]] == ["Halal", "Vegetarian"]
    assert catering[1][1] == "no nuts"

    rooming = download_csv(staff_client, "rooming")
    assert rooming[1][:3] == ["Courtyard Pangyo", "Kim", "Ji-woo"]
    assert len(rooming) == 2

    pickup = download_csv(staff_client, "pickup")
    assert [(row[1], row[2]) for row in pickup[1:]] == [("07:05", "OZ201"), ("18:40", "KE902")]


def test_badge_collection_by_city(staff_client, people):
    rows = download_csv(staff_client, "badge-collection")
    assert [row[0] for row in rows[1:]] == ["Accra", "Seongnam", "Seongnam"]


def test_only_the_visa_list_has_passport_details_and_it_is_logged(
    staff_client, people, secretariat
):
    for slug in ("catering", "rooming", "pickup", "badge-collection"):
        assert "G1234567" not in str(download_csv(staff_client, slug))
    assert not PassportAccessLog.objects.exists()

    rows = download_csv(staff_client, "visa-letters")

    assert rows[1][3:5] == ["MENSAH KWAME", "G1234567"]
    log = PassportAccessLog.objects.get()
    assert (log.delegate, log.viewer, log.place) == (
        people["mensah"].delegate,
        secretariat,
        PassportAccessLog.Place.ADMIN,
    )


def test_lists_as_xlsx(staff_client, people):
    response = staff_client.get(reverse("staff_list_download", args=["rooming", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "Courtyard Pangyo"


def test_desk_staff_cannot_download_lists(client, people):
    desk = UserFactory(is_staff=True)
    desk.groups.add(Group.objects.get(name="Desk"))
    client.force_login(desk)
    url = reverse("staff_list_download", args=["visa-letters", "csv"])
    assert client.get(url).status_code == 403
    assert not PassportAccessLog.objects.exists()


def test_unknown_list_or_format_is_404(staff_client, people):
    assert staff_client.get("/staff/lists/nothing.csv").status_code == 404
    assert staff_client.get("/staff/lists/catering.pdf").status_code == 404


def test_dashboard_and_lists_without_an_event(staff_client):
    for name in ("staff_dashboard", "staff_lists"):
        response = staff_client.get(reverse(name))
        assert response.status_code == 200
        assert b"There is no active event." in response.content
    assert staff_client.get("/staff/lists/catering.csv").status_code == 404
