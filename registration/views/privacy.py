"""Personal data: a person's copy of everything held, their erasure request, and photos served only to those who may see them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from delegates import selectors as delegates_selectors
from delegates.models import Delegate, StaffActionLog
from delegates.services import staff_action_log
from registration.errors import RegistrationError
from registration.selectors import registrations as registration_selectors
from registration.services.privacy.data_export import delegate_data_export
from registration.services.privacy.erasure import delegate_request_erasure


def _own_delegate(request: HttpRequest) -> Delegate:
    delegate = Delegate.objects.filter(user=request.user).select_related("city").first()
    if delegate is None:
        raise Http404(_("We hold no registration data about this account."))
    return delegate


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """What we hold, a download of all of it, and the request to erase it."""
    delegate = _own_delegate(request)
    return render(
        request,
        "registration/my_data.html",
        {
            "delegate": delegate,
            "notice": registration_selectors.privacy_notice_current(),
            "kept_until": [
                (r.event, r.event.personal_data_kept_until)
                for r in delegate.registrations.select_related("event")
            ],
        },
    )


def _zip_response(content: bytes, delegate: Delegate) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="excom-my-data-{delegate.pk}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def my_data_export(request: HttpRequest) -> HttpResponse:
    delegate = _own_delegate(request)
    content = delegate_data_export(delegate=delegate, viewer=request.user)
    return _zip_response(content, delegate)


@login_required
@require_http_methods(["POST"])
def my_data_erase(request: HttpRequest) -> HttpResponse:
    delegate = _own_delegate(request)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Please tick the box to confirm that you want your data erased."))
        return redirect("my_data")
    try:
        delegate_request_erasure(delegate=delegate, actor=request.user)
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Your request has been sent to the secretariat. We will erase your data and "
                "write to you when it is done."
            ),
        )
    return redirect("my_data")


@login_required
def delegate_data_export_for_secretariat(request: HttpRequest, pk: int) -> HttpResponse:
    if not (request.user.is_staff and delegates_selectors.user_is_secretariat(user=request.user)):
        raise PermissionDenied
    delegate = get_object_or_404(Delegate, pk=pk)
    content = delegate_data_export(delegate=delegate, viewer=request.user)
    staff_action_log(
        actor=request.user,
        action=StaffActionLog.Action.DOWNLOADED,
        model=Delegate,
        object_ids=[delegate.pk],
        detail=f"excom-my-data-{delegate.pk}.zip",
    )
    return _zip_response(content, delegate)


def delegate_photo(request: HttpRequest, name: str) -> HttpResponse:
    """A delegate's photo, for the person, their head of delegation, the desk and secretariat."""
    delegate = Delegate.objects.filter(photo=f"photos/{name}").select_related("city").first()
    if delegate is None or not registration_selectors.photo_visible_to(
        user=request.user, delegate=delegate
    ):
        raise Http404(_("No such photo."))
    response = FileResponse(delegate.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
