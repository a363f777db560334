"""Who may open the staff's own pages: one decorator for the desk and the secretariat."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import Promise
from django.views.decorators.cache import never_cache

from delegates.models import User


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

        return never_cache(wrapped)

    return decorator
