"""Every URL the site answers, asked by every role of docs/roles.md, with ids that belong to
someone else: each role gets exactly the answer written here.

The URLs come from the resolver (the admin's and allauth's included), never from a list kept by
hand: a new URL without a row in EXPECTED fails, naming it. One database setup for the module;
each test is rolled back.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from unittest import mock
from urllib.parse import urlparse

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.sites import site
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from registration.models import Registration
from tests.access_world import PDF, ROLES, World, build_world

# One worker runs the whole matrix, so that its records are made once.
pytestmark = pytest.mark.xdist_group("access_matrix")

# Answers other than a status code.
LOGIN = "login"  # a redirect to a sign-in page, the site's or the admin's
MOVED = "moved"  # a redirect anywhere else
REFUSED = {LOGIN, 403, 404}


def everyone(answer: int | str) -> tuple:
    return (answer,) * len(ROLES)


# Per role, in the order of ROLES: anonymous, delegate, head, desk, secretariat, administrator.
SECRETARIAT = (LOGIN, 403, 403, 403, 200, 200)
ADMINISTRATORS = (LOGIN, 403, 403, 403, 403, 200)
NOBODY = (LOGIN, 403, 403, 403, 403, 403)
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200)


@dataclass(frozen=True)
class Route:
    key: str  # the URL's name, or its pattern when it has none
    name: str | None
    pattern: str
    params: tuple[str, ...]
    view: object


def _params(pattern) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    if isinstance(pattern, RegexPattern):
        named = tuple(pattern.regex.groupindex)
        return named or tuple(f"_{n}" for n in range(pattern.regex.groups))
    return ()


def _walk(patterns, prefix: str = "", namespace: str = "", params=()) -> Iterator[Route]:
    for entry in patterns:
        found = params + _params(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner, found)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            route = prefix + str(entry.pattern)
            yield Route(name or route, name, route, found, entry.callback)


def _is_file_serving(route: Route) -> bool:
    # Static files and uploads served by Django itself (only with DEBUG): no page of ours.
    module = getattr(route.view, "__module__", "")
    return module in {"django.views.static", "django.contrib.staticfiles.views"}


ROUTES = {r.key: r for r in _walk(get_resolver().url_patterns) if not _is_file_serving(r)}

# The admin's URLs of each registered model: name -> model.
ADMIN_MODELS = {
    f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}": model
    for model in site._registry
    for view in ("changelist", "add", "history", "delete", "change", "simple_history")
}
ADMIN_MODELS["admin:auth_user_password_change"] = next(
    model for model in site._registry if model._meta.label_lower == settings.AUTH_USER_MODEL.lower()
)


def admin_model(
    label: str,
    *,
    changelist=SECRETARIAT,
    add=SECRETARIAT,
    history=SECRETARIAT,
    delete=SECRETARIAT,
    change=SECRETARIAT,
    redirect=(LOGIN, 403, 403, 403, MOVED, MOVED),
    simple_history=None,
) -> dict[str, tuple]:
    """The rows of one model's admin URLs (redirect: the old /<id>/ address of the change page)."""
    app_label, model = label.split(".")
    rows = {
        f"admin:{app_label}_{model}_changelist": changelist,
        f"admin:{app_label}_{model}_add": add,
        f"admin:{app_label}_{model}_history": history,
        f"admin:{app_label}_{model}_delete": delete,
        f"admin:{app_label}_{model}_change": change,
        f"{settings.ADMIN_URL}{app_label}/{model}/<path:object_id>/": redirect,
    }
    if simple_history is not None:
        rows[f"admin:{app_label}_{model}_simple_history"] = simple_history
    return rows


# What only administrators reach: accounts, groups, sites, email addresses, the audit trails. The
# old /<id>/ address only redirects (Django checks no model permission there); the change page it
# leads to answers the secretariat with 403.
ADMINISTRATORS_REDIRECT = (LOGIN, 403, 403, 403, MOVED, MOVED)
READ_ONLY_FOR_ADMINISTRATORS = {
    "add": NOBODY,
    "delete": NOBODY,
    "changelist": ADMINISTRATORS,
    "history": ADMINISTRATORS,
    "change": ADMINISTRATORS,
    "redirect": ADMINISTRATORS_REDIRECT,
}
ACCOUNTS = {
    "changelist": ADMINISTRATORS,
    "add": ADMINISTRATORS,
    "history": ADMINISTRATORS,
    "delete": ADMINISTRATORS,
    "change": ADMINISTRATORS,
    "redirect": ADMINISTRATORS_REDIRECT,
}
# Audit trails and records no one edits: the secretariat reads them.
READ_ONLY = {"add": NOBODY, "delete": NOBODY}

