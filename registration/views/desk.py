"""The venue desk: one page made for a queue, and the small JSON endpoints it calls.

Only staff with the `registration.use_desk` permission (the Desk and Secretariat groups) get
anything here; the rest see the login page or a 403. The JSON answers carry what the desk card
shows and nothing more: no passport details, no phone, no admin links.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST
from django_countries import countries

from delegates.models import NAME_MAX_LENGTH, MemberCity
from registration.access import staff_only
from registration.errors import RegistrationError
from registration.models import Category, Event, Registration, State
from registration.rendering.badge_content import CATEGORY_STYLES
from registration.selectors import desk as desk_selectors
from registration.services import checkin, walk_ins
from registration.services.checkin import DeskResult, Outcome
from registration.views.desk_cards import badge_status, card_data, local_time, outcome_data


def desk_required(*, api: bool = False) -> Callable:
    """Staff with the desk permission only (the Desk and Secretariat groups)."""
    return staff_only(
        allowed=lambda user: desk_selectors.user_may_use_desk(user=user),
        api=api,
        session_ended=gettext_lazy("Your session has ended. Please reload and sign in again."),
        refused=gettext_lazy("This account may not use the desk."),
    )


def _event(request: HttpRequest) -> Event:
    event = desk_selectors.event_current_for_desk()
    if event is None:
        raise Http404(_("No event is open yet."))
    return event


def _error(error: RegistrationError, status: int = 400) -> JsonResponse:
    status = getattr(error, "status", status)
    return JsonResponse({"error": error.message, "field": error.field}, status=status)


# --- Page --------------------------------------------------------------------------------------


class WalkInForm(forms.Form):
    given_name = forms.CharField(label=gettext_lazy("Given name"), max_length=NAME_MAX_LENGTH)
    family_name = forms.CharField(label=gettext_lazy("Family name"), max_length=NAME_MAX_LENGTH)
    native_name = forms.CharField(
        label=gettext_lazy("Name in own script"), max_length=NAME_MAX_LENGTH, required=False
    )
    email = forms.EmailField(label=gettext_lazy("Email"))
    city = forms.CharField(
        label=gettext_lazy("City"),
        max_length=NAME_MAX_LENGTH,
        help_text=gettext_lazy("Pick from the list, or type the name of a city that is not on it."),
    )
    other_country = forms.ChoiceField(
        label=gettext_lazy("Country (for a city not on the list)"),
        choices=[("", gettext_lazy("Choose a country")), *countries],
        required=False,
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Category"), choices=Category.choices, initial=Category.DELEGATE
    )
    consent = forms.BooleanField(
        label=gettext_lazy("The person has been shown the privacy notice and agrees to it.")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        name = " ".join((data.get("city") or "").split())
        if name:
            city = (
                MemberCity.objects.filter(is_active=True)
                .filter(Q(name_en__iexact=name) | Q(name_local=name) | Q(code__iexact=name))
                .first()
            )
            data["city_obj"] = city
            data["other_city"] = "" if city else name
        return data

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "given_name": data["given_name"],
            "family_name": data["family_name"],
            "native_name": data["native_name"],
            "email": data["email"],
            "city": data.get("city_obj"),
            "other_city": data.get("other_city", ""),
            "other_country": data.get("other_country", ""),
            "category": data["category"],
        }


def _client_strings() -> dict[str, str]:
    """What the page's script says by itself, translated here."""
    return {
        "choose_desk": _("Choose desk"),
        "searching": _("Searching…"),
        "none_found": _("Nobody found. Try part of the name, the city or the email."),
        "found_one": _("1 found. Enter opens the card."),
        "found_many": _("%(count)s found. Arrow keys move, Enter opens the card."),
        "too_many": _("More than %(count)s found: type a little more."),
        "network": _("The server did not answer. Check the network and try again."),
        "server_error": _(
            "Something went wrong on the server; nothing may have been saved. Try again, or "
            "send the delegate to the help desk."
        ),
        "printing": _("Sending the badge to the printer…"),
        "printed": _("Badge opened for printing."),
        "print_failed": _("The badge could not be printed: %(error)s"),
        "not_yet": _("Not yet"),
        "at_desk": _("%(time)s at %(desk)s"),
        "counter": _("%(in)s of %(expected)s checked in"),
        "camera_failed": _("The camera could not be started: %(error)s"),
        "reason_needed": _("Please give the reason for the reprint."),
        "idle_title": _("Ready to scan"),
        "idle_message": _("Scan the QR code on the delegate's confirmation, or search by name."),
    }


@desk_required()
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    event = _event(request)
    cities = MemberCity.objects.filter(is_active=True).only("name_en").order_by("name_en")
    return render(
        request,
        "registration/desk/desk.html",
        {
            "event": event,
            "walk_in_form": WalkInForm(),
            "strings": _client_strings(),
            "search_limit": desk_selectors.DESK_SEARCH_LIMIT,
            "reprint_reasons": [_(reason) for reason in checkin.REPRINT_REASONS],
            "cities": cities,
            "categories": [
                {"code": code, "label": label, "colour": CATEGORY_STYLES[code].colour}
                for code, label in Category.choices
            ],
        },
    )


