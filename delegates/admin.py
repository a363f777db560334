from django import forms
from django.contrib import admin
from django.contrib.admin import widgets as admin_widgets
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from delegates.admin_audit import AdministratorsOnly, StaffChangesLogged
from delegates.fields import EncryptedDateField
from delegates.models import (
    PASSPORT_FIELDS,
    Delegate,
    PassportAccessLog,
    Region,
    User,
    fold_for_search,
)
from delegates.selectors import user_is_secretariat
from delegates.services import delegate_save, passport_access_log


@admin.register(User)
class UserAdmin(AdministratorsOnly, BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AdministratorsOnly, BaseGroupAdmin):
    pass


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sort_order")


def _is_secretariat(request: HttpRequest) -> bool:
    # Asked several times while one admin page is built: once per request is enough.
    if not hasattr(request, "_is_secretariat"):
        request._is_secretariat = user_is_secretariat(user=request.user)
    return request._is_secretariat


@admin.register(Delegate)
class DelegateAdmin(StaffChangesLogged, SimpleHistoryAdmin):
    """People. Passport details appear on the change page for the Secretariat only, logged."""

    list_display = ("family_name", "given_name", "native_name", "email", "city", "organisation")
    list_filter = ("diet", "language")
    search_fields = ("search_text",)
    search_help_text = _("Name in any script, email, organisation or city.")
    list_select_related = ("city",)
    raw_id_fields = ("user", "registered_by")
    autocomplete_fields = ("city",)
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delegate]:
        return super().get_queryset(request).defer(*PASSPORT_FIELDS)

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        if isinstance(db_field, EncryptedDateField):
            # EncryptedDateField.formfield() hands a text field's max_length to a DateField.
            return forms.DateField(
                label=db_field.verbose_name.capitalize(),
                required=not db_field.blank,
                widget=admin_widgets.AdminDateWidget,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Delegate], search_term: str
    ) -> tuple[QuerySet[Delegate], bool]:
        condition = Q()
        for word in fold_for_search(search_term).split():
            condition &= Q(search_text__contains=word)
        return queryset.filter(condition), False

    def get_exclude(self, request: HttpRequest, obj: Delegate | None = None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not _is_secretariat(request) or getattr(request, "_history_page", False):
            excluded.extend(PASSPORT_FIELDS)
        return excluded

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        # The change history keeps no passport details, and simple-history fills the gap with
        # today's values, decrypted: an old version's page would show them, unlogged, as if
        # they were history. It shows no passport fields at all (a revert leaves them as they
        # are).
        request._history_page = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        # Through the service: it checks the record and refreshes the folded search text, so the
        # delegate list finds the person under the new name at once.
        delegate_save(delegate=obj, email=obj.email, data={})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and _is_secretariat(request):
            delegate = Delegate.objects.filter(pk=object_id).only("pk", *PASSPORT_FIELDS).first()
            if delegate is not None and any(getattr(delegate, name) for name in PASSPORT_FIELDS):
                # The page shows the passport details decrypted: note who saw them.
                passport_access_log(
                    delegate_ids=[delegate.pk],
                    viewer=request.user,
                    place=PassportAccessLog.Place.ADMIN,
                )
        return super().change_view(request, object_id, form_url, extra_context)