EXPECTED: dict[str, tuple] = {
    # Public
    "healthz": everyone(200),
    "set_language": everyone(MOVED),
    "home": everyone(200),
    # Photos: the person, their head, the desk and the secretariat; not another delegate.
    "delegate_photo": (404, 404, 404, 200, 200, 200),
    # allauth
    "account_login": (200, MOVED, MOVED, MOVED, MOVED, MOVED),
    "account_logout": (MOVED, 200, 200, 200, 200, 200),
    "account_inactive": everyone(200),
    "account_signup": (200, MOVED, MOVED, MOVED, MOVED, MOVED),
    "account_reauthenticate": SIGNED_IN,
    # A code to the account's own verified address (staff here have none on file).
    "account_request_reauthentication_code": (LOGIN, 200, 200, MOVED, MOVED, MOVED),
    "account_confirm_reauthentication_code": (LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED),
    "account_email": SIGNED_IN,
    "account_email_verification_sent": everyone(200),
    "account_change_password": SIGNED_IN,
    "account_set_password": (LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED),
    "account_reset_password": everyone(200),
    "account_confirm_login_code": (LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED),
    "account_confirm_email": everyone(200),
    "account_reset_password_from_key_done": everyone(200),
    "account_reset_password_from_key": everyone(200),
    "account_reset_password_done": everyone(200),
    # The second factor: staff manage their own (changing it asks for it again first); delegates
    # have none to manage; recovery codes are shown once, when they are made.
    "mfa_index": (LOGIN, 404, 404, 200, 200, 200),
    "mfa_list_webauthn": (LOGIN, 404, 404, 200, 200, 200),
    "mfa_activate_totp": (LOGIN, 404, 404, MOVED, MOVED, MOVED),
    "mfa_add_webauthn": (LOGIN, 404, 404, MOVED, MOVED, MOVED),
    "mfa_generate_recovery_codes": (LOGIN, 404, 404, MOVED, MOVED, MOVED),
    "mfa_edit_webauthn": (LOGIN, 404, 404, MOVED, MOVED, MOVED),
    "mfa_remove_webauthn": (LOGIN, 404, 404, MOVED, MOVED, MOVED),
    "mfa_deactivate_totp": (LOGIN, 404, 404, 404, 404, MOVED),
    "mfa_view_recovery_codes": (LOGIN, 404, 404, 404, 404, 404),
    "mfa_download_recovery_codes": (LOGIN, 404, 404, 404, 404, 404),
    "mfa_authenticate": (LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED),
    "mfa_reauthenticate": (LOGIN, MOVED, MOVED, MOVED, MOVED, 200),
    "mfa_reauthenticate_webauthn": (LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED),
    "second_factor_continue": (LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED),
    # A focal point's invitation: only its own link opens it (a made-up one here).
    "head_invitation": everyone(404),
    # A delegate's own pages: only ever their own registration, badge, letter and data.
    "me": (LOGIN, 200, 200, MOVED, MOVED, MOVED),
    "register": (LOGIN, MOVED, MOVED, 200, 200, 200),
    "me_edit": (LOGIN, 200, 200, MOVED, MOVED, MOVED),
    "me_cancel": (LOGIN, 200, 200, MOVED, MOVED, MOVED),
    "my_badge": (LOGIN, 200, 200, 404, 404, 404),
    "my_visa_letter": (LOGIN, 404, 404, 404, 404, 404),
    "my_data": (LOGIN, 200, 200, 404, 404, 404),
    "my_data_export": (LOGIN, 200, 200, 404, 404, 404),
    "my_data_erase": (LOGIN, 405, 405, 405, 405, 405),
    # A head's pages: their own city's colleagues only (the id here is another city's).
    "delegation": (LOGIN, 404, 200, 404, 404, 404),
    "delegation_add": (LOGIN, 404, 200, 404, 404, 404),
    "delegation_edit": (LOGIN, 404, 404, 404, 404, 404),
    "delegation_cancel": (LOGIN, 404, 404, 404, 404, 404),
    # The venue desk: desk operators and the secretariat.
    "desk": (LOGIN, 403, 403, 200, 200, 200),
    "desk_scan": (403, 403, 403, 405, 405, 405),
    "desk_check_in": (403, 403, 403, 405, 405, 405),
    "desk_print": (403, 403, 403, 405, 405, 405),
    "desk_search": (403, 403, 403, 200, 200, 200),
    "desk_counters": (403, 403, 403, 200, 200, 200),
    "desk_walk_in": (403, 403, 403, 405, 405, 405),
    "desk_badge": (LOGIN, 403, 403, 200, 200, 200),
    # The secretariat's own pages.
    "staff_dashboard": SECRETARIAT,
    "staff_sheet": SECRETARIAT,
    "staff_sheet_status": (403, 403, 403, 403, 200, 200),
    "staff_sheet_download": SECRETARIAT,
    "staff_lists": SECRETARIAT,
    "staff_list_download": SECRETARIAT,
    "staff_visa_letter": SECRETARIAT,
    "delegate_data_export": (LOGIN, 403, 403, 403, 200, 200),
    # The admin: the secretariat's and the administrators'; a plain 403 for everyone else.
    "admin:index": SECRETARIAT,
    # Forwards to the site's sign-in (its rate limits and second factor); signed-in people
    # without the admin get the admin's plain 403, desk operators its "not for you" form.
    "admin:login": (LOGIN, 403, 403, 200, MOVED, MOVED),
    # Logging out is a POST; a GET from outside leads to the index, which refuses.
    "admin:logout": (MOVED, MOVED, MOVED, MOVED, 405, 405),
    "admin:password_change": SECRETARIAT,
    "admin:password_change_done": SECRETARIAT,
    "admin:autocomplete": (LOGIN, 403, 403, 403, 403, 403),
    "admin:jsi18n": SECRETARIAT,
    "admin:view_on_site": (LOGIN, 403, 403, 403, 404, 404),
    "admin:app_list": SECRETARIAT,
    f"{settings.ADMIN_URL}(?P<url>.*)$": (LOGIN, 403, 403, 403, 404, 404),
    **admin_model("auth.group", **ACCOUNTS),
    **admin_model("delegates.user", **ACCOUNTS),
    "admin:auth_user_password_change": ADMINISTRATORS,
    **admin_model("sites.site", **ACCOUNTS),
    **admin_model("account.emailaddress", **ACCOUNTS),
    **admin_model("delegates.passportaccesslog", **READ_ONLY_FOR_ADMINISTRATORS),
    **admin_model("delegates.staffactionlog", **READ_ONLY_FOR_ADMINISTRATORS),
    **admin_model("delegates.region"),
    **admin_model("delegates.delegate", simple_history=SECRETARIAT),
    **admin_model("delegates.membercity", simple_history=SECRETARIAT),
    "admin:delegates_membercity_import": SECRETARIAT,
    # The import's job: its page, its status (JSON) and the confirm (POST only).
    "admin:delegates_membercity_import_job": SECRETARIAT,
    "admin:delegates_membercity_import_status": SECRETARIAT,
    "admin:delegates_membercity_import_confirm": (LOGIN, 403, 403, 403, 405, 405),
    "admin:delegates_membercity_export": SECRETARIAT,
    **admin_model("registration.event"),
    **admin_model("registration.registration", delete=NOBODY, simple_history=SECRETARIAT),
    **admin_model("registration.outboxemail", **READ_ONLY),
    # A finished sheet may be deleted; the badges in it stay.
    **admin_model("registration.badgesheetjob", add=NOBODY),
    **admin_model("registration.desklog", **READ_ONLY),
    **admin_model("registration.privacynotice", delete=NOBODY),
    **admin_model("registration.purgerecord", **READ_ONLY),
    **admin_model("registration.headinvitation", **READ_ONLY),
    # Staff's second factors: an administrator removes one when a phone is lost.
    **admin_model("mfa.authenticator", **ACCOUNTS),
}


