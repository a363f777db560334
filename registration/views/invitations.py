"""The page behind a focal point's personal invitation to lead their city's delegation."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from delegates.models import Delegate
from registration.errors import RegistrationError
from registration.forms.delegate import initial_from
from registration.forms.delegation import ROLES_FOR_INVITED_HEAD
from registration.models import HeadInvitation, Registration
from registration.selectors import delegation as delegation_selectors
from registration.selectors import registrations as registration_selectors
from registration.services import head_invitations
from registration.views.form_pages import all_valid, cleaned, registration_forms, show_error

PAGE = "registration/head_invitation.html"


def _refused(request: HttpRequest, invitation: HeadInvitation | None, problem: str) -> HttpResponse:
    if invitation is None:
        status = 404
    elif invitation.status() != HeadInvitation.Status.OPEN:
        status = 410
    else:
        status = 403  # signed in with another address
    return render(request, PAGE, {"invitation": invitation, "problem": problem}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def head_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = delegation_selectors.head_invitation_for_token(token)
    user = request.user if request.user.is_authenticated else None
    if (
        invitation is not None
        and invitation.registration is not None
        and user is not None
        and invitation.registration.delegate.user_id == user.pk
    ):
        return redirect("delegation")
    problem = head_invitations.head_invitation_problem(invitation=invitation, user=user)
    if problem is not None:
        return _refused(request, invitation, problem)
    assert invitation is not None
    if user is None:
        next_query = urlencode({"next": request.path})
        return render(
            request,
            PAGE,
            {
                "invitation": invitation,
                "login_url": f"{reverse('account_login')}?{next_query}",
                "signup_url": f"{reverse('account_signup')}?{next_query}",
            },
        )
    registration = registration_selectors.registration_for_user(user=user, event=invitation.event)
    if registration is not None:
        return _accept_page(request, token, invitation, registration)
    return _register_page(request, token, invitation)


def _accept_page(
    request: HttpRequest, token: str, invitation: HeadInvitation, registration: Registration
) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            head_invitations.head_invitation_accept(token=token, user=request.user)
        except RegistrationError as refused:
            error = refused.message
        else:
            messages.success(request, _("You are now head of your city's delegation."))
            return redirect("delegation")
    return render(
        request,
        PAGE,
        {"invitation": invitation, "registration": registration, "error": error},
        status=400 if error else 200,
    )


def _register_page(request: HttpRequest, token: str, invitation: HeadInvitation) -> HttpResponse:
    event = invitation.event
    if not event.is_open_for_registration():
        return render(request, "registration/closed.html", {"event": event})
    forms = registration_forms(
        request,
        event=event,
        initial=initial_from(
            delegate=Delegate.objects.filter(user=request.user).first(), registration=None
        ),
        with_consent=True,
        city_fixed=invitation.city,
        roles=ROLES_FOR_INVITED_HEAD,
    )
    if request.method == "POST" and all_valid(forms):
        data = cleaned(forms)
        try:
            head_invitations.head_invitation_register(
                token=token,
                user=request.user,
                data=data,
                sessions=list(data.get("sessions") or []),
                photo=data.get("photo"),
                privacy_notice=data.get("privacy_notice_version"),
            )
        except RegistrationError as error:
            show_error(forms, error)
        else:
            messages.success(
                request,
                _("Thank you. You are registered as head of the delegation of %(city)s.")
                % {"city": invitation.city.name_en},
            )
            return redirect("delegation")
    return render(
        request,
        "registration/form.html",
        {
            **forms,
            "title": _("Register as head of the delegation of %(city)s")
            % {"city": invitation.city.name_en},
            "intro": _(
                "The secretariat has invited you to lead your city's delegation at %(event)s. "
                "Once you submit this form you are its head, and can register colleagues."
            )
            % {"event": event.name},
            "mode": "new",
        },
        status=400 if request.method == "POST" else 200,
    )
