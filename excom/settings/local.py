"""Development: debug on, a fixed development key when none is set, mail on the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="development-only-key-not-for-production")

# So that gunicorn (make run-stack) serves the static files too, straight from the source folders.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = None

# A fixed key for development only, so that a bare machine works; never use it elsewhere.
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=["Bxvq4O0T3vK6f1Yb3o0b4m0pV6cS5yH9a1bE2rT7wQk="]
)

# Security keys and passkeys on http://127.0.0.1 (a real deployment is served over HTTPS).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
