"""The delegate's pages: the event, my registration, and a head of delegation's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from delegates.models import Delegate
from registration import selectors
from registration.downloads import pdf_download
from registration.errors import RegistrationError
from registration.forms import (
    ROLES_FOR_COLLEAGUES,
    AttendanceForm,
    CancelForm,
    ColleagueEmailForm,
    ConsentForm,
    DelegateForm,
    initial_from,
)
from registration.models import Event, Registration, State
from registration.services import badges as badge_services
from registration.services import privacy as privacy_services
from registration.services import registrations as registration_services
from registration.services.letters import visa_letter_pdf


def _event_or_404(request: HttpRequest) -> Event:
    event = selectors.event_current()
    if event is None:
        raise Http404(_("No event is open yet."))
    return event


def _forms(
    request: HttpRequest,
    *,
    event: Event,
    initial: dict[str, Any] | None = None,
    with_consent: bool,
    city_fixed=None,
    roles=None,
    email_field: bool = False,
) -> dict[str, Any]:
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    forms: dict[str, Any] = {
        "person_form": DelegateForm(data, files, initial=initial, city_fixed=city_fixed),
        "attendance_form": AttendanceForm(data, initial=initial, event=event, roles=roles),
    }
    if with_consent:
        forms["consent_form"] = ConsentForm(
            data, notice=selectors.privacy_notice_current(), for_colleague=email_field
        )
    if email_field:
        forms["email_form"] = ColleagueEmailForm(data, initial=initial)
    return forms


def _all_valid(forms: dict[str, Any]) -> bool:
    # Validate every form so that every error is shown at once.
    return all([form.is_valid() for form in forms.values()])


def _cleaned(forms: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for form in forms.values():
        data.update(form.cleaned_data)
    return data


def _show_error(forms: dict[str, Any], error: RegistrationError) -> None:
    for form in forms.values():
        if error.field and error.field in form.fields:
            form.add_error(error.field, error.message)
            return
    forms["person_form"].add_error(None, error.message)


def home(request: HttpRequest) -> HttpResponse:
    event = selectors.event_current()
    registration = None
    if event is not None and request.user.is_authenticated:
        registration = selectors.registration_for_user(user=request.user, event=event)
    return render(request, "registration/home.html", {"registration": registration})


@login_required
def me(request: HttpRequest) -> HttpResponse:
    event = _event_or_404(request)
    registration = selectors.registration_for_user(user=request.user, event=event)
    if registration is None:
        return redirect("register")
    head = selectors.delegation_head_of(user=request.user, event=event)
    return render(
        request,
        "registration/me.html",
        {
            "registration": registration,
            "delegate": registration.delegate,
            "log": registration.log.select_related("actor").order_by("-created_at")[:20],
            "is_head": head is not None,
            "can_edit": registration.is_live and event.is_editable(),
            "visa_letter": selectors.visa_letter_for(registration=registration),
        },
    )


def _own_registration_or_404(request: HttpRequest) -> Registration:
    event = _event_or_404(request)
    registration = selectors.registration_for_user(user=request.user, event=event)
    if registration is None:
        raise Http404(_("You have not registered yet."))
    return registration


@login_required
@require_GET
def my_badge(request: HttpRequest) -> HttpResponse:
    """The delegate's own badge, once the place is confirmed (the stored PDF, rendered if due)."""
    registration = _own_registration_or_404(request)
    if registration.state != State.CONFIRMED:
        raise Http404(_("Your badge is ready once your place is confirmed."))
    try:
        content = badge_services.badge_pdf_bytes(registration=registration)
    except RegistrationError:
        messages.error(
            request,
            _(
                "Your badge cannot be made just now. Please try again later; it is also attached "
                "to your confirmation email."
            ),
        )
        return redirect("me")
    return pdf_download(content, f"badge-{registration.event.slug}.pdf")


