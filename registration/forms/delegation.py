"""What a head of delegation's pages and a focal point's invitation add to the registration form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from delegates.text import PlainTextFormMixin
from registration.forms.delegate import ROLES_FOR_DELEGATES
from registration.models import DelegationRole

# A delegation has one head, granted by the secretariat: never a role a head gives a colleague.
ROLES_FOR_COLLEAGUES = [
    (value, label) for value, label in ROLES_FOR_DELEGATES if value != DelegationRole.HEAD
]
# The focal point invited to lead the delegation registers as its head.
ROLES_FOR_INVITED_HEAD = [
    (value, label) for value, label in ROLES_FOR_DELEGATES if value == DelegationRole.HEAD
]


class ColleagueEmailForm(PlainTextFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your colleague's email"),
        help_text=_("We send the confirmation and the badge to this address."),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
