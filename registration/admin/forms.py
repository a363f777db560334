"""Forms of the actions' intermediate pages, of the add page and of the privacy notice."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.translation import gettext_lazy as _

from delegates.models import Delegate
from delegates.text import PlainTextFormMixin
from registration.models import BadgeSheetJob, DelegationRole, PrivacyNotice, Registration


class DeclineForm(PlainTextFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Sent to each delegate in the email that tells them."),
        max_length=2000,
    )


class RefuseHeadForm(PlainTextFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusing"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Sent to each person in the email that tells them."),
        max_length=2000,
    )


class EraseForm(PlainTextFormMixin, forms.Form):
    understood = forms.BooleanField(
        label=_("I understand that this cannot be undone"),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )


class RegisterOnBehalfForm(PlainTextFormMixin, forms.Form):
    """The secretariat registers a person who asked by email or letter."""

    delegate = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Delegate.objects.filter(erased_at__isnull=True).select_related("city"),
        help_text=_("Search by name in any script, email or city."),
    )
    delegation_role = forms.ChoiceField(
        label=_("Role in the delegation"),
        choices=DelegationRole.choices,
        initial=DelegationRole.DELEGATE,
    )
    consent = forms.BooleanField(
        label=_("The person has accepted the current privacy notice"),
        help_text=_("For example in their email asking to be registered."),
        error_messages={"required": _("Tick the box once the person has accepted the notice.")},
    )

    def __init__(self, *args, admin_site: admin.AdminSite, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["delegate"]
        person.widget = AutocompleteSelect(Registration._meta.get_field("delegate"), admin_site)
        person.widget.choices = person.choices
        person.widget.is_required = True


class PrintBadgesForm(PlainTextFormMixin, forms.Form):
    layout = forms.ChoiceField(
        label=_("Sheet layout"),
        choices=BadgeSheetJob.Layout.choices,
        initial=BadgeSheetJob.Layout.A4_FOUR_UP,
        widget=forms.RadioSelect,
    )


class PrivacyNoticeForm(PlainTextFormMixin, forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ("text_en", "text_ko")
        help_texts = {
            "text_en": _(
                "Saving publishes this text as the next version: new registrations accept it, "
                "and every consent already given keeps pointing to the version it saw."
            ),
        }
        widgets = {
            "text_en": forms.Textarea(attrs={"rows": 12, "cols": 90}),
            "text_ko": forms.Textarea(attrs={"rows": 12, "cols": 90}),
        }
