"""The registration form pages that a delegate's own pages and a head's colleague pages share."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from delegates.models import PASSPORT_FIELDS, PassportAccessLog
from delegates.services import passport_access_log
from registration.errors import RegistrationError
from registration.forms.delegate import (
    AttendanceForm,
    CancelForm,
    ConsentForm,
    DelegateForm,
    initial_from,
)
from registration.forms.delegation import ColleagueEmailForm
from registration.models import Event, Registration
from registration.selectors import registrations as registration_selectors
from registration.services import states, submissions


def event_or_404(request: HttpRequest) -> Event:
    event = registration_selectors.event_current()
    if event is None:
        raise Http404(_("No event is open yet."))
    return event


def registration_forms(
    request: HttpRequest,
    *,
    event: Event,
    initial: dict[str, Any] | None = None,
    with_consent: bool,
    city_fixed=None,
    roles=None,
    email_field: bool = False,
    about_colleague: bool = False,
) -> dict[str, Any]:
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    forms: dict[str, Any] = {
        "person_form": DelegateForm(
            data, files, initial=initial, city_fixed=city_fixed, about_colleague=about_colleague
        ),
        "attendance_form": AttendanceForm(data, initial=initial, event=event, roles=roles),
    }
    if with_consent:
        forms["consent_form"] = ConsentForm(
            data, notice=registration_selectors.privacy_notice_current(), for_colleague=email_field
        )
    if email_field:
        forms["email_form"] = ColleagueEmailForm(data, initial=initial)
    return forms


def all_valid(forms: dict[str, Any]) -> bool:
    # Validate every form so that every error is shown at once.
    return all([form.is_valid() for form in forms.values()])


def cleaned(forms: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for form in forms.values():
        data.update(form.cleaned_data)
    return data


def show_error(forms: dict[str, Any], error: RegistrationError) -> None:
    for form in forms.values():
        if error.field and error.field in form.fields:
            form.add_error(error.field, error.message)
            return
    forms["person_form"].add_error(None, error.message)


def edit_page(
    request: HttpRequest, registration: Registration, *, cancel_url: str, success_url: str, **kw
) -> HttpResponse:
    event = registration.event
    forms = registration_forms(
        request,
        event=event,
        initial=initial_from(delegate=registration.delegate, registration=registration),
        with_consent=False,
        **kw,
    )
    delegate = registration.delegate
    if (
        request.method == "GET"
        and delegate.user_id != request.user.pk
        and any(getattr(delegate, name) for name in PASSPORT_FIELDS)
    ):
        # The form comes filled in with a colleague's passport details: note who saw them.
        passport_access_log(
            delegate_ids=[delegate.pk],
            viewer=request.user,
            place=PassportAccessLog.Place.DELEGATION,
        )
    if request.method == "POST" and all_valid(forms):
        data = cleaned(forms)
        try:
            submissions.registration_edit(
                registration=registration,
                data=data,
                actor=request.user,
                sessions=list(data.get("sessions") or []),
                photo=data.get("photo"),
            )
        except RegistrationError as error:
            show_error(forms, error)
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


def cancel_page(request: HttpRequest, registration: Registration, *, back: str) -> HttpResponse:
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            states.registration_cancel(
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
