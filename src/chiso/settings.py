"""Django settings for chiso.

Everything that differs between machines comes from the environment:

- ``CHISO_ENV``: ``production`` (default), ``demo``, ``dev`` or ``test``.
- ``CHISO_SECRET_KEY`` (required in production), ``CHISO_ALLOWED_HOSTS`` (comma separated),
  ``CHISO_DEBUG`` (``1`` to turn debug on outside production), ``DATABASE_URL``
  (default: an embedded SQLite file under ``var/``), ``CHISO_CSRF_TRUSTED_ORIGINS``,
  ``CHISO_SECURE`` (``0`` to serve production over plain HTTP on a closed intranet),
  ``CHISO_LOGIN_FAILURE_LIMIT`` / ``CHISO_LOGIN_COOLOFF_MINUTES`` (sign-in throttling, below).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("CHISO_HOME", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("CHISO_VAR_DIR", BASE_DIR / "var"))

ENV = os.environ.get("CHISO_ENV", "production")
if ENV not in {"production", "demo", "dev", "test"}:
    raise ImproperlyConfigured(f"CHISO_ENV={ENV!r}: expected production, demo, dev or test")
PRODUCTION = ENV == "production"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("CHISO_DEBUG", ENV == "dev")

SECRET_KEY = os.environ.get("CHISO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("CHISO_SECRET_KEY must be set in production")
    key_file = VAR_DIR / "secret_key"
    if ENV == "test":
        SECRET_KEY = "test-only-" + "x" * 50
    else:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
        SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("CHISO_ALLOWED_HOSTS", "").split(",") if h.strip()]
if not PRODUCTION:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "[::1]", "testserver"]
elif not ALLOWED_HOSTS:
    raise ImproperlyConfigured("CHISO_ALLOWED_HOSTS must be set in production")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CHISO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",
    "chiso.accounts",
    "chiso.units",
    "chiso.frameworks",
    "chiso.results",
    "chiso.analysis",
    "chiso.files",
    "chiso.workflows",
    "chiso.notifications",
    "chiso.idempotency",
    "chiso.backup",
    "chiso.plans",
    "chiso.tracking",
    "chiso.assessment",
    "chiso.surveys",
    "chiso.documents",
    "chiso.seed",
    "chiso.api",
    "chiso.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "chiso.web.middleware.VietnameseFirstMiddleware",
    "chiso.web.middleware.NulCharacterMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "chiso.accounts.middleware.MemberRequiredMiddleware",
    "chiso.results.version.DataVersionMiddleware",
]

ROOT_URLCONF = "chiso.urls"
WSGI_APPLICATION = "chiso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chiso.web.context.chiso_context",
            ],
            "builtins": ["chiso.web.templatetags.vn"],
        },
    }
]

DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / ('test.sqlite3' if ENV == 'test' else 'chiso.sqlite3')}"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=60)
}
# SQLite (the demo, small installations): WAL so that readers never wait for a writer; a writer
# takes its lock when its transaction begins (IMMEDIATE: no deadlock on upgrade) and another writer
# waits for it up to ``timeout`` seconds (the busy timeout) instead of failing with "database is
# locked". Writes are kept short (an import of 28,000 values commits in seconds: bench/import_commit.py).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "chiso.accounts.rules.RulesOnlyBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["chiso.formats"]
# Numbers are formatted by chiso's own filters (vn, vn_percent); years and ids stay as written.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if ENV in {"production", "demo"}
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = ENV in {"dev", "test"}
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
WHITENOISE_AUTOREFRESH = ENV == "dev"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
CHISO_MAX_IMPORT_BYTES = int(os.environ.get("CHISO_MAX_IMPORT_BYTES", 20 * 1024 * 1024))
# Result files up to this size are previewed and committed in the request; larger ones by the
# background worker (``chiso db_worker``, started by scripts/demo), with a progress page.
CHISO_SYNC_IMPORT_BYTES = int(os.environ.get("CHISO_SYNC_IMPORT_BYTES", 256 * 1024))
# Background tasks (django-tasks): stored in the database, run by ``chiso db_worker``. Tests run them
# at once in the process (the same code; no worker to start).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if ENV == "test"
        else "django_tasks_db.DatabaseBackend"
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "chiso"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "chiso.api.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "chiso.api.parsers.JSONParser",  # a body nested too deeply is a 400, not a RecursionError
        "rest_framework.parsers.FormParser",
        "chiso.api.parsers.MultiPartParser",  # a body with no part is refused, not read as an empty form
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "chiso.api.pagination.Pagination",
    "PAGE_SIZE": 100,
    "COERCE_DECIMAL_TO_STRING": False,
    # Services' ValidationError / PermissionDenied / refusals and DRF's own errors, in Vietnamese.
    "EXCEPTION_HANDLER": "chiso.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "chiso API",
    "DESCRIPTION": "API của chiso: đơn vị hành chính, bộ chỉ số, kết quả công bố, phân tích (chỉ đọc); kế hoạch, mục tiêu, nhiệm vụ, báo cáo tiến độ, đợt đánh giá và phiếu chấm điểm (đọc và ghi theo quyền).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two kinds of "unit kind": the kinds of units, and the kind of unit an index scores (which
    # includes "commune" and "any"): each its own enum.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "chiso.units.models.Unit.Kind",
        "IndexUnitKindEnum": "chiso.frameworks.models.Index.UnitKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "chiso.api.schema.document_sign_in_lockout",
        "chiso.api.schema.document_general_errors",
    ],
}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION and _env_bool("CHISO_SECURE", True):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("CHISO_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
elif PRODUCTION:
    # CHISO_SECURE=0, a closed intranet served over plain HTTP (README): no HTTPS to redirect to, no
    # secure-only cookies. Chosen knowingly, so `check --deploy` does not warn of it.
    SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008", "security.W012", "security.W016"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CHISO_LOG_LEVEL", "WARNING")},
}

# The unit whose results the home dashboard opens with (a GSO province code).
CHISO_HOME_UNIT_CODE = os.environ.get("CHISO_HOME_UNIT_CODE", "62")
# Address of the site, for the links in reminder e-mails (e.g. https://chiso.tinh.gov.vn).
CHISO_SITE_URL = os.environ.get("CHISO_SITE_URL", "http://127.0.0.1:8000" if ENV in ("demo", "dev") else "")

# Public survey intake: responses per hour from one address (a salted hash of it) to one survey; 0 = no
# limit (load tests). Generous: a counter's tablet or a commune's NAT sends many. Behind a reverse proxy,
# CHISO_SURVEY_CLIENT_IP_HEADER names the header holding the client address (e.g. HTTP_X_REAL_IP).
_rate = os.environ.get("CHISO_SURVEY_RATE_LIMIT", "").strip() or "600"
if not _rate.isdigit():
    raise ImproperlyConfigured(
        f"CHISO_SURVEY_RATE_LIMIT={_rate!r}: expected a whole number of responses an hour from one address "
        "(0 turns the limit off)"
    )
CHISO_SURVEY_RATE_LIMIT = int(_rate)
CHISO_SURVEY_CLIENT_IP_HEADER = os.environ.get("CHISO_SURVEY_CLIENT_IP_HEADER", "")

# E-mail (reminders, digests). Production: SMTP from the environment; demo/dev: files in var/mail.
EMAIL_HOST = os.environ.get("CHISO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CHISO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CHISO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CHISO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("CHISO_EMAIL_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("CHISO_EMAIL_FROM", "chiso <chiso@localhost>")
if ENV in ("demo", "dev"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_BACKEND = os.environ.get(
    "CHISO_EMAIL_BACKEND", globals().get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
)

if ENV == "test":
    # Tests create many accounts: a fast hasher there only (never in demo or production).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# --- Sign-in throttling (django-axes) ---------------------------------------------------------------
# After CHISO_LOGIN_FAILURE_LIMIT wrong passwords for one username from one address (the web sign-in,
# the admin's, and the API's HTTP Basic alike), that username is refused from that address — even with
# the right password — for CHISO_LOGIN_COOLOFF_MINUTES; a successful sign-in clears the count. Every
# attempt is recorded (axes' tables, shown in the admin: who, from where, when). The address is the
# connection's (REMOTE_ADDR): behind a reverse proxy every client shares the proxy's address, so the
# lockout is then per username. Accounts: chiso.accounts.lockout.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AXES_FAILURE_LIMIT = int(os.environ.get("CHISO_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("CHISO_LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the cooldown runs from the lockout
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "chiso.accounts.lockout.lockout_response"
AXES_VERBOSE = False

# --- Response headers (chiso.web.security) ----------------------------------------------------------
# A Content-Security-Policy with no inline script (every script is a static file served by chiso) and
# "Cache-Control: private, no-store" on every page and API answer (signed-in content never stays in a
# shared or back-button cache).
CHISO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "chiso.web.security.SecurityHeadersMiddleware",
)
# The API's lists: ?limit= is capped (a bigger one answers the first API_MAX_PAGE_SIZE).
API_MAX_PAGE_SIZE = 500