@login_required
@require_GET
def my_visa_letter(request: HttpRequest) -> HttpResponse:
    """The delegate's own visa letter, once the secretariat has issued it."""
    registration = _own_registration_or_404(request)
    try:
        letter, content = visa_letter_pdf(
            registration=registration, viewer=request.user, log_access=False
        )
    except RegistrationError as error:
        raise Http404(error.message) from error
    return pdf_download(content, f"visa-letter-{letter.reference}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    event = _event_or_404(request)
    if selectors.registration_for_user(user=request.user, event=event) is not None:
        return redirect("me")
    if not event.is_open_for_registration():
        return render(request, "registration/closed.html", status=200)
    delegate = Delegate.objects.filter(user=request.user).first()
    forms = _forms(
        request,
        event=event,
        initial=initial_from(delegate=delegate, registration=None),
        with_consent=True,
    )
    if request.method == "POST" and _all_valid(forms):
        data = _cleaned(forms)
        try:
            registration_services.registration_submit_own(
                user=request.user,
                event=event,
                data=data,
                sessions=list(data.get("sessions") or []),
                photo=data.get("photo"),
                privacy_notice=data.get("privacy_notice_version"),
            )
        except RegistrationError as error:
            _show_error(forms, error)
        else:
            messages.success(request, _("Thank you. Your registration has been received."))
            return redirect("me")
    return render(
        request,
        "registration/form.html",
        {**forms, "title": _("Register for %(event)s") % {"event": event.name}, "mode": "new"},
        status=400 if request.method == "POST" else 200,
    )


def _edit(
    request: HttpRequest, registration: Registration, *, cancel_url: str, success_url: str, **kw
) -> HttpResponse:
    event = registration.event
    forms = _forms(
        request,
        event=event,
        initial=initial_from(delegate=registration.delegate, registration=registration),
        with_consent=False,
        **kw,
    )
    if request.method == "POST" and _all_valid(forms):
        data = _cleaned(forms)
        try:
            registration_services.registration_edit(
                registration=registration,
                data=data,
                actor=request.user,
                sessions=list(data.get("sessions") or []),
                photo=data.get("photo"),
            )
        except RegistrationError as error:
            _show_error(forms, error)
        else:
            messages.success(request, _("Your changes have been saved."))
            return redirect(success_url)
    return render(
        request,
        "registration/form.html",
        {
            **forms,
            "title": _("Change the registration of %(name)s")
            % {"name": registration.delegate.full_name},
            "mode": "edit",
            "registration": registration,
            "cancel_url": cancel_url,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def me_edit(request: HttpRequest) -> HttpResponse:
    event = _event_or_404(request)
    registration = selectors.registration_for_user(user=request.user, event=event)
    if registration is None:
        return redirect("register")
    if not (registration.is_live and event.is_editable()):
        messages.error(
            request, _("This registration can no longer be changed. Please write to us.")
        )
        return redirect("me")
    return _edit(request, registration, cancel_url="me", success_url="me")


def _cancel(request: HttpRequest, registration: Registration, *, back: str) -> HttpResponse:
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration_services.registration_cancel(
                registration=registration, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The registration has been cancelled."))
        return redirect(back)
    return render(
        request,
        "registration/cancel.html",
        {"form": form, "registration": registration, "back": back},
    )


@login_required
@require_http_methods(["GET", "POST"])
def me_cancel(request: HttpRequest) -> HttpResponse:
    event = _event_or_404(request)
    registration = selectors.registration_for_user(user=request.user, event=event)
    if registration is None or not registration.is_live:
        return redirect("me")
    return _cancel(request, registration, back="me")


def _head_or_404(request: HttpRequest) -> Registration:
    event = _event_or_404(request)
    head = selectors.delegation_head_of(user=request.user, event=event)
    if head is None:
        raise Http404(_("Only the head of a city's delegation has this page."))
    return head


@login_required
def delegation(request: HttpRequest) -> HttpResponse:
    head = _head_or_404(request)
    members = selectors.delegation_members(event=head.event, city=head.city)
    return render(
        request,
        "registration/delegation.html",
        {
            "head": head,
            "members": members,
            "places_taken": sum(1 for m in members if m.holds_place),
            "can_add": head.event.is_open_for_registration(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delegation_add(request: HttpRequest) -> HttpResponse:
    head = _head_or_404(request)
    if not head.event.is_open_for_registration():
        return render(request, "registration/closed.html")
    forms = _forms(
        request,
        event=head.event,
        with_consent=True,
        city_fixed=head.city,
        roles=ROLES_FOR_COLLEAGUES,
        email_field=True,
    )
    if request.method == "POST" and _all_valid(forms):
        data = _cleaned(forms)
        try:
            registration_services.delegation_register_colleague(
                head=head,
                email=data["email"],
                data=data,
                actor=request.user,
                sessions=list(data.get("sessions") or []),
                photo=data.get("photo"),
                privacy_notice=data.get("privacy_notice_version"),
            )
        except RegistrationError as error:
            _show_error(forms, error)
        else:
            messages.success(
                request,
                _("%(email)s has been registered with your delegation.") % {"email": data["email"]},
            )
            return redirect("delegation")
    return render(
        request,
        "registration/form.html",
        {
            **forms,
            "title": _("Register a colleague from %(city)s") % {"city": head.city.name_en},
            "mode": "colleague",
            "cancel_url": "delegation",
        },
        status=400 if request.method == "POST" else 200,
    )


def _colleague_or_404(request: HttpRequest, pk: int) -> Registration:
    head = _head_or_404(request)
    member = selectors.delegation_member(head=head, registration_id=pk)
    if member is None:
        raise Http404(_("No such member of your delegation."))
    return member


@login_required
@require_http_methods(["GET", "POST"])
def delegation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _colleague_or_404(request, pk)
    if not (member.is_live and member.event.is_editable()):
        messages.error(request, _("This registration can no longer be changed."))
        return redirect("delegation")
    return _edit(
        request,
        member,
        cancel_url="delegation",
        success_url="delegation",
        city_fixed=member.city,
        roles=ROLES_FOR_COLLEAGUES,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delegation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    member = _colleague_or_404(request, pk)
    if not member.is_live:
        return redirect("delegation")
    return _cancel(request, member, back="delegation")


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
            "notice": selectors.privacy_notice_current(),
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
    content = privacy_services.delegate_data_export(delegate=delegate, viewer=request.user)
    return _zip_response(content, delegate)


@login_required
@require_http_methods(["POST"])
def my_data_erase(request: HttpRequest) -> HttpResponse:
    delegate = _own_delegate(request)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Please tick the box to confirm that you want your data erased."))
        return redirect("my_data")
    try:
        privacy_services.delegate_request_erasure(delegate=delegate, actor=request.user)
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
    if not (request.user.is_staff and selectors.user_is_secretariat(user=request.user)):
        raise PermissionDenied
    delegate = get_object_or_404(Delegate, pk=pk)
    content = privacy_services.delegate_data_export(delegate=delegate, viewer=request.user)
    return _zip_response(content, delegate)


def delegate_photo(request: HttpRequest, name: str) -> HttpResponse:
    """A delegate's photo, for the person, their head of delegation, the desk and secretariat."""
    delegate = Delegate.objects.filter(photo=f"photos/{name}").select_related("city").first()
    if delegate is None or not selectors.photo_visible_to(user=request.user, delegate=delegate):
        raise Http404(_("No such photo."))
    response = FileResponse(delegate.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
