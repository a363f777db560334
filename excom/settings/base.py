"""Settings shared by every environment, read from the environment with django-environ."""

from pathlib import Path

import environ
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "excom.apps.ExcomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_countries",
    "simple_history",
    "import_export",
    "csp",
    "delegates",
    "registration",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "registration.middleware.RequestBodyLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "registration.middleware.RefuseControlCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After allauth's: the staff pages ask for the second factor (delegates/second_factor.py).
    "registration.access.SecondFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "excom.urls"
WSGI_APPLICATION = "excom.wsgi.application"
ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "registration.context_processors.current_event",
            ],
        },
    }
]

# An embedded SQLite file when DATABASE_URL is unset, so that `make run` works on a bare machine.
SQLITE_DATABASE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db("DATABASE_URL", default=SQLITE_DATABASE_URL)}


def database_connections(database: dict, *, default_max_age: int) -> dict:
    """How long a connection is kept, and whether it is checked before reuse.

    DATABASE_CONN_MAX_AGE wins; else a value in DATABASE_URL (`?conn_max_age=60`); else the
    environment's default (production keeps connections, development opens one per request).
    """
    url_max_age = database.get("CONN_MAX_AGE", default_max_age)
    url_checks = str(database.get("CONN_HEALTH_CHECKS", default_max_age > 0)).lower()
    return {
        **database,
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": env.int("DATABASE_CONN_MAX_AGE", default=int(url_max_age)),
        "CONN_HEALTH_CHECKS": env.bool(
            "DATABASE_CONN_HEALTH_CHECKS", default=url_checks in {"1", "true", "yes", "on"}
        ),
    }


DATABASES["default"] = database_connections(DATABASES["default"], default_max_age=0)

# psycopg 3 binds a query's parameters on the server, so that a query has the same text on every
# call, and prepares it on a connection once it has run a few times: PostgreSQL then plans the
# desk's look-up and check-in once per connection instead of on every scan. Django leaves both
# off; the production and test settings turn them on. A connection pooler in transaction mode
# (PgBouncer before 1.21) would break prepared statements: there is none in this deployment.
POSTGRESQL_OPTIONS = {"server_side_binding": True, "prepare_threshold": 5}


def postgresql_options(database: dict) -> dict:
    """`database` with POSTGRESQL_OPTIONS if it is PostgreSQL; SQLite takes neither."""
    if database["ENGINE"] != "django.db.backends.postgresql":
        return database
    return {**database, "OPTIONS": {**database.get("OPTIONS", {}), **POSTGRESQL_OPTIONS}}


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    # Redis makes the site faster and is never needed to answer: while it is down the default
    # cache works from each process's memory (allauth's login limits keep counting there), the
    # sessions' cache misses so that sessions come from the database, and one warning per
    # process says so (excom/cache.py, excom/circuit.py).
    _redis_cache_options = {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 1}
    CACHES = {
        "default": {
            "BACKEND": "excom.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {**_redis_cache_options, "FALLBACK": "memory"},
        },
        "sessions": {
            "BACKEND": "excom.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "session",
            "OPTIONS": {**_redis_cache_options, "FALLBACK": "none"},
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sessions",
        },
    }