def _value(route: Route, param: str, world: World) -> object:
    """The value for one id in a URL: a record of someone else, or a made-up key."""
    model = ADMIN_MODELS.get(route.name or "")
    if model is not None:
        target = world.target(model)
        return world.history_ids[model] if param == "_1" else target.pk
    other = world.other
    values = {
        ("delegate_photo", "name"): other.delegate.photo.name.removeprefix("photos/"),
        ("desk_badge", "pk"): other.pk,
        ("staff_sheet", "pk"): world.sheet.pk,
        ("admin:delegates_membercity_import_job", "job_id"): world.city_import.pk,
        ("admin:delegates_membercity_import_status", "job_id"): world.city_import.pk,
        ("admin:delegates_membercity_import_confirm", "job_id"): world.city_import.pk,
        ("staff_sheet_status", "pk"): world.sheet.pk,
        ("staff_sheet_download", "pk"): world.sheet.pk,
        ("staff_list_download", "slug"): "visa-letters",
        ("staff_list_download", "fmt"): "csv",
        ("staff_visa_letter", "registration_id"): other.pk,
        ("delegation_edit", "pk"): other.pk,
        ("delegation_cancel", "pk"): other.pk,
        ("delegate_data_export", "pk"): other.delegate_id,
        ("head_invitation", "token"): "not-a-real-invitation",
        # Someone else's authenticator (the administrator's).
        ("mfa_edit_webauthn", "pk"): world.target(Authenticator).pk,
        ("mfa_remove_webauthn", "pk"): world.target(Authenticator).pk,
        ("account_confirm_email", "key"): "MQ:1vAbcD:not-a-real-key",
        ("account_reset_password_from_key", "uidb36"): "1",
        ("account_reset_password_from_key", "key"): "not-a-real-key",
        ("admin:app_list", "app_label"): "registration",
        ("admin:view_on_site", "content_type_id"): ContentType.objects.get_for_model(
            Registration
        ).pk,
        ("admin:view_on_site", "object_id"): other.pk,
    }
    return values[(route.key, param)]