# --- JSON endpoints ----------------------------------------------------------------------------


def _desk_outcome(request: HttpRequest, desk_step: Callable[..., DeskResult]) -> JsonResponse:
    """Run a scan or a check-in on the badge token or the registration id the desk posted."""
    raw_id = request.POST.get("registration", "")
    try:
        result = desk_step(
            event=_event(request),
            token=request.POST.get("token") or None,
            registration_id=int(raw_id) if raw_id.isdigit() else None,
            desk=request.POST.get("desk", ""),
            operator=request.user,
        )
    except RegistrationError as error:
        return _error(error)
    return JsonResponse(outcome_data(result))


@desk_required(api=True)
@require_POST
def api_scan(request: HttpRequest) -> JsonResponse:
    return _desk_outcome(request, checkin.desk_scan)


@desk_required(api=True)
@require_POST
def api_check_in(request: HttpRequest) -> JsonResponse:
    return _desk_outcome(request, checkin.desk_check_in)


@desk_required(api=True)
@require_POST
def api_print(request: HttpRequest) -> JsonResponse:
    raw_id = request.POST.get("registration", "")
    registration = (
        desk_selectors.registration_for_desk_by_id(
            event=_event(request), registration_id=int(raw_id)
        )
        if raw_id.isdigit()
        else None
    )
    if registration is None:
        return JsonResponse({"error": _("This registration was not found.")}, status=404)
    try:
        badge = checkin.badge_print(
            registration=registration,
            desk=request.POST.get("desk", ""),
            operator=request.user,
            reason=request.POST.get("reason", ""),
        )
    except RegistrationError as error:
        return _error(error)
    return JsonResponse(
        {
            "badge_url": reverse("desk_badge", args=[registration.pk]),
            "print_count": badge.print_count,
            "badge_status": badge_status(badge),
            "message": _("Badge opened for printing."),
        }
    )


@desk_required(api=True)
@require_GET
def api_search(request: HttpRequest) -> JsonResponse:
    found = desk_selectors.delegates_for_desk_search(
        event=_event(request), text=request.GET.get("q", "")[:100]
    )
    return JsonResponse({"results": [card_data(registration) for registration in found]})


@desk_required(api=True)
@require_GET
def api_counters(request: HttpRequest) -> JsonResponse:
    counters = desk_selectors.desk_counters(event=_event(request))
    by_category = counters["by_category"]
    assert isinstance(by_category, dict)
    return JsonResponse(
        {
            "expected": counters["expected"],
            "checked_in": counters["checked_in"],
            "by_category": [
                {
                    "category": code,
                    "label": str(label),
                    "expected": by_category[code]["expected"],
                    "checked_in": by_category[code]["checked_in"],
                }
                for code, label in Category.choices
                if code in by_category
            ],
            "at": local_time(timezone.now()),
        }
    )


@desk_required(api=True)
@require_POST
def api_walk_in(request: HttpRequest) -> JsonResponse:
    form = WalkInForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {
                "error": _("Please correct the fields marked below."),
                "fields": {name: [str(e) for e in errors] for name, errors in form.errors.items()},
            },
            status=400,
        )
    try:
        registration = walk_ins.walk_in_register(
            event=_event(request),
            data=form.service_data(),
            desk=request.POST.get("desk", ""),
            operator=request.user,
        )
    except RegistrationError as error:
        return JsonResponse(
            {"error": error.message, "fields": {error.field or "__all__": [error.message]}},
            status=400,
        )
    registration = desk_selectors.registration_for_desk_by_id(
        event=registration.event, registration_id=registration.pk
    )
    assert registration is not None
    data = outcome_data(DeskResult(Outcome.CHECKED_IN, registration))
    data["title"] = _("Walk-in registered and checked in")
    data["message"] = _("The badge is being printed. A confirmation email is on its way.")
    return JsonResponse(data)


# --- The badge ---------------------------------------------------------------------------------


@desk_required()
@require_GET
@xframe_options_sameorigin
def badge_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored badge PDF, inline, for the desk's print frame. Counting is done by api_print
    and the check-in; opening it again (a browser's reload) counts nothing."""
    registration = desk_selectors.registration_for_desk_by_id(
        event=_event(request), registration_id=pk
    )
    if registration is None or registration.state != State.CONFIRMED:
        raise Http404(_("No badge here."))
    try:
        badge = registration.badge
    except Registration.badge.RelatedObjectDoesNotExist:
        badge = None
    if badge is None or not badge.is_ready:
        # Not rendered yet (the worker is behind): render it now, once.
        try:
            badge = checkin.badge_render_now(registration=registration)
        except RegistrationError as error:
            return HttpResponse(error.message, status=503, content_type="text/plain")
    response = FileResponse(
        badge.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=False,
        filename=f"badge-{registration.pk}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
