"""Privacy notice versions and the record of purges and erasures."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from registration.admin.forms import PrivacyNoticeForm
from registration.admin.pages import AuditTrailAdmin
from registration.models import PrivacyNotice, PurgeRecord
from registration.services.privacy.notices import privacy_notice_publish


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    """Versions of the privacy notice. A version is never edited: a changed text is published as
    the next version, and every consent keeps pointing to the version the delegate saw."""

    form = PrivacyNoticeForm
    list_display = ("__str__", "published_at", "consents")
    ordering = ("-version",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PrivacyNotice]:
        return super().get_queryset(request).annotate(consent_count=Count("consents"))

    @admin.display(description=_("consents"), ordering="consent_count")
    def consents(self, obj: PrivacyNotice) -> int:
        return obj.consent_count

    def add_view(self, request, form_url="", extra_context=None):
        context = {
            "title": _("Publish a new version of the privacy notice"),
            "subtitle": None,
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
            **(extra_context or {}),
        }
        return super().add_view(request, form_url, context)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, str]:
        current = PrivacyNotice.objects.order_by("-version").first()
        if current is None:
            return {}
        return {"text_en": current.text_en, "text_ko": current.text_ko}

    def get_readonly_fields(self, request: HttpRequest, obj: PrivacyNotice | None = None):
        return ("version", "text_en", "text_ko", "published_at") if obj else ()

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        published = privacy_notice_publish(text_en=obj.text_en, text_ko=obj.text_ko)
        obj.pk, obj.version, obj.published_at = (
            published.pk,
            published.version,
            published.published_at,
        )

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _("Published as version %(version)d. New registrations accept this version.")
            % {"version": obj.version},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:registration_privacynotice_changelist"))


@admin.register(PurgeRecord)
class PurgeRecordAdmin(AuditTrailAdmin):
    """What the retention purge and each erasure removed: the secretariat's record of it."""

    list_display = ("ran_at", "reason", "event", "delegate_count", "ran_by")
    list_filter = ("reason", "event")
    list_select_related = ("event", "ran_by")
    readonly_fields = ("ran_at", "reason", "event", "delegate_count", "erased", "ran_by")
