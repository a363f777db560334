"""Production: everything from the environment, HTTPS only, hardened cookies, logs on stdout.

Behind a reverse proxy that terminates TLS, set DJANGO_SECURE_PROXY_SSL_HEADER=true so that
Django trusts its X-Forwarded-Proto header (and make sure the proxy always sets or strips it).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    LOGGING,
    MIDDLEWARE,
    SECRET_KEY,
    SQLITE_DATABASE_URL,
    database_connections,
    env,
    postgresql_options,
)

DEBUG = False
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random string of at least 50 characters."
    )

# Persistent connections, checked before reuse: opening a PostgreSQL connection costs more than
# a desk's whole check-in. Each gunicorn thread and Celery process keeps at most one, with the
# statements psycopg prepared on it (base.POSTGRESQL_OPTIONS).
DATABASES = {
    "default": postgresql_options(
        database_connections(
            env.db("DATABASE_URL", default=SQLITE_DATABASE_URL), default_max_age=60
        )
    )
}

# The container's own health check asks for /healthz on the loopback address.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "127.0.0.1", "localhost"]

if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Health checks come from inside the network over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS starts at one hour: a mistake in the HTTPS setup then locks browsers out for an hour, not
# a year. Raise DJANGO_SECURE_HSTS_SECONDS step by step (a day, a week, a year) once HTTPS is
# known to work; ask for preloading only at a year, for a domain that serves nothing else.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
# The deploy check asks for subdomains and preload from the start; both are the last steps of
# the ramp above, chosen by setting, not defaults.
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Static files straight from gunicorn, compressed and cached forever under hashed names.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# One line per event on stdout, with the fields a log collector can split on. The base's
# loggers stay (WeasyPrint's progress lines are kept out of the logs there).
LOGGING = {
    **LOGGING,
    "formatters": {
        "line": {
            "format": "time=%(asctime)s level=%(levelname)s logger=%(name)s "
            "process=%(process)d message=%(message)r",
        }
    },
    "loggers": {
        **LOGGING["loggers"],
        "django.security": {"level": "WARNING", "propagate": True},
    },
}
