"""The second factor in front of the staff pages: sign-in with a code, enrolment on the first staff
visit, the desk's JSON, the desk exemption, and delegates who are never asked."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import translation

from registration.access import NEXT_SESSION_KEY, staff_area
from tests.factories import DelegateFactory, UserFactory
from tests.mfa import recovery_codes, totp_code, totp_enrol, wrong_code

pytestmark = [pytest.mark.django_db, pytest.mark.second_factor]

PASSWORD = "staff-passphrase-for-tests"
ENROL = "/accounts/2fa/totp/activate/"
CODE_PAGE = "/accounts/2fa/authenticate/"


@pytest.fixture(autouse=True)
def _english_after_each_test():
    # A request under /ko/ leaves Korean active in this thread, and reverse() would follow it.
    yield
    translation.activate("en")


def role(name: str) -> Group:
    """A role as registration's roles migration makes it (a transactional test may have flushed it)."""
    group, _created = Group.objects.get_or_create(name=name)
    if name == "Desk":
        group.permissions.add(
            Permission.objects.get(content_type__app_label="registration", codename="use_desk")
        )
    return group


def person(group: str | None = None, **fields):
    user = UserFactory(password=PASSWORD, **fields)
    if group:
        user.groups.add(role(group))
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def secretariat():
    return person("Secretariat", is_staff=True)


@pytest.fixture
def superuser():
    return person(is_staff=True, is_superuser=True)


@pytest.fixture
def desk():
    return person("Desk", is_staff=True)


def sign_in(client, user, next_url: str = ""):
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": user.email, "password": PASSWORD})


def confirm_password_to_enrol(client) -> str:
    """allauth asks for the password again before a second factor is set up (its default
    MFA_REAUTHENTICATION_REQUIRED); then the enrolment page. Returns the secret it shows, which
    every new visit to the page replaces."""
    asked = client.get(ENROL)
    assert (
        asked["Location"]
        == reverse("account_reauthenticate") + "?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )
    confirmed = client.post(asked["Location"], {"password": PASSWORD})
    assert confirmed["Location"] == ENROL
    page = client.get(ENROL)
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in page.text
    assert "passport details" in page.text  # why, in a sentence
    return secret


def staff_pages(delegate_pk: int) -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin:registration_registration_changelist"),
        reverse("staff_dashboard"),
        reverse("staff_lists"),
        reverse("desk"),
        reverse("delegate_data_export", args=[delegate_pk]),
    ]


@pytest.mark.parametrize("who", ["secretariat", "superuser"])
def test_without_a_second_factor_every_staff_page_sends_to_enrolment(client, who, request):
    user = request.getfixturevalue(who)
    assert sign_in(client, user)["Location"] == reverse("me")
    for url in staff_pages(DelegateFactory().pk):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, ENROL), url
    # Pages outside the staff areas stay open: a staff member may be a delegate too.
    assert client.get(reverse("home")).status_code == 200


def test_the_desk_json_answers_403_json_without_a_second_factor(client, secretariat, event):
    sign_in(client, secretariat)
    response = client.post(reverse("desk_scan"), {"token": "x", "desk": "Desk 1"})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "two-factor authentication" in response.json()["error"]
    counters = client.get(reverse("desk_counters"))
    assert (counters.status_code, counters["Content-Type"]) == (403, "application/json")


def test_the_json_refusal_is_in_the_pages_language(client, secretariat, event):
    sign_in(client, secretariat)
    response = client.get("/ko" + reverse("desk_counters"))
    assert response.status_code == 403
    with translation.override("ko"):
        assert response.json()["error"] == translation.gettext(
            "This account must confirm its sign-in with two-factor authentication. "
            "Please reload the page."
        )


