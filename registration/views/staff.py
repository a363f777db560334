"""The secretariat's pages under /staff/: dashboard, badge sheet progress, lists and letters.

Thin views: a selector or a service does the work. Everything here is for the Secretariat group
(and superusers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from delegates import selectors as delegates_selectors
from delegates.models import PassportAccessLog, StaffActionLog
from delegates.services import passport_access_log, staff_action_log
from registration.access import staff_only
from registration.downloads import pdf_download
from registration.errors import RegistrationError
from registration.exports import FORMATS, OPERATIONAL_LISTS, operational_list_response
from registration.models import BadgeSheetJob, Registration
from registration.selectors import registrations as registration_selectors
from registration.selectors import staff as staff_selectors
from registration.services.letters import visa_letter_pdf


def secretariat_required(*, api: bool = False) -> Callable:
    """Staff in the Secretariat group (or superusers). Others: the admin login, or a 403."""
    return staff_only(
        allowed=lambda user: delegates_selectors.user_is_secretariat(user=user),
        api=api,
        session_ended=gettext_lazy("Your session has ended. Please sign in again."),
        login_url=lambda: reverse("admin:login"),
    )


def _admin_context(request: HttpRequest, title: str) -> dict[str, Any]:
    # The admin's own frame (header, user links, breadcrumbs) around the staff pages.
    return {**admin.site.each_context(request), "title": title}


@require_GET
@secretariat_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    board = staff_selectors.dashboard_current()
    return render(
        request,
        "staff/dashboard.html",
        {
            **_admin_context(request, _("Secretariat dashboard")),
            "board": board,
            "chart_data": board.chart_data(),
        },
    )


# Badge sheets


def _job_status(job: BadgeSheetJob) -> dict[str, Any]:
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "done": job.done,
        "total": job.total,
        "percent": job.percent if job.status != BadgeSheetJob.Status.DONE else 100,
        "error": job.error,
        "download_url": (
            reverse("staff_sheet_download", args=[job.pk])
            if job.status == BadgeSheetJob.Status.DONE
            else None
        ),
    }


@require_GET
@secretariat_required()
def sheet_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(BadgeSheetJob, pk=pk)
    return render(
        request,
        "staff/sheet_job.html",
        {
            **_admin_context(request, _("Badge sheet")),
            "job": job,
            "state": _job_status(job),
            "status_url": reverse("staff_sheet_status", args=[job.pk]),
        },
    )


@require_GET
@secretariat_required(api=True)
def sheet_job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = BadgeSheetJob.objects.filter(pk=pk).first()
    if job is None:
        return JsonResponse({"error": _("This badge sheet does not exist.")}, status=404)
    return JsonResponse(_job_status(job))


@require_GET
@secretariat_required()
def sheet_job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = get_object_or_404(BadgeSheetJob, pk=pk, status=BadgeSheetJob.Status.DONE)
    if not job.pdf:
        raise Http404
    staff_action_log(
        actor=request.user,
        action=StaffActionLog.Action.DOWNLOADED,
        model=Registration,
        object_ids=job.registration_ids,
        detail=f"badges-{job.pk}-{job.layout}.pdf",
    )
    return FileResponse(
        job.pdf.open("rb"),
        as_attachment=True,
        filename=f"badges-{job.pk}-{job.layout}.pdf",
        content_type="application/pdf",
    )


# Operational lists


@require_GET
@secretariat_required()
def lists(request: HttpRequest) -> HttpResponse:
    event = registration_selectors.event_current()
    return render(
        request,
        "staff/lists.html",
        {
            **_admin_context(request, _("Lists to download")),
            "current_event": event,
            "lists": OPERATIONAL_LISTS.values(),
            "catering": staff_selectors.catering_counts(event=event) if event else [],
            "formats": list(FORMATS),
        },
    )


_LIST_ROWS = {
    "catering": staff_selectors.catering_rows,
    "rooming": staff_selectors.rooming_rows,
    "pickup": staff_selectors.pickup_rows,
    "visa-letters": staff_selectors.visa_letter_rows,
    "badge-collection": staff_selectors.badge_collection_rows,
}


@require_GET
@secretariat_required()
def list_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    lst = OPERATIONAL_LISTS.get(slug)
    event = registration_selectors.event_current()
    if lst is None or fmt not in FORMATS or event is None:
        raise Http404
    registrations = list(_LIST_ROWS[slug](event=event))
    staff_action_log(
        actor=request.user,
        action=StaffActionLog.Action.DOWNLOADED,
        model=Registration,
        object_ids=[r.pk for r in registrations],
        detail=f"{slug}.{fmt}",
    )
    if lst.secretariat_passports:
        # Passport details leave the database decrypted: say who took them, for whom.
        passport_access_log(
            delegate_ids=[r.delegate_id for r in registrations],
            viewer=request.user,
            place=PassportAccessLog.Place.ADMIN,
        )
    return operational_list_response(lst=lst, registrations=registrations, fmt=fmt, event=event)


# Visa letters


@require_GET
@secretariat_required()
def visa_letter_download(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = get_object_or_404(Registration, pk=registration_id)
    try:
        letter, content = visa_letter_pdf(registration=registration, viewer=request.user)
    except RegistrationError as error:
        raise Http404(error.message) from error
    return pdf_download(content, f"visa-letter-{letter.reference}.pdf")
