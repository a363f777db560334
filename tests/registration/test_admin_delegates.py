"""The delegate list in the admin: search, filters, actions through the services, history, speed."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from delegates.models import Delegate, Membership, fold_for_search
from registration.models import (
    BadgeSheetJob,
    OutboxEmail,
    Registration,
    RegistrationLog,
    State,
)
from tests.factories import DelegateFactory, MemberCityFactory, UserFactory

CHANGELIST = "admin:registration_registration_changelist"


@pytest.fixture
def secretariat(db):
    user = UserFactory(email="secretariat@wego.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


@pytest.fixture
def staff_client(client, secretariat):
    client.force_login(secretariat)
    return client


@pytest.fixture
def pending_city(db):
    # Non-members are never confirmed automatically: their registrations wait as pending.
    return MemberCityFactory(
        name_en="Guest City", membership=Membership.NON_MEMBER, delegation_quota=2
    )


def act(client, action: str, registrations, **extra):
    return client.post(
        reverse(CHANGELIST),
        {
            "action": action,
            "_selected_action": [r.pk for r in registrations],
            **extra,
        },
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_header_and_title_carry_the_event_name(staff_client, event):
    response = staff_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<title>Delegates | {event.name}" in page
    assert f"<bdi>{event.name}</bdi> · Secretariat" in page


def test_desk_staff_cannot_open_the_delegate_list(client, event):
    desk = UserFactory(is_staff=True)
    desk.groups.add(Group.objects.get(name="Desk"))
    client.force_login(desk)
    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_search_in_any_script_and_without_accents(staff_client, submit, city):
    kim = submit(city, given_name="Ji-woo", family_name="Kim", native_name="김지우")
    nunez = submit(city, given_name="José", family_name="Núñez", email="jose@example.mx")
    for delegate in Delegate.objects.all():
        delegate.search_text = delegate.folded_search_text()
        delegate.save(update_fields=["search_text"])

    def found(term: str) -> set[int]:
        response = staff_client.get(reverse(CHANGELIST), {"q": term})
        return {r.pk for r in response.context["cl"].result_list}

    assert found("김지우") == {kim.pk}
    assert found("nunez") == {nunez.pk}
    assert found("NÚÑEZ josé") == {nunez.pk}
    assert found("jose@example") == {nunez.pk}
    assert found("성남") == {kim.pk, nunez.pk}  # the city's name in Korean
    assert fold_for_search("NÚÑEZ") == "nunez"


def test_filters_by_checked_in_diet_hotel_country_and_visa(staff_client, submit, city):
    other = MemberCityFactory(country="GH")
    a = submit(city, diet="halal")
    b = submit(other)
    Registration.objects.filter(pk=a.pk).update(
        checked_in_at=timezone.now(), hotel_needed=True, visa_letter_wanted=True
    )
    Registration.objects.filter(pk=b.pk).update(hotel_needed=True, hotel_name="Courtyard Pangyo")

    def shown(**params) -> set[int]:
        response = staff_client.get(reverse(CHANGELIST), params)
        assert response.status_code == 200
        return {r.pk for r in response.context["cl"].result_list}

    assert shown(checked_in="yes") == {a.pk}
    assert shown(checked_in="no") == {b.pk}
    assert shown(diet="halal") == {a.pk}
    assert shown(diet="any") == {a.pk}
    assert shown(hotel="unassigned") == {a.pk}
    assert shown(hotel="Courtyard Pangyo") == {b.pk}
    assert shown(country="GH") == {b.pk}
    assert shown(visa="to_issue") == {a.pk}
    assert shown(**{"city__region__id__exact": other.region_id}) == {b.pk}


def test_confirm_action_confirms_through_the_service_and_emails(
    staff_client, submit, pending_city, secretariat
):
    registration = submit(pending_city)
    assert registration.state == State.PENDING

    response = act(staff_client, "confirm_selected", [registration])

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == State.CONFIRMED
    assert registration.holds_place
    log = registration.log.filter(action=RegistrationLog.Action.CONFIRMED).get()
    assert log.actor == secretariat
    assert OutboxEmail.objects.filter(
        registration=registration, kind=OutboxEmail.Kind.CONFIRMED
    ).exists()


def test_a_refused_confirmation_is_a_message_per_row_not_an_error_page(
    staff_client, submit, pending_city
):
    first, second, third = (submit(pending_city) for _ in range(3))
    Registration.objects.filter(pk=third.pk).update(state=State.WAITLISTED)

    response = act(staff_client, "confirm_selected", [first, second, third])

    assert response.status_code == 302
    texts = messages_of(response)
    assert any("no free place" in text for text in texts), texts
    assert any("2 confirmed" in text for text in texts), texts
    states = dict(Registration.objects.values_list("pk", "state"))
    assert states[third.pk] == State.WAITLISTED


def test_decline_asks_for_a_reason_then_declines_and_tells_the_delegate(
    staff_client, submit, pending_city
):
    registration = submit(pending_city)

    form_page = act(staff_client, "decline_selected", [registration])
    assert form_page.status_code == 200
    assert b"Reason for declining" in form_page.content
    registration.refresh_from_db()
    assert registration.state == State.PENDING

    empty = act(staff_client, "decline_selected", [registration], apply="1", reason=" ")
    assert empty.status_code == 200  # the form again, with its error

    done = act(
        staff_client,
        "decline_selected",
        [registration],
        apply="1",
        reason="The delegation is complete.",
    )
    assert done.status_code == 302
    registration.refresh_from_db()
    assert registration.state == State.DECLINED
    assert registration.decline_reason == "The delegation is complete."
    email = OutboxEmail.objects.get(registration=registration, kind=OutboxEmail.Kind.DECLINED)
    assert "The delegation is complete." in email.body_text


def test_waitlist_action_gives_the_place_to_the_longest_waiting(staff_client, submit):
    full = MemberCityFactory(delegation_quota=1)
    registration = submit(full)
    waiting = submit(full)
    assert (registration.state, waiting.state) == (State.CONFIRMED, State.WAITLISTED)

    response = act(staff_client, "waitlist_selected", [registration])

    assert any("1 waitlisted" in text for text in messages_of(response)), messages_of(response)
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.state == State.WAITLISTED
    assert waiting.state == State.CONFIRMED
    assert not registration.holds_place


def test_resend_confirmation_queues_the_same_email_again(staff_client, submit, city):
    registration = submit(city)
    first = OutboxEmail.objects.get(registration=registration, kind=OutboxEmail.Kind.CONFIRMED)

    act(staff_client, "resend_confirmation", [registration])

    again = OutboxEmail.objects.filter(
        registration=registration, kind=OutboxEmail.Kind.CONFIRMED
    ).exclude(pk=first.pk)
    assert again.get().body_text == first.body_text


def test_print_badges_asks_for_a_layout_and_opens_the_progress_page(
    staff_client, submit, city, pending_city
):
    confirmed = submit(city)
    pending = submit(pending_city)

    form_page = act(staff_client, "print_badges", [confirmed, pending])
    assert form_page.status_code == 200
    assert b"A4, four A6 badges" in form_page.content

    response = act(staff_client, "print_badges", [confirmed, pending], apply="1", layout="a6")

    job = BadgeSheetJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_sheet", args=[job.pk])
    assert job.registration_ids == [confirmed.pk]  # only the confirmed get a badge
    assert job.layout == "a6"
    assert job.total == 1


def test_render_badges_again_queues_only_confirmed(staff_client, submit, city, pending_city):
    confirmed = submit(city)
    pending = submit(pending_city)
    response = act(staff_client, "render_badges_again", [confirmed, pending])
    texts = messages_of(response)
    assert any("1 badge will be rendered again" in text for text in texts), texts
    assert any("1 not confirmed" in text for text in texts), texts


def test_export_selected_as_csv_and_xlsx_without_passport_details(staff_client, submit, city):
    registration = submit(
        city,
        given_name="Seo-yeon",
        family_name="Park",
        native_name="박서연",
        passport_number="M12345678",
        passport_name="PARK SEOYEON",
        passport_date_of_birth=date(1980, 1, 2),
    )

    response = act(staff_client, "export_csv", [registration])
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["ID", "family name", "given name"]
    assert rows[1][1:4] == ["Park", "Seo-yeon", "박서연"]
    assert "M12345678" not in text
    assert "PARK SEOYEON" not in text

    response = act(staff_client, "export_xlsx", [registration])
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for cell in sheet[2]]
    assert "박서연" in values
    assert "M12345678" not in values


def test_staff_edit_of_hotel_and_desk_note_is_saved_and_logged(staff_client, submit, city):
    registration = submit(city)
    url = reverse("admin:registration_registration_change", args=[registration.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}
    data.update({"hotel_name": "Courtyard Pangyo", "staff_notes": "Escort to the front row"})
    data.update({"log-TOTAL_FORMS": "0", "log-INITIAL_FORMS": "0"})
    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    registration.refresh_from_db()
    assert registration.hotel_name == "Courtyard Pangyo"
    assert registration.staff_notes == "Escort to the front row"
    log = registration.log.filter(action=RegistrationLog.Action.EDITED).get()
    assert log.changes["hotel_name"] == ["", "Courtyard Pangyo"]


def test_history_shows_who_changed_what(staff_client, submit, city, secretariat):
    registration = submit(city)
    act(staff_client, "waitlist_selected", [registration])
    response = staff_client.get(
        reverse("admin:registration_registration_history", args=[registration.pk])
    )
    assert response.status_code == 200
    assert secretariat.email in response.content.decode()
    change = staff_client.get(
        reverse("admin:registration_registration_change", args=[registration.pk])
    )
    assert b"Waitlisted" in change.content  # the RegistrationLog inline


def test_email_log_resends_a_failed_email(staff_client, submit, city):
    registration = submit(city)
    failed = OutboxEmail.objects.filter(registration=registration).first()
    OutboxEmail.objects.filter(pk=failed.pk).update(
        status=OutboxEmail.Status.FAILED, attempts=6, last_error="550 mailbox unavailable"
    )
    page = staff_client.get(reverse("admin:registration_outboxemail_changelist"))
    assert b"550 mailbox unavailable" in page.content

    staff_client.post(
        reverse("admin:registration_outboxemail_changelist"),
        {"action": "resend", "_selected_action": [failed.pk]},
    )

    again = OutboxEmail.objects.exclude(pk=failed.pk).filter(subject=failed.subject)
    assert again.filter(status__in=["queued", "sent", "sending"]).exists()


def test_passport_details_only_for_the_secretariat_and_each_view_logged(
    client, staff_client, submit, city, secretariat
):
    from delegates.models import PassportAccessLog

    registration = submit(city, passport_number="G1234567", passport_name="MENSAH KWAME")
    url = reverse("admin:delegates_delegate_change", args=[registration.delegate_id])

    page = staff_client.get(url)
    assert b"G1234567" in page.content
    log = PassportAccessLog.objects.get()
    assert (log.viewer, log.place) == (secretariat, PassportAccessLog.Place.ADMIN)

    # A staff member allowed to view delegates, outside the Secretariat: not in the admin at all.
    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_delegate"))
    client.force_login(viewer)
    page = client.get(url)
    assert page.status_code == 403
    assert b"G1234567" not in page.content
    assert PassportAccessLog.objects.count() == 1

    listing = staff_client.get(reverse("admin:delegates_delegate_changelist"), {"q": "mensah"})
    assert b"G1234567" not in listing.content


def test_a_name_changed_in_the_delegate_admin_is_found_by_the_search(staff_client, submit, city):
    registration = submit(city, given_name="Ana", family_name="Old")
    delegate = registration.delegate
    url = reverse("admin:delegates_delegate_change", args=[delegate.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if not value and value != 0:
            continue
        data[name] = value.pk if hasattr(value, "pk") else value
    data["family_name"] = "Nuñez"

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    found = staff_client.get(reverse(CHANGELIST), {"q": "nunez"})
    assert [r.pk for r in found.context["cl"].result_list] == [registration.pk]
    assert delegate.history.first().history_user is not None


def test_the_long_city_and_country_filters_stay_folded_until_used(staff_client, submit, city):
    submit(city)
    page = staff_client.get(reverse(CHANGELIST)).content.decode()
    assert '<details data-filter-title="city">' in page
    assert '<details data-filter-title="country">' in page
    assert '<details data-filter-title="state" open>' in page  # short filters stay open
    chosen = staff_client.get(reverse(CHANGELIST), {"city__id__exact": city.pk}).content.decode()
    assert '<details data-filter-title="city" open>' in chosen


def test_each_row_has_its_action_checkbox_named_for_the_person(staff_client, submit, city):
    registration = submit(city, given_name="Kwame", family_name="Mensah")
    page = staff_client.get(reverse(CHANGELIST)).content.decode()
    assert 'id="action-toggle"' in page
    assert (
        f'<input type="checkbox" name="_selected_action" value="{registration.pk}" '
        'class="action-select" aria-label="Select this object for an action - '
    ) in page
    assert "Mensah" in page.split(f'value="{registration.pk}"', 1)[1].split(">", 1)[0]


ADD = "admin:registration_registration_add"


def test_secretariat_registers_a_person_on_their_behalf_with_the_same_rules_and_email(
    staff_client, secretariat, event
):
    city = MemberCityFactory(name_en="Ulaanbaatar", delegation_quota=1)
    person = DelegateFactory(city=city, email="mayor@ub.example", native_name="Улаанбаатар")
    page = staff_client.get(reverse(ADD))
    assert page.status_code == 200
    assert "Register a person" in page.content.decode()

    response = staff_client.post(
        reverse(ADD), {"delegate": person.pk, "delegation_role": "head", "consent": "on"}
    )

    registration = Registration.objects.get(delegate=person, event=event)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:registration_registration_change", args=[registration.pk]
    )
    assert registration.state == State.CONFIRMED
    assert registration.delegation_role == "head"
    assert registration.submitted_by == secretariat
    assert registration.privacy_notice is not None
    assert registration.log.filter(action=RegistrationLog.Action.SUBMITTED, actor=secretariat)
    assert OutboxEmail.objects.filter(registration=registration, kind="confirmed").exists()

    # Beyond the quota the next person waits, as on the delegate's own form.
    colleague = DelegateFactory(city=city, email="deputy@ub.example")
    staff_client.post(
        reverse(ADD), {"delegate": colleague.pk, "delegation_role": "delegate", "consent": "on"}
    )
    assert Registration.objects.get(delegate=colleague).state == State.WAITLISTED


def test_registering_on_behalf_refuses_bad_input_beside_the_field_and_saves_nothing(
    staff_client, event, city
):
    person = DelegateFactory(city=city, email="twice@example.org")

    no_consent = staff_client.post(
        reverse(ADD), {"delegate": person.pk, "delegation_role": "delegate"}
    )
    assert no_consent.status_code == 200
    assert no_consent.context["form"].errors["consent"] == [
        "Tick the box once the person has accepted the notice."
    ]
    assert not Registration.objects.filter(delegate=person).exists()

    staff_client.post(
        reverse(ADD), {"delegate": person.pk, "delegation_role": "delegate", "consent": "on"}
    )
    again = staff_client.post(
        reverse(ADD), {"delegate": person.pk, "delegation_role": "delegate", "consent": "on"}
    )
    assert again.status_code == 200
    assert "twice@example.org is already registered for this event." in str(
        again.context["form"].errors["delegate"]
    )
    assert Registration.objects.filter(delegate=person).count() == 1

    unknown = staff_client.post(
        reverse(ADD), {"delegate": 999999, "delegation_role": "nobody", "consent": "on"}
    )
    assert set(unknown.context["form"].errors) == {"delegate", "delegation_role"}


def test_the_secretariat_may_register_after_the_online_period_has_closed(staff_client, event, city):
    event.registration_closes_at = timezone.now() - timezone.timedelta(days=1)
    event.save()
    person = DelegateFactory(city=city, email="late@example.org")

    response = staff_client.post(
        reverse(ADD), {"delegate": person.pk, "delegation_role": "delegate", "consent": "on"}
    )

    assert response.status_code == 302
    assert Registration.objects.filter(delegate=person, event=event).exists()


def test_a_desk_user_may_not_register_anyone_in_the_admin(client, event, city):
    desk = UserFactory(email="desk@wego.example", is_staff=True)
    desk.groups.add(Group.objects.get(name="Desk"))
    client.force_login(desk)
    person = DelegateFactory(city=city)

    response = client.post(
        reverse(ADD), {"delegate": person.pk, "delegation_role": "delegate", "consent": "on"}
    )

    assert response.status_code == 403
    assert not Registration.objects.filter(delegate=person).exists()
