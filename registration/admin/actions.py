"""The delegate list's actions: each calls a service per selected registration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from delegates.models import Delegate, StaffActionLog
from delegates.services import staff_action_log
from registration.admin.forms import DeclineForm, EraseForm, PrintBadgesForm, RefuseHeadForm
from registration.admin.pages import action_page
from registration.errors import RegistrationError
from registration.exports import delegates_response
from registration.models import Registration
from registration.services.badge_sheets import sheet_job_create
from registration.services.heads import head_claim_grant, head_claim_refuse
from registration.services.letters import visa_letter_issue
from registration.services.privacy.erasure import delegate_erase
from registration.services.staff import badges_render_again, registration_resend_confirmation
from registration.services.states import (
    registration_confirm,
    registration_decline,
    registration_waitlist,
)


def _for_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Registration],
    service: Callable[..., object],
    done_message: str | Callable[[int], str],
    **kwargs: Any,
) -> None:
    """Call `service` for each selected registration; a refusal is a message for its row."""
    done = 0
    for registration in queryset:
        try:
            service(registration=registration, actor=request.user, **kwargs)
        except RegistrationError as error:
            modeladmin.message_user(
                request, f"{registration.delegate}: {error.message}", messages.ERROR
            )
        else:
            done += 1
    if done:
        text = done_message(done) if callable(done_message) else done_message % {"count": done}
        modeladmin.message_user(request, text, messages.SUCCESS)


@admin.action(description=_("Confirm the selected delegates"), permissions=["change"])
def confirm_selected(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Registration]
) -> None:
    _for_each(
        modeladmin, request, queryset, registration_confirm, _("%(count)d confirmed and emailed.")
    )


@admin.action(description=_("Put the selected delegates on the waitlist"), permissions=["change"])
def waitlist_selected(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Registration]
) -> None:
    _for_each(
        modeladmin, request, queryset, registration_waitlist, _("%(count)d waitlisted and emailed.")
    )


@admin.action(
    description=_("Decline the selected delegates (with a reason)"), permissions=["change"]
)
def decline_selected(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Registration]
) -> TemplateResponse | None:
    form = DeclineForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        _for_each(
            modeladmin,
            request,
            queryset,
            registration_decline,
            _("%(count)d declined; each was emailed the reason."),
            reason=form.cleaned_data["reason"],
        )
        return None
    return action_page(
        request,
        modeladmin,
        queryset,
        form=form,
        action="decline_selected",
        title=_("Decline delegates"),
        template="admin/registration/registration/decline.html",
    )


@admin.action(description=_("Grant head of delegation"), permissions=["change"])
def grant_head(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Registration]
) -> None:
    _for_each(
        modeladmin,
        request,
        queryset,
        head_claim_grant,
        _("%(count)d granted head of delegation and emailed."),
    )


@admin.action(description=_("Refuse the head claim (with a reason)"), permissions=["change"])
def refuse_head(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Registration]
) -> TemplateResponse | None:
    form = RefuseHeadForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        _for_each(
            modeladmin,
            request,
            queryset,
            head_claim_refuse,
            _("%(count)d head claims refused; each person stays a delegate and was emailed."),
            reason=form.cleaned_data["reason"],
        )
        return None
    return action_page(
        request,
        modeladmin,
        queryset,
        form=form,
        action="refuse_head",
        title=_("Refuse head of delegation claims"),
        template="admin/registration/registration/refuse_head.html",
    )


@admin.action(description=_("Send the confirmation email again"), permissions=["change"])
def resend_confirmation(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Registration]
) -> None:
    _for_each(
        modeladmin,
        request,
        queryset,
        registration_resend_confirmation,
        _("%(count)d confirmation emails queued."),
    )


@admin.action(description=_("Render the badges again"), permissions=["change"])
def render_badges_again(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Registration]
) -> None:
    registrations = list(queryset)
    count = badges_render_again(registrations=registrations)
    if count:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d badge will be rendered again by the worker.",
                "%(count)d badges will be rendered again by the worker.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
    if count < len(registrations):
        modeladmin.message_user(
            request,
            _("%(count)d not confirmed, so without a badge.")
            % {"count": len(registrations) - count},
            messages.WARNING,
        )


@admin.action(description=_("Print the badges of the selected delegates"), permissions=["change"])
def print_badges(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Registration]
) -> HttpResponse | None:
    form = PrintBadgesForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        try:
            job = sheet_job_create(
                registration_ids=list(queryset.values_list("pk", flat=True)),
                layout=form.cleaned_data["layout"],
                actor=request.user,
            )
        except RegistrationError as error:
            modeladmin.message_user(request, error.message, messages.ERROR)
            return None
        return HttpResponseRedirect(reverse("staff_sheet", args=[job.pk]))
    return action_page(
        request,
        modeladmin,
        queryset,
        form=form,
        action="print_badges",
        title=_("Print badges"),
        template="admin/registration/registration/print_badges.html",
    )


@admin.action(
    description=_("Issue visa letters for the selected delegates"), permissions=["change"]
)
def issue_visa_letters(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Registration]
) -> None:
    _for_each(
        modeladmin,
        request,
        queryset,
        visa_letter_issue,
        lambda count: (
            ngettext(
                "%(count)d visa letter issued; the delegate can download it.",
                "%(count)d visa letters issued; the delegates can download them.",
                count,
            )
            % {"count": count}
        ),
    )


def _export(request: HttpRequest, queryset: QuerySet[Registration], fmt: str) -> HttpResponse:
    registrations = list(queryset)
    staff_action_log(
        actor=request.user,
        action=StaffActionLog.Action.EXPORTED,
        model=Registration,
        object_ids=[r.pk for r in registrations],
        detail=f"delegates.{fmt}",
    )
    return delegates_response(registrations=registrations, fmt=fmt)


@admin.action(description=_("Export the selected delegates (CSV)"), permissions=["view"])
def export_csv(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Registration]
) -> HttpResponse:
    return _export(request, queryset, "csv")


@admin.action(description=_("Export the selected delegates (XLSX)"), permissions=["view"])
def export_xlsx(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Registration]
) -> HttpResponse:
    return _export(request, queryset, "xlsx")


@admin.action(description=_("Erase the selected people's personal data"), permissions=["change"])
def erase_selected(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Registration]
) -> TemplateResponse | None:
    form = EraseForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        erased = 0
        delegate_ids = set(queryset.values_list("delegate_id", flat=True))
        for delegate in Delegate.objects.filter(pk__in=delegate_ids).order_by("pk"):
            try:
                delegate_erase(delegate=delegate, actor=request.user)
            except RegistrationError as error:
                modeladmin.message_user(request, f"{delegate}: {error.message}", messages.ERROR)
            else:
                erased += 1
        if erased:
            modeladmin.message_user(
                request,
                ngettext(
                    "The personal data of %(count)d person was erased.",
                    "The personal data of %(count)d people was erased.",
                    erased,
                )
                % {"count": erased},
                messages.SUCCESS,
            )
        return None
    return action_page(
        request,
        modeladmin,
        queryset,
        form=form,
        action="erase_selected",
        title=_("Erase personal data"),
        template="admin/registration/registration/erase.html",
    )
