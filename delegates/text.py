"""Rules for text people type: no control characters, one Unicode form, Latin letters where a
passport's are asked for, and spreadsheet cells that never run as formulas."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Explicit embeddings, overrides and isolates: they reorder what is shown (a name can be made to
# read differently from what is stored), and nobody needs to type them into a form.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\n\r\t")
# What a name in a passport may hold besides Latin letters and their accents.
LATIN_NAME_PUNCTUATION = frozenset(" -'’.,")


def control_character_in(value: str, *, multiline: bool = False) -> str | None:
    """The first character that has no place in typed text, or None."""
    for char in value:
        if multiline and char in LINE_BREAKS:
            continue
        if char in BIDI_CONTROLS or unicodedata.category(char) in {"Cc", "Cs"}:
            return char
    return None


@deconstructible
class PlainTextValidator:
    """Refuses NUL and the other control characters, and direction overrides."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: object) -> None:
        char = control_character_in(str(value), multiline=self.multiline)
        if char is not None:
            raise ValidationError(
                _("Please remove the invisible control character (U+%(code)04X) from this text."),
                code="control_character",
                params={"code": ord(char)},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainTextValidator) and other.multiline == self.multiline


def text_normal(value: str) -> str:
    """One form for one text: a name typed on a Mac and on Windows compares and sorts alike."""
    return unicodedata.normalize("NFC", value)


class PlainTextFormMixin:
    """Every text field of the form refuses control characters; cleaned text comes out in NFC."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                multiline = isinstance(field.widget, forms.Textarea)
                field.validators.append(PlainTextValidator(multiline=multiline))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        for name, value in list(cleaned.items()):
            if isinstance(value, str):
                cleaned[name] = text_normal(value)
        return cleaned


def is_latin_text(value: str) -> bool:
    """Latin letters (accents welcome), spaces and the punctuation names in passports carry."""
    for char in unicodedata.normalize("NFD", value):
        if char in LATIN_NAME_PUNCTUATION or unicodedata.category(char) == "Mn":
            continue
        if not (char.isalpha() and unicodedata.name(char, "").startswith("LATIN")):
            return False
    return True


# What a spreadsheet reads as the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SPREADSHEET_TEXT_MARK = "'"


def spreadsheet_safe(value: str) -> str:
    """A cell that a spreadsheet shows as the text it is, never runs as a formula.

    A leading apostrophe is the spreadsheets' own way to say "text"; names such as
    =HYPERLINK(...) or +1+1 then arrive in Excel or LibreOffice as written.
    """
    if value.startswith(FORMULA_STARTS):
        return SPREADSHEET_TEXT_MARK + value
    return value


def spreadsheet_text(value: str) -> str:
    """The text of a cell that `spreadsheet_safe` wrote: an export imports back unchanged."""
    if value.startswith(SPREADSHEET_TEXT_MARK) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
