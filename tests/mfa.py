"""A second factor for test users, made with allauth's own functions, and the codes an
authenticator app would show (allauth's HOTP, no pyotp)."""

from __future__ import annotations

import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)

from delegates.models import User


def totp_enrol(user: User) -> str:
    """An authenticator app and recovery codes for `user`, as enrolling makes them; the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def totp_code(secret: str, *, steps: int = 0) -> str:
    """The code the app shows now (or `steps` periods from now)."""
    counter = int(time.time()) // app_settings.TOTP_PERIOD + steps
    return format_hotp_value(hotp_value(secret, counter))


def wrong_code(secret: str) -> str:
    """Six digits that are not the code of the current period, nor of the ones beside it."""
    near = {totp_code(secret, steps=step) for step in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in near)


def recovery_codes(user: User) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()