# In each process's memory, beside the shared cache: what every desk request reads and may be a
# little stale (the current event, a granted desk permission), without a round trip to Redis.
CACHES["local"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"}
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Sessions are read from the cache and written through to the database: every desk scan saves a
# round trip to PostgreSQL, and with Redis down the database still has every session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"

AUTH_USER_MODEL = "delegates.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "me"
SITE_ID = 1

# django-allauth 65.x
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[WeGO EXCOM] "
ACCOUNT_ADAPTER = "registration.accounts.AccountAdapter"
ACCOUNT_FORMS = {"signup": "registration.accounts.SignupForm"}
# Behind a reverse proxy every request comes from the proxy's address: the login limits would
# then lock everyone out together. Set how many proxies stand in front (their X-Forwarded-For
# entries are trusted, from the right), or the one header the proxy sets to the client address.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("DJANGO_TRUSTED_CLIENT_IP_HEADER", default="") or None
# ACCOUNT_RATE_LIMITS is left unset on purpose: allauth's built-in limits apply. They count in
# the cache, which is Redis (shared by every web process) whenever REDIS_URL is set. Wrong
# second-factor codes count as failed logins: five per account in five minutes, ten a minute
# per address.

# The second factor (allauth.mfa): staff sign in with a code from an authenticator app, or a
# security key or passkey; recovery codes for a lost phone. Who must, and where, is
# delegates/second_factor.py; delegates are never asked.
MFA_ADAPTER = "registration.accounts.MFAAdapter"
MFA_FORMS = {"add_webauthn": "registration.accounts.AddWebAuthnForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Shown once, right after enrolling; later only a new set can be made.
MFA_RECOVERY_CODES_SHOW_ONCE = True
# The name the authenticator app shows beside the code (otherwise the Site's "example.com").
MFA_TOTP_ISSUER = "WeGO EXCOM"
# No passwordless passkey sign-in: the sign-in page is the delegates' too, and none of them has a
# passkey here; a passkey still serves staff as the second factor after the password.
MFA_PASSKEY_LOGIN_ENABLED = False
# Never "trust this browser" for weeks: staff pages show passport details.
MFA_TRUST_ENABLED = False
# Shared desk laptops: desk operators may use the desk without a second factor (nothing else).
MFA_DESK_EXEMPT = env.bool("MFA_DESK_EXEMPT", default=False)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS: list = [BASE_DIR / "static"]
# Chart.js for the staff dashboard, from the npm registry (package.json, `make install`). Without
# it the dashboard still shows every number in its tables.
CHART_JS_DIR = BASE_DIR / "node_modules" / "chart.js" / "dist"
if CHART_JS_DIR.is_dir():
    STATICFILES_DIRS.append(("vendor/chart.js", CHART_JS_DIR))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Stored badge PDFs and letters live beside the media but are never served by URL.
PRIVATE_ROOT = Path(env("DJANGO_PRIVATE_ROOT", default=str(BASE_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The largest request any form needs: a 5 MB photo with the registration form around it.
REQUEST_BODY_MAX_BYTES = 8 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES

# Member-city files (delegates/city_files.py). The real list has about 133 cities: 2 MB and 2,000
# rows leave room for any honest file. An XLSX is refused unread when its parts unpack to more
# than 20 MB or to more than 100 times the file's size (a zip bomb).
CITY_IMPORT_MAX_BYTES = env.int("CITY_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
CITY_IMPORT_MAX_ROWS = env.int("CITY_IMPORT_MAX_ROWS", default=2000)
CITY_IMPORT_MAX_UNPACKED_BYTES = env.int("CITY_IMPORT_MAX_UNPACKED_BYTES", default=20 * 1024 * 1024)
CITY_IMPORT_MAX_PACKING_RATIO = env.int("CITY_IMPORT_MAX_PACKING_RATIO", default=100)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="WeGO EXCOM <excom@wego.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis as the broker; with no REDIS_URL, tasks run in-process (the `make run` default).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Nothing reads a task's return value: the outbox, badge and sheet rows carry every outcome. No
# result backend, so a Redis outage costs no result-store retries either.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    # A publish from a web request waits at most this long for a Redis that is gone (refused
    # connections fail at once), and is not tried again on a timeout: the person would wait twice.
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "retry_on_timeout": False,
    # Idle connections are checked before use, and a consumer whose connection went silent
    # (Redis restarted behind a proxy or a NAT) reconnects within about 20 s.
    "health_check_interval": 10,
}
# The worker and beat wait for Redis as long as it takes, at startup and after losing it.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# An email being sent when the connection to Redis drops is left to finish: its outbox row
# records the send, and the task redelivered later finds it sent. Cancelling it instead would
# cut SMTP conversations off halfway.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# A web request must never hang on a broker that is down: one quick try on a fresh connection
# (a pooled one may be stale after a Redis restart), then the outbox sweep. While Redis is known
# to be down nothing is tried at all (registration/tasks.py).
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
    "interval_max": 0,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TIMEZONE = TIME_ZONE

# How long a queued email may wait before the sweep puts it on the queue again.
OUTBOX_STALE_AFTER_SECONDS = env.int("OUTBOX_STALE_AFTER_SECONDS", default=120)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
# How long a row being sent belongs to the worker that took it; past that the worker is taken for
# dead and another may send. 0: twice the SMTP timeout plus ten seconds.
OUTBOX_SENDING_LEASE_SECONDS = env.int("OUTBOX_SENDING_LEASE_SECONDS", default=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The address that links in emails point to (no request is at hand in the worker).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
# Unknown badge codes one desk operator may scan in a minute before the desk asks them to stop.
DESK_UNKNOWN_CODES_PER_MINUTE = env.int("DESK_UNKNOWN_CODES_PER_MINUTE", default=30)
# With tasks in-process (no REDIS_URL: `make run`) no worker retries and no beat sweeps: a timer in
# the web process sends a failed email again after the same growing delays.
OUTBOX_RETRY_IN_PROCESS = not REDIS_URL

CELERY_BEAT_SCHEDULE = {
    "requeue-stale-emails": {"task": "registration.tasks.requeue_stale_emails", "schedule": 60.0},
    "send-event-reminders": {"task": "registration.tasks.send_event_reminders", "schedule": 3600.0},
    "sweep-city-imports": {"task": "registration.tasks.sweep_city_imports", "schedule": 300.0},
    "purge-expired-personal-data": {
        "task": "registration.tasks.purge_expired_personal_data",
        "schedule": 6 * 3600.0,
    },
}

CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=2)

# Content security policy (django-csp 4): our own scripts and styles only; inline scripts need
# the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

# django-import-export lets every staff user import and export unless told otherwise: the member
# cities' import needs the change permission, their export the view permission (the Secretariat
# group holds both; the Desk group neither).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# Fernet keys for passport details at rest, newest first (delegates/encryption.py). Required:
# the app does not start without valid keys.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
