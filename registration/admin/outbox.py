"""The email log."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registration.admin.pages import QuickActionCheckboxMixin
from registration.errors import RegistrationError
from registration.models import OutboxEmail
from registration.services.outbox import email_resend


@admin.register(OutboxEmail)
class OutboxEmailAdmin(QuickActionCheckboxMixin, admin.ModelAdmin):
    """The email log: every email with its state, attempts and last error.

    An account mail's key is never here: the text holds a placeholder, and the column that keeps
    the key until the mail is sent is left out of every page.
    """

    list_display = (
        "created_at",
        "kind",
        "recipient",
        "language",
        "status",
        "attempts",
        "error_short",
        "sent_at",
    )
    list_filter = ("status", "kind", "language")
    # A Message-ID from a delegate's mail headers finds its row, and every resend of it.
    search_fields = ("recipient", "subject", "message_id")
    exclude = ("withheld",)
    readonly_fields = [f.name for f in OutboxEmail._meta.fields if f.name != "withheld"]
    show_full_result_count = False
    actions = ("resend",)

    @admin.display(description=_("last error"))
    def error_short(self, obj: OutboxEmail) -> str:
        return obj.last_error[:80] + ("…" if len(obj.last_error) > 80 else "")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Send the selected emails again"), permissions=["view"])
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxEmail]) -> None:
        count = 0
        for email in queryset:
            try:
                email_resend(email=email)
            except RegistrationError as error:
                self.message_user(request, error.message, messages.WARNING)
            else:
                count += 1
        if count:
            self.message_user(
                request,
                ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
                % {"count": count},
                messages.SUCCESS,
            )
