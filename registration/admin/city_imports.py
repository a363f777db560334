"""The member-city import as a worker job: upload, a progress page with the preview, confirm.

Replaces django-import-export's own import view, which read and checked the whole file inside
the web request: the request now only stores the file (registration.services.city_imports); the
worker reads it within delegates.city_files' limits. The preview keeps import-export's look and
its rules (the same resource, the same messages beside each rejected row, nothing applied while
any row is rejected). Every view here first asks the admin's has_import_permission.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from delegates.cities import COLUMNS, REQUIRED_COLUMNS
from delegates.city_files import city_file_limits
from registration.errors import RegistrationError
from registration.models import CityImportJob
from registration.selectors.city_imports import (
    city_import_report,
    city_import_state,
    city_imports_recent,
)
from registration.services.city_imports import city_import_confirm, city_import_create


class CityFileForm(forms.Form):
    import_file = forms.FileField(
        label=gettext_lazy("File to import"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


def _json_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, *args, **kwargs)

    # Read by SecondFactorMiddleware: without the second factor, a JSON 403 the page can show.
    wrapped.staff_api = True  # type: ignore[attr-defined]
    return wrapped


class CityImportAdminMixin:
    """For the MemberCity admin, before ImportExportModelAdmin: `import/` and the job's pages."""

    admin_site: Any
    opts: Any
    has_import_permission: Callable[[HttpRequest], bool]
    message_user: Callable[..., None]

    def _url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def get_urls(self) -> list[URLPattern]:
        # import-export's process_import read a file inside the request; it is not offered.
        process_import = self._url_name("process_import")
        urls = [url for url in super().get_urls() if getattr(url, "name", "") != process_import]  # type: ignore[misc]
        view = self.admin_site.admin_view
        return [
            path(
                "import/<int:job_id>/",
                view(self.import_job_view),
                name=self._url_name("import_job"),
            ),
            path(
                "import/<int:job_id>/status/",
                view(_json_view(self.import_status_view)),
                name=self._url_name("import_status"),
            ),
            path(
                "import/<int:job_id>/confirm/",
                view(self.import_confirm_view),
                name=self._url_name("import_confirm"),
            ),
            *urls,
        ]

    def _job_url(self, job: CityImportJob) -> str:
        return reverse(f"admin:{self._url_name('import_job')}", args=[job.pk])

    def _context(self, request: HttpRequest, title: str) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "title": title, "opts": self.opts}

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """The upload form; a valid upload becomes a job and leads to its progress page."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = CityFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = city_import_create(
                    upload=form.cleaned_data["import_file"],
                    actor=request.user,
                    language=get_language(),
                )
            except RegistrationError as error:
                form.add_error("import_file", error.message)
            else:
                return HttpResponseRedirect(self._job_url(job))
        limits = city_file_limits()
        context = {
            **self._context(request, _("Import")),
            "form": form,
            "fields_list": [(self.opts.verbose_name_plural, list(COLUMNS))],
            "required_columns": ", ".join(REQUIRED_COLUMNS),
            "max_size": filesizeformat(limits.max_bytes),
            "max_rows": limits.max_rows,
            "recent": city_imports_recent(),
            "job_url_name": f"admin:{self._url_name('import_job')}",
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/delegates/membercity/city_import.html", context)

    @staticmethod
    def _job(job_id: int) -> CityImportJob:
        return get_object_or_404(CityImportJob.objects.select_related("created_by"), pk=job_id)

    @method_decorator(require_GET)
    def import_job_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """The job's progress page; once checked, the preview and the confirm button."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = self._job(job_id)
        context = {
            **self._context(request, _("Import")),
            "job": job,
            "state": city_import_state(job=job),
            "report": city_import_report(job=job),
            "status_url": reverse(f"admin:{self._url_name('import_status')}", args=[job.pk]),
            "confirm_url": reverse(f"admin:{self._url_name('import_confirm')}", args=[job.pk]),
            "upload_url": reverse(f"admin:{self._url_name('import')}"),
            "changelist_url": reverse(f"admin:{self._url_name('changelist')}"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/delegates/membercity/city_import_job.html", context)

    @method_decorator(require_GET)
    def import_status_view(self, request: HttpRequest, job_id: int) -> JsonResponse:
        """What the progress page polls."""
        if not self.has_import_permission(request):
            return JsonResponse({"error": _("You may not import member cities.")}, status=403)
        job = CityImportJob.objects.filter(pk=job_id).first()
        if job is None:
            return JsonResponse({"error": _("This import does not exist.")}, status=404)
        return JsonResponse(city_import_state(job=job))

    @method_decorator(require_POST)
    def import_confirm_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        try:
            job = city_import_confirm(job_id=job_id, actor=request.user)
        except RegistrationError as error:
            self.message_user(request, error.message, messages.ERROR)
            job = self._job(job_id)
        return HttpResponseRedirect(self._job_url(job))
