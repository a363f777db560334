"""A delegate's own pages: the event, registering, my registration, my badge and letter."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from delegates.models import Delegate, MemberCity
from registration.downloads import pdf_download
from registration.errors import RegistrationError
from registration.forms.delegate import (
    initial_from,
)
from registration.models import Registration, State
from registration.selectors import registrations as registration_selectors
from registration.services import badges as badge_services
from registration.services import submissions
from registration.services.letters import visa_letter_pdf
from registration.views.form_pages import (
    all_valid,
    cancel_page,
    cleaned,
    edit_page,
    event_or_404,
    registration_forms,
    show_error,
)


def home(request: HttpRequest) -> HttpResponse:
    event = registration_selectors.event_current()
    registration = None
    if event is not None and request.user.is_authenticated:
        registration = registration_selectors.registration_for_user(user=request.user, event=event)
    return render(request, "registration/home.html", {"registration": registration})


@login_required
def me(request: HttpRequest) -> HttpResponse:
    event = event_or_404(request)
    registration = registration_selectors.registration_for_user(user=request.user, event=event)
    if registration is None:
        return redirect("register")
    return render(
        request,
        "registration/me.html",
        {
            "registration": registration,
            "delegate": registration.delegate,
            "log": registration.log.select_related("actor").order_by("-created_at")[:20],
            "is_head": registration.is_granted_head and registration.is_live,
            "head_claim": registration.claims_head and registration.is_live,
            "can_edit": registration.is_live and event.is_editable(),
            "visa_letter": registration_selectors.visa_letter_for(registration=registration),
        },
    )


def _own_registration_or_404(request: HttpRequest) -> Registration:
    event = event_or_404(request)
    registration = registration_selectors.registration_for_user(user=request.user, event=event)
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
    event = event_or_404(request)
    if registration_selectors.registration_for_user(user=request.user, event=event) is not None:
        return redirect("me")
    if not event.is_open_for_registration():
        return render(request, "registration/closed.html", status=200)
    delegate = Delegate.objects.filter(user=request.user).first()
    initial = initial_from(delegate=delegate, registration=None)
    invited_to = request.GET.get("city", "")
    if MemberCity.objects.filter(code=invited_to, is_active=True).exists():
        # The link in a head of delegation's invitation chooses their city.
        initial["city"] = invited_to
    forms = registration_forms(request, event=event, initial=initial, with_consent=True)
    if request.method == "POST" and all_valid(forms):
        data = cleaned(forms)
        try:
            submissions.registration_submit_own(
                user=request.user,
                event=event,
                data=data,
                sessions=list(data.get("sessions") or []),
                photo=data.get("photo"),
                privacy_notice=data.get("privacy_notice_version"),
            )
        except RegistrationError as error:
            if registration_selectors.registration_for_user(user=request.user, event=event) is None:
                show_error(forms, error)
            else:
                # A second press of the button, or a retry: the first one registered them.
                return redirect("me")
        else:
            messages.success(request, _("Thank you. Your registration has been received."))
            return redirect("me")
    return render(
        request,
        "registration/form.html",
        {**forms, "title": _("Register for %(event)s") % {"event": event.name}, "mode": "new"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def me_edit(request: HttpRequest) -> HttpResponse:
    event = event_or_404(request)
    registration = registration_selectors.registration_for_user(user=request.user, event=event)
    if registration is None:
        return redirect("register")
    if not (registration.is_live and event.is_editable()):
        messages.error(
            request, _("This registration can no longer be changed. Please write to us.")
        )
        return redirect("me")
    return edit_page(request, registration, cancel_url="me", success_url="me")


@login_required
@require_http_methods(["GET", "POST"])
def me_cancel(request: HttpRequest) -> HttpResponse:
    event = event_or_404(request)
    registration = registration_selectors.registration_for_user(user=request.user, event=event)
    if registration is None or not registration.is_live:
        return redirect("me")
    return cancel_page(request, registration, back="me")
