"""Settings for motcua.

Everything is read from environment variables with embedded defaults, so that a laptop needs nothing
(an SQLite file, files on disk, tasks run immediately) and a province sets only what differs
(``DATABASE_URL`` for PostgreSQL, ``MOTCUA_TASKS=database`` for background workers, …).
The README lists every variable.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from motcua.config.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# In a source checkout the data directory sits beside the package; installations set
# MOTCUA_DATA_DIR.
DATA_DIR = Path(env_str("MOTCUA_DATA_DIR", str(PACKAGE_DIR.parent / "var"))).resolve()


def _secret_key() -> str:
    """The configured key, else one generated once and kept in the data directory."""
    configured = env_str("MOTCUA_SECRET_KEY", "")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
# After changing the key, keep the old one here: sessions survive and verify-history still checks
# the seals of dossiers created under it (dossiers/events.py).
SECRET_KEY_FALLBACKS = env_list("MOTCUA_SECRET_KEY_FALLBACKS", [])
DEBUG = env_bool("MOTCUA_DEBUG", False)
ALLOWED_HOSTS = env_list("MOTCUA_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("MOTCUA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "axes",  # sign-in throttling (accounts/signin.py)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",  # serves Swagger UI from its own static files, not from a CDN
    "django_tasks",
    "django_tasks_db",
    "motcua.core",
    "motcua.accounts",
    "motcua.units",
    "motcua.calendars",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.notifications",
    "motcua.documents",
    "motcua.apiclients",
    "motcua.audit",  # who saw what: the access log (after dossiers, before the pages)
    "motcua.backoffice",
    "motcua.portal",
    "motcua.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "motcua.core.privacy.PrivateResponsesMiddleware",
    "motcua.core.middleware.ActingClientMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "motcua.accounts.signin.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "motcua.config.urls"
WSGI_APPLICATION = "motcua.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# PostgreSQL when DATABASE_URL is set (postgres://user:pass@host:5432/name), else an SQLite file.
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url,
            conn_max_age=env_int("MOTCUA_DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Server-side parameter binding lets PostgreSQL prepare the statements a worker repeats
        # (psycopg prepares after a few executions), instead of parsing and planning each time.
        DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env_bool(
            "MOTCUA_DB_SERVER_SIDE_BINDING", True
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("MOTCUA_SQLITE_PATH", str(DATA_DIR / "motcua.sqlite3")),
            # WAL and a busy timeout let the server and a worker share the file.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Officers sign in on the site's own page (the admin's login admits staff only).
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "backoffice:home"

# Sign-in (README, "Sign-in"). django-axes counts failed password sign-ins per account and, apart,
# per client address: either reaching the limit locks that account or that address out for the
# cool-off, and every attempt made during a lockout starts the cool-off again (axes'
# AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so a guesser who keeps trying stays out. The
# cool-off is fixed, not growing: axes also uses it as the window in which failures are counted.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("MOTCUA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("MOTCUA_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_LOCKOUT_CALLABLE = "motcua.accounts.signin.lockout_response"
# The client's address: REMOTE_ADDR, unless MOTCUA_TRUSTED_PROXIES says how many reverse proxies
# (nginx: one) append to X-Forwarded-For in front of the app; behind nginx REMOTE_ADDR is nginx.
AXES_CLIENT_IP_CALLABLE = "motcua.accounts.signin.client_ip"
MOTCUA_TRUSTED_PROXIES = env_int("MOTCUA_TRUSTED_PROXIES", 0)
# The password is never stored or logged by axes (it masks the field); the username is kept in
# its own column, not repeated in the stored form data.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
# Optional TOTP second factor (django-otp); required for officers holding one of these roles (a
# superuser counts as an administrator). scripts/demo requires it of no one.
# Names are accounts.Role values; "none" requires it of no one.
MOTCUA_REQUIRE_2FA_ROLES = [
    role
    for role in env_list("MOTCUA_REQUIRE_2FA_ROLES", ["leader", "unit_admin"])
    if role != "none"
]
OTP_TOTP_ISSUER = "motcua"
# The admin never shows an officer's TOTP secret or its QR code: whoever reads it could make the
# officer's codes. A lost phone is answered by deleting the device and enrolling again.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first, English second. Instants are stored in UTC; every rule is evaluated on civil
# dates and times in the authority's time zone (domain README, decision 10).
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
AUTHORITY_TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Outside the data directory when a web server running as another user serves the files: the
# data directory is its owner's alone (core.privacy).
STATIC_ROOT = Path(env_str("MOTCUA_STATIC_ROOT", str(DATA_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MOTCUA_MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files from the app directories without collectstatic, so the one-command demo
# needs no extra step; production runs collectstatic and sets MOTCUA_STATIC_AUTOREFRESH=false.
WHITENOISE_USE_FINDERS = env_bool("MOTCUA_STATIC_AUTOREFRESH", True)
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS

# Uploaded files (catalogue, calendar): a file over MOTCUA_UPLOAD_MAX_MB is refused before it is
# read or stored (core.uploads, first of the handlers). Other request bodies (forms, the API's
# JSON) are held to Django's 2.5 MB: the API answers 413 request_too_large above it. An upload
# under 2.5 MB is kept in memory, a larger one in a temporary file.
MOTCUA_UPLOAD_MAX_MB = env_int("MOTCUA_UPLOAD_MAX_MB", 20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "motcua.core.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# API tokens made without an end date end after this many days (0: they never end by themselves).
MOTCUA_API_TOKEN_DAYS = env_int("MOTCUA_API_TOKEN_DAYS", 365)

# Background work: immediate by default; "database" stores tasks for `motcua db_worker`.
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[env_str("MOTCUA_TASKS", "immediate")]}}
# A calendar change recomputes the open dossiers in this many key ranges, one task each, so that
# several workers share it (docs/deadlines.md); 1 with the immediate backend, where nothing is
# gained by splitting.
MOTCUA_RECOMPUTE_SLICES = env_int(
    "MOTCUA_RECOMPUTE_SLICES", 4 if env_str("MOTCUA_TASKS", "immediate") == "database" else 1
)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = env_str("MOTCUA_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "outbox" / "email"
DEFAULT_FROM_EMAIL = env_str("MOTCUA_FROM_EMAIL", "motcua@localhost")
# SMS goes through an adapter (docs/notifications.md); by default a local outbox file.
MOTCUA_SMS_BACKEND = env_str("MOTCUA_SMS_BACKEND", "motcua.notifications.sms.FileSmsBackend")

# Security. No external origin anywhere: every asset is served by the app (government networks are
# often closed).
SESSION_COOKIE_HTTPONLY = True
# Shared counter PCs: a session ends when the browser closes, and after this many idle minutes
# (each request saves the session, so its expiry slides: SESSION_COOKIE_AGE is the idle limit).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_AGE = 60 * env_int("MOTCUA_SESSION_IDLE_MINUTES", 30)
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("MOTCUA_HTTPS", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The one-stop rules that provinces set differently; the domain README, decisions 1–2.
MOTCUA = {
    # Working windows when a unit and its ancestors set none (handbook §14 assumptions).
    "DEFAULT_WORKING_HOURS": env_str("MOTCUA_WORKING_HOURS", "08:00-12:00,13:00-17:00"),
    # Same-day procedures received after this time are due at the end of the next working day.
    "DEFAULT_SAME_DAY_CUTOFF": env_str("MOTCUA_SAME_DAY_CUTOFF", "15:00"),
    # "end_of_day" (the close of the due date) or "receipt_time" (same clock time as receipt).
    "DUE_TIME_POLICY": env_str("MOTCUA_DUE_TIME_POLICY", "end_of_day"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("MOTCUA_LOG_LEVEL", "WARNING")},
}
