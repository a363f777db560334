"""Rules for text people type about themselves."""

from __future__ import annotations

import unicodedata


def is_latin_text(value: str) -> bool:
    """True when every letter is a Latin letter (accents welcome)."""
    for char in value:
        if char.isalpha() and not unicodedata.name(char, "").startswith("LATIN"):
            return False
    return True
