"""What the admin's own pages share: the row checkbox, one-form pages in the admin's frame."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext

from registration.models import Registration


class AuditTrailAdmin(admin.ModelAdmin):
    """An audit trail in the admin: read, filtered and searched, never added to or changed."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class QuickActionCheckboxMixin:
    """Django's action checkbox markup, written directly: a template-rendered widget on each of
    a hundred rows cost about a third of a list page."""

    def action_checkbox_label(self, obj) -> str:
        return str(obj)

    def action_checkbox(self, obj) -> str:
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            admin.helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(
                gettext("Select this object for an action - {}"), self.action_checkbox_label(obj)
            ),
        )


def form_page(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    *,
    form: forms.Form,
    title: str,
    template: str,
    **context: Any,
) -> TemplateResponse:
    """A page of the admin's own with one form, in the admin's frame."""
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "opts": model_admin.model._meta,
            "form": form,
            "media": model_admin.media + form.media,
            **context,
        },
    )


def action_page(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    queryset: QuerySet[Registration],
    *,
    form: forms.Form,
    action: str,
    title: str,
    template: str,
) -> TemplateResponse:
    """The page an action shows before it runs: the selected delegates and the action's form."""
    return form_page(
        request,
        model_admin,
        form=form,
        title=title,
        template=template,
        action=action,
        registrations=queryset[:200],
        count=queryset.count(),
        selected_ids=list(queryset.values_list("pk", flat=True)),
        action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
    )
