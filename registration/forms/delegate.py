"""The delegate's registration form: who they are, and how they attend.

Forms only parse and validate; the services write.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from delegates.models import (
    NAME_MAX_LENGTH,
    PASSPORT_FIELDS,
    Delegate,
    Diet,
    Honorific,
    Language,
    MemberCity,
)
from delegates.photos import photo_clean
from delegates.text import PlainTextFormMixin, is_latin_text
from registration.models import DelegationRole, Event, PrivacyNotice, Registration, Session

OTHER_CITY = "other"
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()./-]{5,30}$")
FLIGHT_PATTERN = re.compile(r"^[A-Za-z0-9]{2}\s?[0-9]{1,4}[A-Za-z]?$")

ROLES_FOR_DELEGATES = [
    (value, label) for value, label in DelegationRole.choices if value != DelegationRole.STAFF
]


class CityChoiceField(forms.ChoiceField):
    """Active member cities by name, with 'other' for a city not in the list."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=self._choices_now, **kwargs)

    @staticmethod
    def _choices_now() -> list[tuple[str, str]]:
        cities = MemberCity.objects.filter(is_active=True).order_by("name_en")
        return [
            ("", _("Choose your city")),
            *[(city.code, f"{city.name_en} ({city.country.name})") for city in cities],
            (OTHER_CITY, _("Other city (not in the list)")),
        ]

    def clean(self, value: Any) -> MemberCity | None:
        value = super().clean(value)
        if value == OTHER_CITY:
            return None
        try:
            return MemberCity.objects.get(code=value, is_active=True)
        except MemberCity.DoesNotExist as error:
            raise ValidationError(_("Please choose a city from the list.")) from error


