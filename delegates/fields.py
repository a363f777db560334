"""Model fields whose values are stored encrypted (see delegates/encryption.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models

from delegates.encryption import decrypt, encrypt


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; the empty value stays empty (nothing to hide)."""

    def from_db_value(self, value: str | None, expression, connection) -> Any:
        if value in (None, ""):
            return self.empty_value()
        return self.to_python(decrypt(value))

    def empty_value(self) -> Any:
        return ""

    def get_prep_value(self, value: Any) -> str:
        text = self.to_text(value)
        return encrypt(text) if text else ""

    def to_text(self, value: Any) -> str:
        return "" if value is None else str(value)


class EncryptedDateField(EncryptedTextField):
    """A date, encrypted as its ISO text."""

    def empty_value(self) -> Any:
        return None

    def to_python(self, value: Any) -> date | None:
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        return date.fromisoformat(str(value))

    def to_text(self, value: Any) -> str:
        value = self.to_python(value)
        return value.isoformat() if value else ""

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(**{"form_class": forms.DateField, **kwargs})