def url_for(route: Route, world: World) -> str:
    if route.name is None:
        if route.pattern.endswith("(?P<url>.*)$"):
            return f"/{settings.ADMIN_URL}no-such-page/"
        app_label, model_name = route.pattern.removeprefix(settings.ADMIN_URL).split("/")[:2]
        model = next(
            m for m in site._registry if m._meta.label_lower == f"{app_label}.{model_name}"
        )
        return "/" + route.pattern.replace("<path:object_id>", str(world.target(model).pk))
    values = [_value(route, param, world) for param in route.params]
    if route.params and all(param.startswith("_") for param in route.params):
        return reverse(route.name, args=values)
    return reverse(route.name, kwargs=dict(zip(route.params, values, strict=True)))


def answer(response) -> int | str:
    if response.status_code in (301, 302):
        path = urlparse(response["Location"]).path
        return LOGIN if path in {reverse("account_login"), reverse("admin:login")} else MOVED
    return response.status_code


@pytest.fixture(autouse=True)
def _fresh_cache_and_files():
    # The module's files (a photo, badges, letters) must outlive each test: only the cache goes.
    cache.clear()
    yield


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        # Badges are rendered on demand; the matrix is about who gets them, not how they look.
        mock.patch("registration.services.badges.render_badge_pdf", lambda context: PDF),
    ):
        yield build_world()
        transaction.set_rollback(True)
    for folder in (settings.MEDIA_ROOT, settings.PRIVATE_ROOT):
        shutil.rmtree(folder, ignore_errors=True)


def test_every_url_has_a_row_and_every_row_a_url():
    missing = sorted(set(ROUTES) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(ROUTES))
    assert not missing, f"URLs without a row in EXPECTED (what may each role get?): {missing}"
    assert not stale, f"rows in EXPECTED for URLs that no longer exist: {stale}"
    assert all(len(row) == len(ROLES) for row in EXPECTED.values())


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_each_role_gets_its_answer(key: str, world: World, db):
    if key not in EXPECTED:
        pytest.fail(f"{key} has no row in EXPECTED: write down what each role may get")
    route = ROUTES[key]
    url = url_for(route, world)
    wanted = dict(zip(ROLES, EXPECTED[key], strict=True))
    wrong = {}
    for role in ROLES:
        client = Client()
        session = world.clients[role].cookies.get(settings.SESSION_COOKIE_NAME)
        if session is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = session.value
        got = answer(client.get(url))
        if got != wanted[role]:
            wrong[role] = f"got {got}, wanted {wanted[role]}"
        elif got in REFUSED:
            # Whoever is refused the page is refused a form sent to it too.
            posted = answer(client.post(url, {}))
            if posted not in {*REFUSED, 405}:
                wrong[role] = f"refused a GET, but a POST got {posted}"
    assert not wrong, f"{key} ({url}): {wrong}"
