"""Who may open the staff's pages: one decorator for the desk and the secretariat, and the
second factor before any of them (the admin included)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from delegates.models import User
from delegates.second_factor import (
    SecondFactor,
    StaffArea,
    primary_authenticator_types,
    second_factor_status,
)
from delegates.selectors import user_is_secretariat
from registration.selectors.desk import user_may_use_desk


def staff_only(
    *,
    allowed: Callable[[User], bool],
    api: bool,
    session_ended: str | Promise,
    refused: str | Promise | None = None,
    login_url: Callable[[], str] | None = None,
) -> Callable:
    """Views for signed-in users that `allowed` admits; never cached.

    Anonymous: the login page (`login_url()`, default the site's), or for a JSON endpoint (`api`)
    a 403 with `session_ended`, which the page turns into "please sign in again". Signed in but
    not admitted: a 403, as JSON with `refused` where one is given for a JSON endpoint.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                if api:
                    return JsonResponse({"error": str(session_ended)}, status=403)
                return redirect_to_login(
                    request.get_full_path(), login_url() if login_url else None
                )
            if not allowed(request.user):
                if api and refused is not None:
                    return JsonResponse({"error": str(refused)}, status=403)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # Read by SecondFactorMiddleware: a JSON endpoint is refused with JSON, like here.
        wrapped.staff_api = api
        return never_cache(wrapped)

    return decorator


# --- The second factor -------------------------------------------------------------------------

SECOND_FACTOR_MISSING = _(
    "This account must confirm its sign-in with two-factor authentication. Please reload the page."
)
# Where an enrolment was asked for, to go on to once it is done.
NEXT_SESSION_KEY = "staff_second_factor_next"
# allauth's pages to set up and manage a second factor: for staff only. Its sign-in and
# confirm-access steps stay open; they only ever ask someone who has an authenticator.
MFA_ENTRANCE_PAGES = frozenset(
    {"mfa_authenticate", "mfa_reauthenticate", "mfa_reauthenticate_webauthn", "mfa_trust"}
)


def staff_area(path: str) -> StaffArea | None:
    """The staff area a path belongs to, by where excom/urls.py mounts it: a page added under
    one of these prefixes is covered without being listed."""
    language = get_language_from_path(path)
    if language:
        path = path.removeprefix(f"/{language}")
    prefixes = (
        (f"/{settings.ADMIN_URL}", StaffArea.ADMIN),
        ("/staff/", StaffArea.SECRETARIAT),
        # The secretariat's download of a person's data (registration.urls.privacy).
        ("/privacy/delegates/", StaffArea.SECRETARIAT),
        ("/desk/", StaffArea.DESK),
    )
    return next((area for prefix, area in prefixes if path.startswith(prefix)), None)


def _verify_url(request: HttpRequest) -> str:
    types = primary_authenticator_types(user=request.user)
    name = "mfa_reauthenticate" if "totp" in types else "mfa_reauthenticate_webauthn"
    return f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"


class SecondFactorMiddleware:
    """Staff pages only after the second factor, as delegates.second_factor rules.

    Without it, a page sends the person to set one up (first time) or to enter a code (a session
    opened without one); a JSON endpoint answers 403 with a sentence the page shows. Delegates
    never see allauth's pages to set one up.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict
    ) -> HttpResponse | None:
        area = staff_area(request.path_info)
        if area is None:
            self._mfa_pages_for_staff_only(request)
            return None
        status = second_factor_status(user=request.user, session=request.session, area=area)
        if status in (SecondFactor.NOT_NEEDED, SecondFactor.PASSED):
            return None
        if getattr(view, "staff_api", False):
            return JsonResponse({"error": str(SECOND_FACTOR_MISSING)}, status=403)
        if status is SecondFactor.VERIFY:
            return HttpResponseRedirect(_verify_url(request))
        if request.method == "GET":
            request.session[NEXT_SESSION_KEY] = request.get_full_path()
        return redirect("mfa_activate_totp")

    def _mfa_pages_for_staff_only(self, request: HttpRequest) -> None:
        match = request.resolver_match
        name = (match.url_name if match else None) or ""
        if (
            name.startswith("mfa_")
            and name not in MFA_ENTRANCE_PAGES
            and request.user.is_authenticated
            and not request.user.is_staff
        ):
            raise Http404


def _continue_default(user: User) -> str:
    if user_is_secretariat(user=user):
        return reverse("admin:index")
    if user_may_use_desk(user=user):
        return reverse("desk")
    return reverse("home")


@login_required
@never_cache
def second_factor_continue(request: HttpRequest) -> HttpResponse:
    """After enrolling and saving the recovery codes: on to the page that asked for it."""
    target = request.session.pop(NEXT_SESSION_KEY, "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = _continue_default(request.user)
    return HttpResponseRedirect(target)