class DelegateForm(PlainTextFormMixin, forms.Form):
    """About the person."""

    honorific = forms.ChoiceField(label=_("Honorific"), choices=Honorific.choices, required=False)
    given_name = forms.CharField(
        label=_("Given name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("In Latin letters, as in your passport."),
    )
    family_name = forms.CharField(
        label=_("Family name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("In Latin letters, as in your passport."),
    )
    native_name = forms.CharField(
        label=_("Your name in your own script"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        help_text=_("For example 홍길동, محمد, 张伟 or Алексей Смирнов. Printed on your badge."),
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    job_title = forms.CharField(
        label=_("Job title"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "organization-title"}),
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "organization"}),
    )
    city = CityChoiceField(label=_("City"))
    other_city = forms.CharField(
        label=_("Name of your city"), max_length=NAME_MAX_LENGTH, required=False
    )
    other_country = LazyTypedChoiceField(
        label=_("Country of your city"),
        choices=[("", _("Choose a country")), *countries],
        required=False,
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=40,
        required=False,
        help_text=_("With the country code, e.g. +82 10 1234 5678."),
    )
    language = forms.ChoiceField(
        label=_("Language for our emails"), choices=Language.choices, initial=Language.EN
    )
    photo = forms.FileField(
        label=_("Photo for your badge"),
        required=False,
        help_text=_("A portrait, JPEG or PNG, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    diet = forms.ChoiceField(label=_("Dietary needs"), choices=Diet.choices, required=False)
    dietary_notes = forms.CharField(
        label=_("Dietary details"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Anything that helps us welcome you: wheelchair access, sign language..."),
    )

    def __init__(
        self,
        *args: Any,
        city_fixed: MemberCity | None = None,
        about_colleague: bool = False,
        **kwargs: Any,
    ) -> None:
        self.city_fixed = city_fixed
        super().__init__(*args, **kwargs)
        for name in ("given_name", "family_name", "native_name"):
            self.fields[name].error_messages["max_length"] = _(
                "Please shorten this name to at most 200 characters."
            )
        if city_fixed is not None:
            for name in ("city", "other_city", "other_country"):
                del self.fields[name]
        if about_colleague:
            # A head of delegation fills this in for a colleague of their own city.
            self.fields["native_name"].label = _("Name in their own script")
            self.fields["photo"].label = _("Photo for their badge")
            self.fields["language"].label = _("Language for emails to them")

    def _latin_name(self, field: str) -> str:
        value = " ".join(self.cleaned_data[field].split())
        if not is_latin_text(value):
            raise ValidationError(
                _(
                    "Please write this name in Latin letters, as in your passport. Your name "
                    "in your own script has its own field below."
                )
            )
        return value

    def clean_given_name(self) -> str:
        return self._latin_name("given_name")

    def clean_family_name(self) -> str:
        return self._latin_name("family_name")

    def clean_native_name(self) -> str:
        return " ".join(self.cleaned_data["native_name"].split())

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_PATTERN.match(phone):
            raise ValidationError(
                _("Please give a phone number with digits only, e.g. +82 10 1234 5678.")
            )
        return phone

    def clean_photo(self) -> Any:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        return photo_clean(upload)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.city_fixed is not None:
            data["city"] = self.city_fixed
        elif "city" in data and data["city"] is None:
            if not data.get("other_city", "").strip():
                self.add_error("other_city", _("Please give the name of your city."))
            if not data.get("other_country"):
                self.add_error("other_country", _("Please choose the country of your city."))
        if data.get("diet") == Diet.OTHER and not data.get("dietary_notes", "").strip():
            self.add_error("dietary_notes", _("Please describe your dietary needs."))
        return data


class AttendanceForm(PlainTextFormMixin, forms.Form):
    """How the person attends this event."""

    delegation_role = forms.ChoiceField(
        label=_("Role in your city's delegation"),
        choices=ROLES_FOR_DELEGATES,
        initial=DelegationRole.DELEGATE,
    )
    sessions = forms.ModelMultipleChoiceField(
        label=_("Sessions you will attend"),
        queryset=Session.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    arrival_date = forms.DateField(
        label=_("Arrival date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    arrival_time = forms.TimeField(
        label=_("Arrival time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    arrival_flight = forms.CharField(label=_("Arrival flight"), max_length=20, required=False)
    departure_date = forms.DateField(
        label=_("Departure date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    departure_time = forms.TimeField(
        label=_("Departure time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    departure_flight = forms.CharField(label=_("Departure flight"), max_length=20, required=False)
    hotel_needed = forms.BooleanField(label=_("I need a hotel room"), required=False)
    visa_letter_wanted = forms.BooleanField(
        label=_("I need a visa invitation letter"), required=False
    )
    passport_name = forms.CharField(
        label=_("Name as in your passport"), max_length=NAME_MAX_LENGTH, required=False
    )
    passport_number = forms.CharField(label=_("Passport number"), max_length=30, required=False)
    passport_nationality = LazyTypedChoiceField(
        label=_("Nationality"), choices=[("", _("Choose a country")), *countries], required=False
    )
    passport_date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    passport_expiry = forms.DateField(
        label=_("Passport expiry date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self, *args: Any, event: Event, roles: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        self.event = event
        super().__init__(*args, **kwargs)
        self.fields["sessions"].queryset = event.sessions.all()
        if roles is not None:
            self.fields["delegation_role"].choices = roles
            self.fields["delegation_role"].label = _("Role in the delegation")
            self.fields["visa_letter_wanted"].label = _("A visa invitation letter is needed")
            self.fields["hotel_needed"].label = _("A hotel room is needed")

    def _flight(self, field: str) -> str:
        value = self.cleaned_data[field].strip().upper()
        if value and not FLIGHT_PATTERN.match(value):
            raise ValidationError(
                _("Please give the flight number as on your ticket, e.g. KE 902.")
            )
        return value

    def clean_arrival_flight(self) -> str:
        return self._flight("arrival_flight")

    def clean_departure_flight(self) -> str:
        return self._flight("departure_flight")

    def clean_passport_number(self) -> str:
        return re.sub(r"\s+", "", self.cleaned_data["passport_number"]).upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        event = self.event
        window_start = event.starts_on - timedelta(days=14)
        window_end = event.ends_on + timedelta(days=14)
        for field in ("arrival_date", "departure_date"):
            day = data.get(field)
            if day and not (window_start <= day <= window_end):
                self.add_error(
                    field,
                    _("Please give a date between %(start)s and %(end)s.")
                    % {"start": window_start.isoformat(), "end": window_end.isoformat()},
                )
        arrival, departure = data.get("arrival_date"), data.get("departure_date")
        if arrival and departure and departure < arrival:
            self.add_error("departure_date", _("Departure cannot be before arrival."))
        if data.get("visa_letter_wanted"):
            labels = {name: self.fields[name].label for name in PASSPORT_FIELDS}
            for name in PASSPORT_FIELDS:
                if not data.get(name):
                    self.add_error(
                        name,
                        _("%(field)s is needed for the visa letter.") % {"field": labels[name]},
                    )
            birth, expiry = data.get("passport_date_of_birth"), data.get("passport_expiry")
            if birth and not (date(1900, 1, 1) <= birth <= date.today()):
                self.add_error("passport_date_of_birth", _("Please check the date of birth."))
            if expiry and expiry <= event.ends_on:
                self.add_error(
                    "passport_expiry", _("Your passport must still be valid after the event.")
                )
            if data.get("passport_name") and not is_latin_text(data["passport_name"]):
                self.add_error(
                    "passport_name",
                    _("Please write the name in Latin letters, as in the passport."),
                )
        return data


class ConsentForm(PlainTextFormMixin, forms.Form):
    """The privacy notice shown with the form, and the person's agreement to it."""

    privacy_notice_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    consent = forms.BooleanField(
        label=_(
            "I agree that the WeGO secretariat and the host city process the personal data in "
            "this form to organise my participation, as described in the privacy notice."
        ),
        error_messages={"required": _("Please agree to the processing of your data to register.")},
    )

    def __init__(
        self,
        *args: Any,
        notice: PrivacyNotice | None = None,
        for_colleague: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.notice = notice
        if for_colleague:
            self.fields["consent"].label = _(
                "My colleague agrees that the WeGO secretariat and the host city process the "
                "personal data in this form to organise their participation, as described in the "
                "privacy notice."
            )
        if notice is not None:
            self.fields["privacy_notice_version"].initial = notice.version

    def clean_privacy_notice_version(self) -> PrivacyNotice | None:
        version = self.cleaned_data.get("privacy_notice_version")
        if version is None:
            return self.notice
        notice = PrivacyNotice.objects.filter(version=version).first()
        if notice is None:
            raise ValidationError(_("Please read the privacy notice again and agree to it."))
        return notice


class CancelForm(PlainTextFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def initial_from(*, delegate: Delegate | None, registration: Registration | None) -> dict[str, Any]:
    """What the forms show when a person comes back to change their registration."""
    initial: dict[str, Any] = {}
    if delegate is not None:
        for field in DelegateForm.base_fields:
            if field == "photo":
                continue
            if field == "city":
                initial["city"] = delegate.city.code if delegate.city_id else OTHER_CITY
            elif hasattr(delegate, field):
                initial[field] = getattr(delegate, field)
        for field in PASSPORT_FIELDS:
            initial[field] = getattr(delegate, field)
    if registration is not None:
        for field in AttendanceForm.base_fields:
            if field == "sessions":
                initial["sessions"] = list(registration.sessions.all())
            elif hasattr(registration, field):
                initial[field] = getattr(registration, field)
    return initial
