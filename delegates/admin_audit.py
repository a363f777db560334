"""The administrators' side of the admin: what only superusers see, the two audit trails (who saw
passport details, what staff did with people's data), and the mixin that notes each admin form
save in the second."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.db.models import Model, Q, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from delegates.models import PASSPORT_FIELDS, PassportAccessLog, StaffActionLog, fold_for_search
from delegates.services import staff_action_log


def is_administrator(request: HttpRequest) -> bool:
    """Administrators are superusers: they alone manage accounts, groups and permissions."""
    user = request.user
    return bool(user.is_active and user.is_superuser)


class AdministratorsOnly:
    """An admin that only administrators see or use, whatever permissions a group holds.

    The Secretariat group once held every permission of this app, User's included: whoever could
    change a user could make anyone a superuser or set the superuser's password.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return is_administrator(request)


class AdministratorsAuditTrail(AdministratorsOnly, admin.ModelAdmin):
    """An audit trail: read by administrators, filtered and searched; never added to or changed,
    not even by them."""

    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def _latest_version(obj: Model) -> int | None:
    history = getattr(obj, "history", None) if obj.pk is not None else None
    if history is None:
        return None
    return history.order_by("-history_id").values_list("history_id", flat=True).first()


class StaffChangesLogged:
    """Each save from this admin's forms (a record added, changed, reverted from its history, or
    deleted) is noted in the staff action log: who, when, which fields, and the version
    simple-history made. The values stay in the history, passport details nowhere; the log adds
    what the history misses: changes to passport details, and a trail administrators alone read
    that outlives an erasure."""

    def save_form(self, request: HttpRequest, form: ModelForm, change: bool) -> Any:
        request._staff_changed_fields = list(form.changed_data)
        request._version_before = _latest_version(form.instance)
        return super().save_form(request, form, change)

    def _log_save(self, request: HttpRequest, obj: Model, action: str) -> None:
        version = _latest_version(obj)
        if version is not None and version == getattr(request, "_version_before", None):
            return  # a service refused the change: nothing was saved
        staff_action_log(
            actor=request.user,
            action=action,
            model=obj,
            object_ids=[obj.pk],
            detail=", ".join(getattr(request, "_staff_changed_fields", [])),
            history_id=version,
        )

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        self._log_save(request, obj, StaffActionLog.Action.ADDED)
        return entry

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        self._log_save(request, obj, StaffActionLog.Action.CHANGED)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        objects = list(queryset)
        if objects:
            staff_action_log(
                actor=request.user,
                action=StaffActionLog.Action.DELETED,
                model=objects[0],
                object_ids=[obj.pk for obj in objects],
            )
        return super().log_deletions(request, queryset)


@admin.register(PassportAccessLog)
class PassportAccessLogAdmin(AdministratorsAuditTrail):
    """Every time someone saw a delegate's passport details in full."""

    list_display = ("viewed_at", "viewer", "delegate", "place")
    list_filter = ("place", ("viewed_at", admin.DateFieldListFilter))
    search_fields = ("viewer__email", "delegate__search_text")
    search_help_text = _("Email of the person who looked, or the delegate's name or email.")
    list_select_related = ("viewer", "delegate")
    date_hierarchy = "viewed_at"
    readonly_fields = ("viewed_at", "viewer", "delegate", "place")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PassportAccessLog]:
        # The list shows names: no row needs its passport details decrypted.
        return super().get_queryset(request).defer(*(f"delegate__{f}" for f in PASSPORT_FIELDS))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[PassportAccessLog], search_term: str
    ) -> tuple[QuerySet[PassportAccessLog], bool]:
        # The delegate's folded search text, as the delegate list searches it.
        term = search_term.strip()
        if not term:
            return queryset, False
        words = Q()
        for word in fold_for_search(term).split():
            words &= Q(delegate__search_text__contains=word)
        return queryset.filter(Q(viewer__email__icontains=term) | words), False


@admin.register(StaffActionLog)
class StaffActionLogAdmin(AdministratorsAuditTrail):
    """What staff did with people's data: changes, exports, downloads, imports, erasures."""

    list_display = ("acted_at", "actor", "action", "kind", "records", "detail", "version")
    list_filter = ("action", "model", ("acted_at", admin.DateFieldListFilter))
    search_fields = ("actor__email",)
    search_help_text = _("Email of the staff member.")
    list_select_related = ("actor",)
    date_hierarchy = "acted_at"
    fields = ("acted_at", "actor", "action", "kind", "object_ids", "detail", "version")
    readonly_fields = fields

    @admin.display(description=_("kind of record"), ordering="model")
    def kind(self, obj: StaffActionLog) -> str:
        try:
            return str(apps.get_model(obj.model)._meta.verbose_name)
        except (LookupError, ValueError):
            return obj.model

    @admin.display(description=_("records"))
    def records(self, obj: StaffActionLog) -> str:
        ids = [str(pk) for pk in obj.object_ids]
        return ", ".join(ids[:8]) + (f" … ({len(ids)})" if len(ids) > 8 else "")

    @admin.display(description=_("version in the history"))
    def version(self, obj: StaffActionLog) -> str:
        if obj.history_id is None or len(obj.object_ids) != 1:
            return ""
        app_label, _dot, model_name = obj.model.partition(".")
        try:
            url = reverse(
                f"admin:{app_label}_{model_name}_simple_history",
                args=[obj.object_ids[0], obj.history_id],
            )
        except NoReverseMatch:
            return str(obj.history_id)
        return format_html('<a href="{}">{}</a>', url, _("open"))