# Transactional: allauth tells of a new authenticator once its transaction commits, inside the
# request, and the session notes it then.
@pytest.mark.django_db(transaction=True)
def test_first_staff_visit_enrols_shows_the_codes_once_and_goes_on(client, secretariat):
    sign_in(client, secretariat)
    assert client.get(reverse("staff_lists"))["Location"] == ENROL
    secret = confirm_password_to_enrol(client)

    refused = client.post(ENROL, {"code": wrong_code(secret)})
    assert refused.status_code == 200
    assert "Incorrect code." in refused.text
    assert not Authenticator.objects.filter(user=secretariat).exists()

    done = client.post(ENROL, {"code": totp_code(secret)})
    assert done["Location"] == reverse("mfa_view_recovery_codes")
    codes = recovery_codes(secretariat)
    assert len(codes) == 10
    shown = client.get(done["Location"])
    assert all(code in shown.text for code in codes)
    assert reverse("second_factor_continue") in shown.text
    # Once only.
    again = client.get(reverse("mfa_view_recovery_codes"))
    assert not any(code in again.text for code in codes)

    onward = client.get(reverse("second_factor_continue"))
    assert onward["Location"] == reverse("staff_lists")
    assert NEXT_SESSION_KEY not in client.session
    assert client.get(reverse("staff_lists")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_continue_without_a_page_to_go_back_to_goes_to_the_role_home(client, secretariat, desk):
    client.force_login(secretariat)
    assert client.get(reverse("second_factor_continue"))["Location"] == reverse("admin:index")
    client.force_login(desk)
    assert client.get(reverse("second_factor_continue"))["Location"] == reverse("desk")


@pytest.mark.parametrize("who", ["secretariat", "superuser"])
def test_an_enrolled_member_signs_in_with_password_and_code(client, who, request, event):
    user = request.getfixturevalue(who)
    secret = totp_enrol(user)
    first = sign_in(client, user, next_url=reverse("staff_dashboard"))
    assert first["Location"] == CODE_PAGE
    # The password alone is no sign-in.
    assert client.get(reverse("me"))["Location"].startswith(reverse("account_login"))

    second = client.post(CODE_PAGE, {"code": totp_code(secret)})
    assert second["Location"] == reverse("staff_dashboard")
    for url in staff_pages(DelegateFactory().pk):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("desk_counters")).status_code == 200


def test_a_wrong_code_is_told_beside_the_field_and_keeps_the_person_out(client, secretariat):
    secret = totp_enrol(secretariat)
    sign_in(client, secretariat)
    response = client.post(CODE_PAGE, {"code": wrong_code(secret)})
    assert response.status_code == 200
    field = re.search(r'<div class="errors" id="id_code_error">(.*?)</div>', response.text, re.S)
    assert field and "Incorrect code." in field.group(1)
    assert 'aria-invalid="true"' in response.text
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:login"))


def test_wrong_codes_are_rate_limited_with_a_message_not_an_error_page(client, secretariat):
    secret = totp_enrol(secretariat)
    sign_in(client, secretariat)
    for _attempt in range(5):
        assert client.post(CODE_PAGE, {"code": wrong_code(secret)}).status_code == 200
    limited = client.post(CODE_PAGE, {"code": totp_code(secret)})
    assert limited.status_code == 200
    assert "Too many failed login attempts" in limited.text
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_recovery_code_signs_in_once(client, secretariat):
    totp_enrol(secretariat)
    code = recovery_codes(secretariat)[3]
    sign_in(client, secretariat)
    assert client.post(CODE_PAGE, {"code": code})["Location"] == reverse("me")
    assert client.get(reverse("admin:index")).status_code == 200
    assert code not in recovery_codes(secretariat)

    client.post(reverse("account_logout"))
    sign_in(client, secretariat)
    response = client.post(CODE_PAGE, {"code": code})
    assert response.status_code == 200
    assert "Incorrect code." in response.text


def test_a_session_opened_without_the_code_is_asked_for_it(client, secretariat):
    # A session from before enrolling, or from anywhere that skipped allauth's code step.
    secret = totp_enrol(secretariat)
    client.force_login(secretariat)
    response = client.get(reverse("staff_lists"))
    assert response["Location"] == reverse("mfa_reauthenticate") + "?next=%2Fstaff%2Flists%2F"
    confirmed = client.post(response["Location"], {"code": totp_code(secret)})
    assert confirmed["Location"] == reverse("staff_lists")
    assert client.get(reverse("staff_lists")).status_code == 200


def test_the_admin_login_is_allauths(client):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"


