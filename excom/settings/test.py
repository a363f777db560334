"""Tests: PostgreSQL and Redis for real (see tests/conftest.py), fast password hashing."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env, postgresql_options

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The worker's tests start a real worker that sends to a real SMTP sink (EMAIL_URL).
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The same driver options as production, so that every test runs its queries as production does.
DATABASES = {
    "default": postgresql_options(
        env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/excom")
    ),
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "sessions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "sessions",
    },
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"},
}
# One folder per test process and run: parallel workers, and two runs on one machine, must not
# delete each other's files. xdist gives every worker of a run the same run id.
_run = env("PYTEST_XDIST_TESTRUNUID", default="")[:12] or f"main-{os.getpid()}"
_worker = env("PYTEST_XDIST_WORKER", default="main")
_scratch = Path(tempfile.gettempdir()) / f"excom-test-{_run}-{_worker}"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(_scratch / "media")))
PRIVATE_ROOT = Path(env("DJANGO_PRIVATE_ROOT", default=str(_scratch / "private")))
STORAGES["private"]["OPTIONS"]["location"] = str(PRIVATE_ROOT)  # noqa: F405
# In-process by default; the worker's tests start a real worker on the real Redis.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_BROKER_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = None
# A timer would send from a background thread into the next test: the tests that want the
# in-process retry switch it on themselves.
OUTBOX_RETRY_IN_PROCESS = False
# The browser tests' live server is plain http.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True

# A fixed key for tests only, so that a bare machine works; never use it elsewhere.
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=["Zx3Q0m6Wk2Yb4c8d1e5f7g9h0i2j4k6l8m0n2p4q6r8="]
)
