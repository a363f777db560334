"""The admin site: the secretariat's and the administrators' (docs/roles.md), no one else's.

Django's own site lets in every active staff user and shows them whatever their permissions
allow. Desk accounts are staff too, many and shared at the venue: they get a plain 403 here, as
does any signed-in user outside the Secretariat group, instead of the admin's "log in as someone
else" page. Anonymous visitors still go to the admin's login page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from delegates.selectors import user_is_secretariat


class ExcomAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        # Asked several times while one admin page is built: once per request is enough.
        if not hasattr(request, "_admin_allowed"):
            user = request.user
            request._admin_allowed = bool(user.is_active and user_is_secretariat(user=user))
        return request._admin_allowed

    def admin_view(self, view: Callable, cacheable: bool = False) -> Callable:
        checked = super().admin_view(view, cacheable)

        def refuse_signed_in_outsiders(
            request: HttpRequest, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            if (
                request.user.is_authenticated
                and not self.has_permission(request)
                and request.path != reverse("admin:logout", current_app=self.name)
            ):
                raise PermissionDenied
            return checked(request, *args, **kwargs)

        return update_wrapper(refuse_signed_in_outsiders, checked)
