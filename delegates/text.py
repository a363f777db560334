"""Rules for text people type about themselves."""

from __future__ import annotations

import unicodedata


def is_latin_text(value: str) -> bool:
    """True when every letter is a Latin letter (accents welcome)."""
    for char in value:
        if char.isalpha() and not unicodedata.name(char, "").startswith("LATIN"):
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
