"""A head of delegation's page: the city's delegation, and registering colleagues."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from registration.errors import RegistrationError
from registration.forms.delegation import ROLES_FOR_COLLEAGUES
from registration.models import ColleagueInvitation, Registration
from registration.selectors import delegation as delegation_selectors
from registration.services import delegation as delegation_services
from registration.views.form_pages import (
    all_valid,
    cancel_page,
    cleaned,
    edit_page,
    event_or_404,
    registration_forms,
    show_error,
)


def _head_or_404(request: HttpRequest) -> Registration:
    """The user's registration as head of delegation, granted by the secretariat."""
    event = event_or_404(request)
    head = delegation_selectors.delegation_head_of(user=request.user, event=event)
    if head is None:
        raise Http404(_("Only the head of a city's delegation has this page."))
    return head


@login_required
def delegation(request: HttpRequest) -> HttpResponse:
    event = event_or_404(request)
    head = delegation_selectors.head_registration_of(user=request.user, event=event)
    if head is None:
        raise Http404(_("Only the head of a city's delegation has this page."))
    if not head.is_granted_head:
        # A claim: the page says so, and shows nothing of the delegation.
        return render(request, "registration/delegation.html", {"head": head, "claim": True})
    rows = delegation_selectors.delegation_rows(head=head)
    return render(
        request,
        "registration/delegation.html",
        {
            "head": head,
            "rows": rows,
            "invitations": delegation_selectors.colleague_invitations_waiting(head=head),
            "places_taken": sum(1 for row in rows if row.registration.holds_place),
            "can_add": head.event.is_open_for_registration(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delegation_add(request: HttpRequest) -> HttpResponse:
    head = _head_or_404(request)
    if not head.event.is_open_for_registration():
        return render(request, "registration/closed.html")
    forms = registration_forms(
        request,
        event=head.event,
        with_consent=True,
        city_fixed=head.city,
        roles=ROLES_FOR_COLLEAGUES,
        email_field=True,
        about_colleague=True,
    )
    if request.method == "POST" and all_valid(forms):
        data = cleaned(forms)
        try:
            done = delegation_services.delegation_register_colleague(
                head=head,
                email=data["email"],
                data=data,
                actor=request.user,
                sessions=list(data.get("sessions") or []),
                photo=data.get("photo"),
                privacy_notice=data.get("privacy_notice_version"),
            )
        except RegistrationError as error:
            show_error(forms, error)
        else:
            messages.success(request, _done_message(done))
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


def _done_message(done: Registration | ColleagueInvitation) -> str:
    if isinstance(done, ColleagueInvitation):
        return _(
            "%(email)s registers themselves: we emailed them an invitation to join your "
            "delegation on %(date)s. They appear here once they have registered."
        ) % {
            "email": done.email,
            "date": formats.date_format(timezone.localtime(done.created_at), "DATE_FORMAT"),
        }
    return _("%(email)s has been registered with your delegation.") % {"email": done.delegate.email}


def _colleague_or_404(request: HttpRequest, pk: int) -> Registration:
    head = _head_or_404(request)
    member = delegation_selectors.delegation_member(head=head, registration_id=pk)
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
    return edit_page(
        request,
        member,
        cancel_url="delegation",
        success_url="delegation",
        city_fixed=member.city,
        roles=ROLES_FOR_COLLEAGUES,
        about_colleague=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delegation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    member = _colleague_or_404(request, pk)
    if not member.is_live:
        return redirect("delegation")
    return cancel_page(request, member, back="delegation")
