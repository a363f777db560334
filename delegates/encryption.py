"""Encryption at rest for passport details: Fernet with several keys, so a key can be rotated.

FIELD_ENCRYPTION_KEYS holds Fernet keys, newest first: the first encrypts, all of them decrypt.
`manage.py rotate_encryption_keys` re-encrypts every stored value with the newest key.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_HELP = (
    "Set FIELD_ENCRYPTION_KEYS to one or more Fernet keys, newest first, separated by commas. "
    'Make one with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


@lru_cache(maxsize=1)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(f"No encryption key is set. {KEY_HELP}")
    fernets = []
    for number, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode()))
        except (ValueError, TypeError) as error:
            raise ImproperlyConfigured(
                f"Encryption key number {number} in FIELD_ENCRYPTION_KEYS is not a valid Fernet "
                f"key (32 url-safe base64-encoded bytes). {KEY_HELP}"
            ) from error
    return MultiFernet(fernets)


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.FIELD_ENCRYPTION_KEYS))


def check_keys() -> None:
    """Stop the app at start when the keys are missing or malformed."""
    cipher()


def encrypt(text: str) -> str:
    return cipher().encrypt(text.encode("utf-8")).decode("ascii")


class UndecryptableValue(ImproperlyConfigured):
    pass


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise UndecryptableValue(
            "A stored passport detail cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS: "
            "the key it was written with is missing. Add it back (after the newest key)."
        ) from error


def rotate(token: str) -> str:
    return cipher().rotate(token.encode("ascii")).decode("ascii")