def test_turning_off_the_last_app_asks_for_enrolment_again(client, secretariat):
    secret = totp_enrol(secretariat)
    sign_in(client, secretariat)
    client.post(CODE_PAGE, {"code": totp_code(secret)})
    assert client.get(reverse("staff_lists")).status_code == 200
    # Turning it off asks for the password again, then does it.
    asked = client.post(reverse("mfa_deactivate_totp"))["Location"]
    assert asked.startswith(reverse("account_reauthenticate"))
    assert client.post(asked, {"password": PASSWORD})["Location"] == reverse("mfa_index")
    assert not Authenticator.objects.filter(user=secretariat).exists()
    assert client.get(reverse("staff_lists"))["Location"] == ENROL


def test_after_an_administrator_removes_a_lost_phone_the_next_sign_in_enrols(client, secretariat):
    totp_enrol(secretariat)
    old_codes = recovery_codes(secretariat)
    Authenticator.objects.get(user=secretariat, type=Authenticator.Type.TOTP).delete()
    assert sign_in(client, secretariat)["Location"] == reverse("me")
    assert client.get(reverse("admin:index"))["Location"] == ENROL
    secret = confirm_password_to_enrol(client)
    client.post(ENROL, {"code": totp_code(secret)})
    new_codes = recovery_codes(secretariat)
    assert set(new_codes).isdisjoint(old_codes)


def test_desk_operators_enrol_too_by_default(client, desk, event):
    sign_in(client, desk)
    assert client.get(reverse("desk"))["Location"] == ENROL
    assert client.get(reverse("desk_counters")).status_code == 403


def test_an_exempt_desk_account_reaches_the_desk_and_nothing_else(client, desk, event, settings):
    settings.MFA_DESK_EXEMPT = True
    sign_in(client, desk)
    assert client.get(reverse("desk")).status_code == 200
    assert client.get(reverse("desk_counters")).status_code == 200
    assert client.get(reverse("admin:index"))["Location"] == ENROL
    assert client.get(reverse("staff_dashboard"))["Location"] == ENROL


def test_the_exemption_does_not_cover_the_secretariat_at_the_desk(client, secretariat, settings):
    settings.MFA_DESK_EXEMPT = True
    sign_in(client, secretariat)
    assert client.get(reverse("desk"))["Location"] == ENROL


def test_delegates_are_never_asked_and_never_see_the_enrolment_pages(client, event):
    delegate = person()
    assert sign_in(client, delegate, next_url=reverse("me"))["Location"] == reverse("me")
    assert client.get(reverse("me"))["Location"] == reverse("register")
    assert client.get(reverse("register")).status_code == 200
    for name in ("mfa_index", "mfa_activate_totp", "mfa_view_recovery_codes", "mfa_add_webauthn"):
        assert client.get(reverse(name)).status_code == 404, name
    # Staff pages turn them away as before: no detour through an enrolment.
    assert client.get(reverse("desk")).status_code == 403
    assert client.get(reverse("desk_counters")).status_code == 403
    assert client.get(reverse("staff_dashboard")).status_code == 403


def test_redirects_keep_the_language(client, secretariat):
    sign_in(client, secretariat)
    assert client.get("/ko" + reverse("staff_dashboard"))["Location"] == "/ko" + ENROL
    asked = client.get("/ko" + ENROL)["Location"]
    assert asked.startswith("/ko/accounts/reauthenticate/")
    client.post(asked, {"password": PASSWORD})
    page = client.get("/ko" + ENROL)
    with translation.override("ko"):
        assert translation.gettext("Activate Authenticator App") in page.text


def test_every_staff_url_is_in_a_staff_area():
    from registration.urls import desk as desk_urls
    from registration.urls import staff as staff_urls

    names = [p.name for p in desk_urls.urlpatterns + staff_urls.urlpatterns]
    kwargs = {"pk": 1, "registration_id": 1, "slug": "x", "fmt": "csv"}
    for name in names:
        pattern = next(p for p in desk_urls.urlpatterns + staff_urls.urlpatterns if p.name == name)
        needed = {k: kwargs[k] for k in pattern.pattern.converters}
        for prefix in ("", "/ko"):
            assert staff_area(prefix + reverse(name, kwargs=needed)) is not None, name
    assert staff_area("/ko/admin/") == "admin"
    assert staff_area(reverse("delegate_data_export", args=[1])) == "secretariat"
    for public in ("/", "/me/", "/ko/me/", "/accounts/login/", "/delegation/", "/staffing/"):
        assert staff_area(public) is None, public
